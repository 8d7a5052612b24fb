package org.ciphernet.ckks;

import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import org.ciphernet.ntt.Galois;
import org.ciphernet.ntt.SparseRows;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Homomorphic operations on {@link Ciphertext}s. Every method returns a new ciphertext and leaves
 * its inputs untouched; the evaluator holds no mutable state, so one instance may serve many
 * threads. Keys are passed explicitly.
 *
 * <p><b>Levels</b> are aligned automatically: an operand at a higher level is brought down to the
 * other's level by dropping primes (exact, free of noise).
 *
 * <p><b>Scales</b> are tracked as doubles. Additions need equal scales: operands whose scales differ
 * by more than a relative {@value #SCALE_TOLERANCE} are <i>rejected</i> with
 * {@link CkksException.ScaleMismatchException} (the library never rescales silently; to fix a
 * mismatch, multiply by a constant or encode the plaintext at the right scale). Smaller differences
 * come only from floating-point bookkeeping and are far below CKKS precision. Products multiply the
 * scales; {@link CkksException.ScaleOverflowException} is thrown when the product scale would not fit
 * the level's modulus.
 */
public final class Evaluator {
    /** Relative scale difference tolerated by additions. */
    public static final double SCALE_TOLERANCE = 0x1p-40;

    private final CkksContext context;
    private final RingContext ring;
    private final LimbParallelism par;
    /** Encodes the weights of the {@code …Encoded} products into reused buffers. */
    private final Encoder encoder;

    /** An evaluator that works in the calling thread (one core). */
    public Evaluator(CkksContext context) {
        this(context, 1);
    }

    /**
     * An evaluator that spreads the per-limb work of key switching and rescaling over
     * {@code threads} threads of its own (results are identical for any thread count).
     */
    public Evaluator(CkksContext context, int threads) {
        this(context, threads == 1 ? LimbParallelism.SEQUENTIAL : new LimbParallelism(threads));
    }

    /**
     * An evaluator whose per-limb work of key switching and rescaling runs on {@code pool}, which
     * stays the caller's: the evaluator never shuts it down. The evaluator may be called from the
     * pool's own workers (they help with the work instead of waiting for it), so one pool can run
     * both a server's tasks and their per-limb work. Results are identical to the calling-thread
     * evaluator's.
     */
    public Evaluator(CkksContext context, ForkJoinPool pool) {
        this(context, new LimbParallelism(Objects.requireNonNull(pool, "pool")));
    }

    private Evaluator(CkksContext context, LimbParallelism par) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.par = par;
        this.encoder = new Encoder(context);
    }

    /** The number of threads this evaluator uses for per-limb work (a given pool's parallelism). */
    public int threads() {
        return par.threads();
    }

    // ---- additions ------------------------------------------------------------------------

    /** {@code a + b}. */
    public Ciphertext add(Ciphertext a, Ciphertext b) {
        return addOrSub(a, b, false);
    }

    /** {@code a - b}. */
    public Ciphertext sub(Ciphertext a, Ciphertext b) {
        return addOrSub(a, b, true);
    }

    private Ciphertext addOrSub(Ciphertext a, Ciphertext b, boolean subtract) {
        check(a);
        check(b);
        checkScales(a.scale(), b.scale(), subtract ? "sub" : "add");
        int level = Math.min(a.level(), b.level());
        int size = Math.max(a.size(), b.size());
        RnsPoly[] out = new RnsPoly[size];
        for (int i = 0; i < size; i++) {
            RnsPoly x = i < a.size() ? a.part(i).copyPrefix(level + 1) : ring.zero(context.levelPrimes(level), true);
            if (i < b.size()) {
                RnsPoly y = atLevel(b.part(i), level);
                if (subtract) {
                    ring.sub(x, y, x);
                } else {
                    ring.add(x, y, x);
                }
            }
            out[i] = x;
        }
        return new Ciphertext(out, level, a.scale(), context.fingerprint());
    }

    /** {@code -a}. */
    public Ciphertext negate(Ciphertext a) {
        check(a);
        RnsPoly[] out = new RnsPoly[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.part(i).copy();
            ring.negate(out[i], out[i]);
        }
        return new Ciphertext(out, a.level(), a.scale(), context.fingerprint());
    }

    /** {@code a + p} for a plaintext at the same scale (levels are aligned). */
    public Ciphertext addPlain(Ciphertext a, Plaintext p) {
        return addPlain(a, p, false);
    }

    /** {@code a - p}. */
    public Ciphertext subPlain(Ciphertext a, Plaintext p) {
        return addPlain(a, p, true);
    }

    private Ciphertext addPlain(Ciphertext a, Plaintext p, boolean subtract) {
        check(a);
        context.check(Arguments.present(p, "the plaintext").fingerprint(), "the plaintext");
        checkScales(a.scale(), p.scale(), "addPlain");
        int level = Math.min(a.level(), p.level());
        RnsPoly[] out = dropParts(a, level);
        RnsPoly y = atLevel(p.poly(), level);
        if (subtract) {
            ring.sub(out[0], y, out[0]);
        } else {
            ring.add(out[0], y, out[0]);
        }
        return new Ciphertext(out, level, a.scale(), context.fingerprint());
    }

    /** Adds a real constant to every slot (encoded at the ciphertext's scale, no FFT). */
    public Ciphertext addConstant(Ciphertext a, double value) {
        check(a);
        Arguments.finite(value, "the constant");
        RnsPoly[] out = new RnsPoly[a.size()];
        out[0] = a.part(0).copyPrefix(a.level() + 1);
        for (int p = 1; p < out.length; p++) {
            out[p] = atLevel(a.part(p), a.level()); // unchanged, and parts are never modified: shared
        }
        double v = value * a.scale();
        context.checkFits(Math.abs(v), a.level(), "constant × scale");
        long[] r = context.residues(v, a.level());
        for (int i = 0; i <= a.level(); i++) {
            ring.ops(i).addScalar(out[0].limb(i), r[i], out[0].limb(i));
        }
        return new Ciphertext(out, a.level(), a.scale(), context.fingerprint());
    }

    // ---- products -------------------------------------------------------------------------

    /** {@code a · b}, a 3-part ciphertext (relinearize it next); scale {@code a.scale · b.scale}. */
    public Ciphertext multiply(Ciphertext a, Ciphertext b) {
        check(a);
        check(b);
        Arguments.twoParts(a, "multiply");
        Arguments.twoParts(b, "multiply");
        int level = Math.min(a.level(), b.level());
        double scale = a.scale() * b.scale();
        context.checkScaleFits(scale, level);
        RnsPoly a0 = atLevel(a.part(0), level);
        RnsPoly a1 = atLevel(a.part(1), level);
        RnsPoly b0 = atLevel(b.part(0), level);
        RnsPoly b1 = atLevel(b.part(1), level);
        int[] q = context.levelPrimes(level);
        RnsPoly c0 = ring.zero(q, true);
        RnsPoly c1 = ring.zero(q, true);
        RnsPoly c2 = ring.zero(q, true);
        ring.multiply(a0, b0, c0);
        ring.multiply(a0, b1, c1);
        ring.multiplyAdd(c1, a1, b0);
        ring.multiply(a1, b1, c2);
        return new Ciphertext(new RnsPoly[] {c0, c1, c2}, level, scale, context.fingerprint());
    }

    /** {@code a²} (one product fewer than {@code multiply(a, a)}). */
    public Ciphertext square(Ciphertext a) {
        check(a);
        Arguments.twoParts(a, "square");
        double scale = a.scale() * a.scale();
        context.checkScaleFits(scale, a.level());
        int[] q = context.levelPrimes(a.level());
        RnsPoly c0 = ring.zero(q, true);
        RnsPoly c1 = ring.zero(q, true);
        RnsPoly c2 = ring.zero(q, true);
        ring.multiply(a.part(0), a.part(0), c0);
        ring.multiply(a.part(0), a.part(1), c1);
        ring.add(c1, c1, c1);
        ring.multiply(a.part(1), a.part(1), c2);
        return new Ciphertext(new RnsPoly[] {c0, c1, c2}, a.level(), scale, context.fingerprint());
    }

    /** {@code a · p}; scale {@code a.scale · p.scale}. */
    public Ciphertext multiplyPlain(Ciphertext a, Plaintext p) {
        check(a);
        context.check(Arguments.present(p, "the plaintext").fingerprint(), "the plaintext");
        int level = Math.min(a.level(), p.level());
        double scale = a.scale() * p.scale();
        context.checkScaleFits(scale, level);
        RnsPoly y = atLevel(p.poly(), level);
        RnsPoly[] out = dropParts(a, level);
        for (RnsPoly part : out) {
            ring.multiply(part, y, part);
        }
        return new Ciphertext(out, level, scale, context.fingerprint());
    }

    /**
     * {@code a · value} for a real constant, encoded at the scale of the current last prime, so that
     * the following {@link #rescale} restores {@code a.scale} exactly.
     */
    public Ciphertext multiplyConstant(Ciphertext a, double value) {
        check(a);
        Arguments.finite(value, "the constant");
        if (a.level() == 0) {
            throw new CkksException.LevelException("multiplyConstant needs a level to rescale afterwards; the ciphertext is at level 0");
        }
        double constScale = ring.modulus(a.level()).value();
        double scale = a.scale() * constScale;
        context.checkScaleFits(scale, a.level());
        double v = value * constScale;
        context.checkFits(Math.abs(v), a.level(), "constant × scale");
        long[] r = context.residues(v, a.level());
        RnsPoly[] out = dropParts(a, a.level());
        for (RnsPoly part : out) {
            ring.multiplyScalars(part, r, part);
        }
        return new Ciphertext(out, a.level(), scale, context.fingerprint());
    }

    /** {@code a · k} for an integer k: no scale growth, no level used. */
    public Ciphertext multiplyInteger(Ciphertext a, long k) {
        check(a);
        RnsPoly[] out = dropParts(a, a.level());
        for (RnsPoly part : out) {
            ring.multiplyScalar(part, k, part);
        }
        return new Ciphertext(out, a.level(), a.scale(), context.fingerprint());
    }

    /**
     * {@code Σ_i cts[i] · pts[i]} with one delayed reduction per coefficient (no rescale): the
     * inner loop of linear layers. All terms must share one scale product; levels are aligned to the
     * lowest.
     */
    public Ciphertext multiplyAccumulate(Ciphertext[] cts, Plaintext[] pts) {
        Arguments.present(cts, "the ciphertexts");
        Arguments.present(pts, "the plaintexts");
        if (cts.length != pts.length || cts.length == 0) {
            throw new IllegalArgumentException("multiplyAccumulate needs as many plaintexts as ciphertexts, at least one; got "
                    + cts.length + " ciphertexts and " + pts.length + " plaintexts");
        }
        int level = Integer.MAX_VALUE;
        double scale = cts[0].scale() * pts[0].scale();
        for (int t = 0; t < cts.length; t++) {
            check(cts[t]);
            context.check(Arguments.present(pts[t], "plaintext " + t).fingerprint(), "plaintext " + t);
            Arguments.twoParts(cts[t], "multiplyAccumulate (term " + t + ")");
            checkScales(scale, cts[t].scale() * pts[t].scale(), "multiplyAccumulate term " + t);
            level = Math.min(level, Math.min(cts[t].level(), pts[t].level()));
        }
        context.checkScaleFits(scale, level);
        int[] q = context.levelPrimes(level);
        RnsPoly[] out = {ring.zero(q, true), ring.zero(q, true)};
        int terms = cts.length;
        long[][] x = new long[terms][];
        long[][] y = new long[terms][];
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i <= level; i++) {
                for (int t = 0; t < terms; t++) {
                    x[t] = cts[t].part(part).limb(i);
                    y[t] = pts[t].poly().limb(i);
                }
                ring.ops(i).multiplyAccumulate(out[part].limb(i), x, y);
            }
        }
        return new Ciphertext(out, level, scale, context.fingerprint());
    }

    /**
     * {@code Σ_t cts[t] · encode(weights[t])}, each weight vector encoded at the inputs' lowest level
     * and {@code weightScale} as {@link Encoder#encode(double[], int, double)} does, into reused
     * buffers that are never kept: the same bits as {@link #multiplyAccumulate} of those plaintexts,
     * without their garbage (weights too many to keep encoded, encoded on the fly). The encodings
     * run on this evaluator's threads.
     */
    public Ciphertext multiplyAccumulateEncoded(Ciphertext[] cts, double[][] weights, double weightScale) {
        Arguments.present(cts, "the ciphertexts");
        Arguments.present(weights, "the weights");
        if (cts.length != weights.length || cts.length == 0) {
            throw new IllegalArgumentException("multiplyAccumulateEncoded needs as many weight vectors as ciphertexts, at least one; got "
                    + cts.length + " ciphertexts and " + weights.length + " weight vectors");
        }
        int level = Integer.MAX_VALUE;
        for (int t = 0; t < cts.length; t++) {
            check(cts[t]);
            Arguments.twoParts(cts[t], "multiplyAccumulateEncoded (term " + t + ")");
            checkScales(cts[0].scale(), cts[t].scale(), "multiplyAccumulateEncoded term " + t);
            Arguments.present(weights[t], "weight vector " + t);
            level = Math.min(level, cts[t].level());
        }
        double scale = cts[0].scale() * weightScale;
        context.checkScaleFits(scale, level);
        int terms = cts.length;
        int limbs = level + 1;
        int[] q = context.levelPrimes(level);
        LimbPool pool = context.keySwitcher().pool();
        long[][][] w = new long[terms][][];
        try {
            int lv = level;
            par.forEachToEnd(terms, t -> {
                w[t] = pool.take(limbs);
                encoder.encodeInto(weights[t], null, lv, weightScale, q, w[t]);
            });
            RnsPoly[] out = {ring.zero(q, true), ring.zero(q, true)};
            long[][] x = new long[terms][];
            long[][] y = new long[terms][];
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < limbs; i++) {
                    for (int t = 0; t < terms; t++) {
                        x[t] = cts[t].part(part).limb(i);
                        y[t] = w[t][i];
                    }
                    ring.ops(i).multiplyAccumulate(out[part].limb(i), x, y);
                }
            }
            return new Ciphertext(out, level, scale, context.fingerprint());
        } finally {
            pool.give(w);
        }
    }

    /** Turns a 3-part product into 2 parts with the relinearization key. */
    public Ciphertext relinearize(Ciphertext a, RelinearizationKey rk) {
        check(a);
        context.check(Arguments.present(rk, "the relinearization key").fingerprint(), "the relinearization key");
        if (a.size() == 2) {
            return a;
        }
        int[] q = context.levelPrimes(a.level());
        RnsPoly c0 = ring.zero(q, true);
        RnsPoly c1 = ring.zero(q, true);
        context.keySwitcher().switchKeyAdd(a.part(2).limbs(), a.level(), rk.key(), a.part(0).limbs(), a.part(1).limbs(),
                c0.limbs(), c1.limbs(), par);
        return new Ciphertext(new RnsPoly[] {c0, c1}, a.level(), a.scale(), context.fingerprint());
    }

    /** {@code a · b} then relinearize then rescale. */
    public Ciphertext multiplyRelinRescale(Ciphertext a, Ciphertext b, RelinearizationKey rk) {
        return rescale(relinearize(multiply(a, b), rk));
    }

    // ---- levels ---------------------------------------------------------------------------

    /**
     * Divides by the last prime {@code q_ℓ} with rounding and drops it: level − 1, scale / q_ℓ.
     *
     * @throws CkksException.LevelException at level 0
     */
    public Ciphertext rescale(Ciphertext a) {
        check(a);
        int level = a.level();
        if (level == 0) {
            throw new CkksException.LevelException("no level left to rescale: the ciphertext is at level 0");
        }
        long qLast = ring.modulus(level).value();
        RnsPoly[] out = new RnsPoly[a.size()];
        for (int p = 0; p < a.size(); p++) {
            RnsPoly src = a.part(p);
            LimbPool pool = context.keySwitcher().pool();
            long[] r = pool.take();
            System.arraycopy(src.limb(level), 0, r, 0, r.length);
            ring.ntt(level).inverse(r);
            RnsPoly dst = ring.zero(context.levelPrimes(level - 1), true);
            // (c - lift(c mod qLast)) / qLast: the centered lift makes it c / qLast rounded to nearest
            par.forEach(level, i -> context.rescaleLimb(src.limb(i), r, level, i, dst.limb(i), null));
            pool.give(r);
            out[p] = dst;
        }
        return new Ciphertext(out, level - 1, a.scale() / qLast, context.fingerprint());
    }

    /** Drops to a lower level without dividing (exact; the scale is unchanged). */
    public Ciphertext dropToLevel(Ciphertext a, int level) {
        check(a);
        if (level < 0 || level > a.level()) {
            throw new CkksException.LevelException("cannot drop from level " + a.level() + " to " + level);
        }
        return new Ciphertext(dropParts(a, level), level, a.scale(), context.fingerprint());
    }

    // ---- rotations ------------------------------------------------------------------------

    /** Rotates the slots left by {@code step} (slot j receives slot j + step); negative steps rotate right. */
    public Ciphertext rotate(Ciphertext a, int step, GaloisKeys keys) {
        check(a);
        context.check(Arguments.present(keys, "the Galois keys").fingerprint(), "the Galois keys");
        int k = Math.floorMod(step, context.slots());
        if (k == 0) {
            return a;
        }
        int g = Galois.rotationElement(k, context.degree());
        return applyGalois(a, g, requireKey(keys, g, "rotation by " + step + " (normalized " + k + ")", a.level()));
    }

    /** Complex-conjugates every slot. */
    public Ciphertext conjugate(Ciphertext a, GaloisKeys keys) {
        check(a);
        context.check(Arguments.present(keys, "the Galois keys").fingerprint(), "the Galois keys");
        int g = Galois.conjugationElement(context.degree());
        return applyGalois(a, g, requireKey(keys, g, "conjugation", a.level()));
    }

    private Ciphertext applyGalois(Ciphertext a, int g, SwitchingKey key) {
        return applyGalois(a, g, key, null, a.level());
    }

    /**
     * {@code φ_g(a)} (plus {@code addend}, when not null) at a level at most a's, in one pass: the
     * addend's parts are added to the key switch's outputs, so the sum allocates only its result.
     */
    private Ciphertext applyGalois(Ciphertext a, int g, SwitchingKey key, Ciphertext addend, int level) {
        Arguments.twoParts(a, "rotate and conjugate");
        int[] q = context.levelPrimes(level);
        KeySwitcher ks = context.keySwitcher();
        LimbPool pool = ks.pool();
        RnsPoly c0 = ring.zero(q, true);
        RnsPoly c1 = ring.zero(q, true);
        int[] perm = ring.permutation(g);
        long[][] rotated1 = pool.take(level + 1); // φ(c1), the key switch's input
        for (int i = 0; i <= level; i++) {
            Galois.applyNtt(a.part(0).limb(i), perm, c0.limb(i));
            Galois.applyNtt(a.part(1).limb(i), perm, rotated1[i]);
            if (addend != null) {
                ring.ops(i).add(c0.limb(i), addend.part(0).limb(i), c0.limb(i));
            }
        }
        ks.switchKeyAdd(rotated1, level, key, c0.limbs(), addend == null ? null : addend.part(1).limbs(), c0.limbs(), c1.limbs(),
                par);
        pool.give(rotated1);
        double scale = addend != null ? addend.scale() : a.scale(); // a sum has its first operand's scale, as add's
        return new Ciphertext(new RnsPoly[] {c0, c1}, level, scale, context.fingerprint());
    }

    /**
     * {@code a + rotate(b, step)} in one operation, allocating only the result: the accumulation
     * step of giant-step sums and rotate-and-sum folds. The same bits as {@link #add} of
     * {@link #rotate} when b is not above a's level; otherwise b is rotated at a's level (cheaper,
     * and as exact). The scales must agree as for {@link #add}.
     */
    public Ciphertext addRotated(Ciphertext a, Ciphertext b, int step, GaloisKeys keys) {
        check(a);
        check(b);
        context.check(Arguments.present(keys, "the Galois keys").fingerprint(), "the Galois keys");
        Arguments.twoParts(a, "addRotated");
        Arguments.twoParts(b, "addRotated");
        checkScales(a.scale(), b.scale(), "addRotated");
        int k = Math.floorMod(step, context.slots());
        if (k == 0) {
            return add(a, b);
        }
        int level = Math.min(a.level(), b.level());
        int g = Galois.rotationElement(k, context.degree());
        SwitchingKey key = requireKey(keys, g, "rotation by " + step + " (normalized " + k + ")", level);
        return applyGalois(b, g, key, a, level);
    }

    /**
     * Several rotations of one ciphertext sharing a single key-switching decomposition (hoisting):
     * the ModUp of {@code c1} is done once and permuted for each step.
     */
    public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps, GaloisKeys keys) {
        check(a);
        context.check(Arguments.present(keys, "the Galois keys").fingerprint(), "the Galois keys");
        Arguments.present(steps, "the steps");
        Arguments.twoParts(a, "rotateHoisted");
        KeySwitcher ks = context.keySwitcher();
        int level = a.level();
        long[][][] digits = null;
        Ciphertext[] out = new Ciphertext[steps.length];
        int[] q = context.levelPrimes(level);
        try {
            for (int s = 0; s < steps.length; s++) {
                int k = Math.floorMod(steps[s], context.slots());
                if (k == 0) {
                    out[s] = a;
                    continue;
                }
                int g = Galois.rotationElement(k, context.degree());
                SwitchingKey key = requireKey(keys, g, "rotation by " + steps[s] + " (normalized " + k + ")", level);
                if (digits == null) {
                    digits = ks.decompose(a.part(1).limbs(), level, par);
                }
                int[] perm = ring.permutation(g);
                long[][][] acc = ks.applyKey(digits, key, level, perm, par);
                RnsPoly c0 = ring.zero(q, true);
                RnsPoly c1 = ring.zero(q, true);
                for (int i = 0; i <= level; i++) {
                    Galois.applyNtt(a.part(0).limb(i), perm, c0.limb(i));
                }
                ks.modDownInto(acc[0], null, level, c0.limbs(), c0.limbs(), par);
                ks.modDownInto(acc[1], null, level, null, c1.limbs(), par);
                ks.pool().give(acc);
                out[s] = new Ciphertext(new RnsPoly[] {c0, c1}, level, a.scale(), context.fingerprint());
            }
        } finally {
            ks.pool().give(digits);
        }
        return out;
    }

    /**
     * Sums of plaintext-weighted rotations of one ciphertext: output r is
     * {@code Σ_s rows[r][s] · rotate(a, steps[s])} (a null plaintext is a missing term), the baby
     * steps of a linear transform. The rotations share one decomposition of {@code c1} (as
     * {@link #rotateHoisted}) and stay over {@code Q·P} until they are summed, so each output pays
     * one ModDown per part instead of two per rotation, and carries less rounding noise than the
     * same sum of {@link #rotate} results. Plaintexts of rotated steps must be
     * {@link Encoder#encodeExtended extended}; all products must share one scale; the result is at
     * the lowest level of a and the plaintexts, unrescaled, with scale {@code a.scale · p.scale}.
     */
    public Ciphertext[] multiplyRotationsHoisted(Ciphertext a, int[] steps, Plaintext[][] rows, GaloisKeys keys) {
        Arguments.present(rows, "the rows");
        return multiplyRotationsHoisted(a, steps, rows.length, r -> rows[r], keys);
    }

    /**
     * {@link #multiplyRotationsHoisted(Ciphertext, int[], Plaintext[][], GaloisKeys)} with the rows
     * supplied one at a time, {@code row.apply(0) … row.apply(rows - 1)} in order, each called once
     * and not kept after its sum is computed: weights encoded on the fly need memory for one row only.
     * A row without terms gives an encryption of zero at a's scale.
     */
    public Ciphertext[] multiplyRotationsHoisted(Ciphertext a, int[] steps, int rows, IntFunction<Plaintext[]> row,
            GaloisKeys keys) {
        HoistedSteps h = hoistedSteps(a, steps, row, rows, keys);
        return HoistedProducts.compute(context, par, a, h.perms(), h.keys(), rows, r -> checkRow(a, steps, r, row.apply(r)));
    }

    /**
     * {@link #multiplyRotationsHoisted(Ciphertext, int[], int, IntFunction, GaloisKeys)} with each row
     * given as weight vectors ({@code values.apply(r)[s]}, null for a missing term), encoded at a's
     * level and {@code weightScale} into reused buffers that are given back once the row's sum is
     * computed: the same bits as encoding them with {@link Encoder#encodeExtended} (or
     * {@link Encoder#encode} for step 0), without keeping them.
     */
    public Ciphertext[] multiplyRotationsHoisted(Ciphertext a, int[] steps, int rows, IntFunction<double[][]> values,
            double weightScale, GaloisKeys keys) {
        HoistedSteps h = hoistedSteps(a, steps, values, rows, keys);
        int level = a.level();
        context.checkScaleFits(a.scale() * weightScale, level);
        int[][] perms = h.perms();
        int[] qPrimes = context.levelPrimes(level);
        int[] qpPrimes = context.levelAndSpecialPrimes(level);
        LimbPool pool = context.keySwitcher().pool();
        return HoistedProducts.computeWeights(context, par, a, perms, h.keys(), rows, r -> {
            double[][] row = Arguments.present(values.apply(r), "row " + r);
            if (row.length != steps.length) {
                throw new IllegalArgumentException("row " + r + " has " + row.length + " weight vectors for " + steps.length + " steps");
            }
            long[][][] q = new long[steps.length][][];
            long[][][] p = new long[steps.length][][];
            Runnable release = () -> {
                pool.give(q);
                pool.give(p);
            };
            boolean any = false;
            try {
                par.forEachToEnd(steps.length, s -> {
                    if (row[s] == null) {
                        return;
                    }
                    boolean extended = perms[s] != null;
                    long[][] limbs = pool.take(extended ? qpPrimes.length : qPrimes.length);
                    q[s] = java.util.Arrays.copyOf(limbs, level + 1);
                    p[s] = extended ? java.util.Arrays.copyOfRange(limbs, level + 1, limbs.length) : null;
                    encoder.encodeInto(row[s], null, level, weightScale, extended ? qpPrimes : qPrimes, limbs);
                });
                for (long[][] l : q) {
                    any |= l != null;
                }
            } catch (RuntimeException | Error e) {
                release.run();
                throw e;
            }
            return new HoistedProducts.Weights(q, p, any ? weightScale : Double.NaN, release);
        });
    }

    /**
     * The checks shared by the hoisted products, and their steps resolved once: per step the
     * NTT-domain permutation and the switching key, both null for the identity.
     */
    private HoistedSteps hoistedSteps(Ciphertext a, int[] steps, Object rowSupplier, int rows, GaloisKeys keys) {
        check(a);
        context.check(Arguments.present(keys, "the Galois keys").fingerprint(), "the Galois keys");
        Arguments.present(steps, "the steps");
        Arguments.present(rowSupplier, "the row supplier");
        Arguments.twoParts(a, "multiplyRotationsHoisted");
        if (rows < 0) {
            throw new IllegalArgumentException("row count must not be negative, got " + rows);
        }
        int[][] perms = new int[steps.length][];
        SwitchingKey[] switching = new SwitchingKey[steps.length];
        for (int s = 0; s < steps.length; s++) {
            int k = Math.floorMod(steps[s], context.slots());
            if (k != 0) {
                int g = Galois.rotationElement(k, context.degree());
                switching[s] = requireKey(keys, g, "rotation by " + steps[s] + " (normalized " + k + ")", a.level());
                perms[s] = ring.permutation(g);
            }
        }
        return new HoistedSteps(perms, switching);
    }

    private record HoistedSteps(int[][] perms, SwitchingKey[] keys) {}

    /** Row r's plaintexts after the checks of {@link #multiplyRotationsHoisted}. */
    private Plaintext[] checkRow(Ciphertext a, int[] steps, int r, Plaintext[] weights) {
        Arguments.present(weights, "row " + r);
        if (weights.length != steps.length) {
            throw new IllegalArgumentException("row " + r + " has " + weights.length + " plaintexts for " + steps.length + " steps");
        }
        double scale = Double.NaN;
        for (int s = 0; s < steps.length; s++) {
            Plaintext p = weights[s];
            if (p == null) {
                continue;
            }
            context.check(p.fingerprint(), "plaintext (" + r + ", " + s + ")");
            if (Double.isNaN(scale)) {
                scale = a.scale() * p.scale();
            } else {
                checkScales(scale, a.scale() * p.scale(), "multiplyRotationsHoisted term (" + r + ", " + s + ")");
            }
            if (p.level() < a.level()) {
                throw new CkksException.LevelException("plaintext (" + r + ", " + s + ") is at level " + p.level()
                        + ", below the ciphertext's " + a.level() + ": encode the weights at the input's level");
            }
            if (Math.floorMod(steps[s], context.slots()) != 0 && !p.isExtended()) {
                throw new IllegalArgumentException("plaintext (" + r + ", " + s + ") weighs the rotation by " + steps[s]
                        + " but has no residues modulo P: encode it with Encoder.encodeExtended");
            }
        }
        if (!Double.isNaN(scale)) {
            context.checkScaleFits(scale, a.level());
        }
        return weights;
    }

    /**
     * Sums {@code count} (a power of two) consecutive slots into every slot: slot j receives
     * {@code Σ_{t<count} slot (j + t)}, with log2(count) rotations by 1, 2, 4, ….
     */
    public Ciphertext rotateAndSum(Ciphertext a, int count, GaloisKeys keys) {
        if (count < 1 || Integer.bitCount(count) != 1 || count > context.slots()) {
            throw new IllegalArgumentException("count must be a power of two in [1, slots], got " + count);
        }
        Ciphertext acc = a;
        for (int step = 1; step < count; step <<= 1) {
            acc = add(acc, rotate(acc, step, keys));
        }
        return acc;
    }

    // ---- helpers --------------------------------------------------------------------------

    private SwitchingKey requireKey(GaloisKeys keys, int g, String what, int level) {
        SwitchingKey key = keys.key(g);
        if (key == null) {
            throw new CkksException.MissingKeyException("no Galois key for " + what + " (Galois element " + g
                    + "); keys exist for steps " + keys.steps() + (keys.hasConjugation() ? " and conjugation" : ""));
        }
        if (level > key.maxLevel()) {
            throw new CkksException.LevelException("the Galois key for " + what + " was made for levels up to " + key.maxLevel()
                    + "; the ciphertext is at level " + level);
        }
        return key;
    }

    private void check(Ciphertext a) {
        context.check(Arguments.present(a, "the ciphertext").fingerprint(), "a ciphertext");
    }

    /** Throws {@link CkksException.ScaleMismatchException} unless two scales agree within {@link #SCALE_TOLERANCE}. */
    static void checkScales(double s1, double s2, String op) {
        if (Math.abs(s1 - s2) > SCALE_TOLERANCE * Math.max(s1, s2)) {
            throw new CkksException.ScaleMismatchException(String.format(
                    "%s needs equal scales, got 2^%.6f and 2^%.6f; multiply by a constant or encode at the matching scale",
                    op, Math.log(s1) / Math.log(2), Math.log(s2) / Math.log(2)));
        }
    }

    private RnsPoly atLevel(RnsPoly p, int level) {
        return p.limbCount() == level + 1 ? p : p.copyPrefix(level + 1);
    }

    private RnsPoly[] dropParts(Ciphertext a, int level) {
        RnsPoly[] out = new RnsPoly[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.part(i).copyPrefix(level + 1);
        }
        return out;
    }
}
