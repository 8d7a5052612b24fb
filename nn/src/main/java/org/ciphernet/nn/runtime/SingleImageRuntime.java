package org.ciphernet.nn.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.Plaintext;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.nn.plan.DiagonalKey;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;

/**
 * Runs a single-image plan: the whole tensor in the slots of one ciphertext; or a packed one, the
 * same program on k images side by side, every diagonal and bias repeated at the images' stride.
 * Linear steps are
 * diagonal products ({@link DiagonalSchedule}): the baby rotations share one hoisted
 * decomposition, each giant group is a multiply-accumulate of plaintext diagonals, and the giant
 * steps, the fold and the bias follow as the schedule says. Rotations without their own key are
 * composed as the plan's {@link RotationKeys} say. The diagonals are encoded once, when the runtime
 * is built, if they fit the plaintext cache; otherwise each step encodes its own as it runs. In the
 * cache, equal diagonals (same level, weight scale, extension and values: {@link DiagonalKey}), as
 * clustered or pooling weights give, share one plaintext, and the cache's size counts each once.
 */
public final class SingleImageRuntime extends PlanRuntime {
    private final Encoder encoder;
    private final GaloisKeys galois;
    private final RotationKeys keys;
    /** Per diagonal step: its plaintexts [giant][baby], when they fit the cache (equal diagonals share one). */
    private final Map<Integer, Plaintext[][]> cache = new HashMap<>();
    /** The distinct plaintexts in the cache. */
    private final int cachedPlaintexts;
    /** The slots between the images of a packed ciphertext; the slot count for a single image. */
    private final int imageStride;

    /**
     * A runtime for a single-image plan.
     *
     * @param plaintextCacheBytes memory allowed for pre-encoded weights
     */
    public SingleImageRuntime(CkksContext context, List<PlanStep> steps, RotationKeys keys, GaloisKeys galois,
            RelinearizationKey relin, Workers workers, long plaintextCacheBytes) {
        this(context, steps, keys, galois, relin, workers, plaintextCacheBytes, context.slots());
    }

    /**
     * A runtime for a single-image plan ({@code imageStride} = the slots) or a packed one.
     *
     * @param plaintextCacheBytes memory allowed for pre-encoded weights
     * @param imageStride the slots between images, a power of two dividing the slots
     */
    public SingleImageRuntime(CkksContext context, List<PlanStep> steps, RotationKeys keys, GaloisKeys galois,
            RelinearizationKey relin, Workers workers, long plaintextCacheBytes, int imageStride) {
        super(context, steps, relin, workers);
        if (imageStride < 1 || imageStride > context.slots() || context.slots() % imageStride != 0) {
            throw new IllegalArgumentException("an image stride of " + imageStride + " in " + context.slots() + " slots");
        }
        this.imageStride = imageStride;
        this.encoder = new Encoder(context);
        this.galois = galois;
        this.keys = keys;
        Map<DiagonalKey, Source> distinct = distinctDiagonals(steps, keys);
        if (cacheBytes(context, distinct.keySet()) <= plaintextCacheBytes) {
            List<Source> sources = new ArrayList<>(distinct.values());
            List<Plaintext> encoded = workers.map(sources.size(), j -> encodeDiagonal(sources.get(j)));
            for (int j = 0; j < sources.size(); j++) {
                sources.get(j).plaintext = encoded.get(j);
            }
            for (PlanStep s : steps) {
                if (s.operation() instanceof Operation.DiagonalProduct d) {
                    DiagonalSchedule p = d.schedule();
                    int[] babies = p.babies();
                    Plaintext[][] pts = new Plaintext[p.giants().length][babies.length];
                    for (int gi = 0; gi < pts.length; gi++) {
                        for (int bi = 0; bi < babies.length; bi++) {
                            if (p.hasDiagonal(gi, bi)) {
                                pts[gi][bi] = distinct.get(new DiagonalKey(s.levelIn(), d, gi, bi, DiagonalKey.extended(p, bi, keys)))
                                        .plaintext;
                            }
                        }
                    }
                    cache.put(s.index(), pts);
                }
            }
            this.cachedPlaintexts = sources.size();
        } else {
            this.cachedPlaintexts = 0;
        }
    }

    /** Where a distinct diagonal was first met, and its plaintext once encoded. */
    private static final class Source {
        final PlanStep step;
        final Operation.DiagonalProduct op;
        final int gi;
        final int bi;
        final boolean extended;
        Plaintext plaintext;

        Source(PlanStep step, Operation.DiagonalProduct op, int gi, int bi, boolean extended) {
            this.step = step;
            this.op = op;
            this.gi = gi;
            this.bi = bi;
            this.extended = extended;
        }
    }

    private static Map<DiagonalKey, Source> distinctDiagonals(List<PlanStep> steps, RotationKeys keys) {
        Map<DiagonalKey, Source> distinct = new java.util.LinkedHashMap<>();
        DiagonalKey.forEach(steps, keys, (s, d, gi, bi, key) -> distinct.computeIfAbsent(key, k -> new Source(s, d, gi, bi, k.extended())));
        return distinct;
    }

    /**
     * Memory the pre-encoded weights of a plan take: one plaintext per distinct diagonal (equal
     * diagonals at the same level, scale and extension share one), with residues modulo P's primes
     * for those that weigh hoisted sums.
     */
    public static long cacheBytes(CkksContext context, List<PlanStep> steps, RotationKeys keys) {
        return cacheBytes(context, distinctDiagonals(steps, keys).keySet());
    }

    private static long cacheBytes(CkksContext context, java.util.Collection<DiagonalKey> distinct) {
        long b = 0;
        int special = context.parameters().pBits().size();
        for (DiagonalKey k : distinct) {
            b += (long) (k.level() + 1 + (k.extended() ? special : 0)) * context.degree() * 8L;
        }
        return b;
    }

    /** The distinct plaintexts the cache holds (0 when the diagonals did not fit it and are encoded on the fly). */
    public int cachedPlaintexts() {
        return cachedPlaintexts;
    }

    @Override
    List<Ciphertext> linear(PlanStep s, StepInput input) {
        List<Ciphertext> x = input.all(); // one ciphertext: released with the tensor after the step
        return switch (s.operation()) {
            case Operation.AddBias b -> {
                Ciphertext c = b.negate() ? eval.negate(x.get(0)) : x.get(0);
                yield List.of(eval.addPlain(c, encoder.encode(slotVector(b.bias()), c.level(), c.scale())));
            }
            case Operation.Align a -> {
                Ciphertext in = droppedTo(s.levelIn(), x).get(0);
                Plaintext one = encoder.encodeConstant(1.0, s.levelIn(), a.weightScale());
                yield List.of(eval.rescale(eval.multiplyPlain(in, one)));
            }
            case Operation.DiagonalProduct d -> List.of(diagonalProduct(s, d, droppedTo(s.levelIn(), x).get(0)));
            default -> throw new IllegalStateException("a single-image plan cannot run a " + s.kind() + " step like " + s.operation());
        };
    }

    private Ciphertext diagonalProduct(PlanStep s, Operation.DiagonalProduct op, Ciphertext x) {
        DiagonalSchedule p = op.schedule();
        int[] babies = p.babies();
        int[] giants = p.giants();
        if (giants.length == 0) { // an all-zero matrix: only the bias remains
            Ciphertext zero = eval.rescale(eval.multiplyPlain(x, encoder.encodeConstant(0.0, s.levelIn(), op.weightScale())));
            return op.hasBias() ? eval.addPlain(zero, encoder.encode(slotVector(op.bias()), zero.level(), zero.scale())) : zero;
        }
        // babies with their own key (and 0) share one decomposition; the others are composed from
        // keyed steps. When there are fewer giant groups than keyed rotations, those stay over Q·P
        // and each group's sum pays one ModDown; otherwise every baby is a ciphertext and each group
        // is one multiply-accumulate over all of them
        int[] keyed = keyedBabies(babies);
        int[] keyedSteps = new int[keyed.length];
        for (int k = 0; k < keyed.length; k++) {
            keyedSteps[k] = babies[keyed[k]];
        }
        Ciphertext[] rotated = new Ciphertext[babies.length];
        List<Integer> composed = new ArrayList<>();
        for (int bi = 0; bi < babies.length; bi++) {
            if (!isKeyed(babies[bi])) {
                rotated[bi] = rotate(x, babies[bi]);
                composed.add(bi);
            }
        }
        Plaintext[][] cached = cache.get(s.index());
        List<Ciphertext> groups;
        if (p.sumsBeforeModDown(keys)) {
            // diagonals too many to keep are encoded on the fly into the evaluator's reused buffers
            Ciphertext[] hoisted = cached != null
                    ? eval.multiplyRotationsHoisted(x, keyedSteps, giants.length, gi -> keyedWeights(gi, keyed, cached, p), galois)
                    : eval.multiplyRotationsHoisted(x, keyedSteps, giants.length, gi -> keyedDiagonals(gi, keyed, p), op.weightScale(),
                            galois);
            List<Ciphertext> rest = groupSums(s, op, composed.stream().mapToInt(Integer::intValue).toArray(), rotated, cached);
            groups = new ArrayList<>(giants.length);
            for (int gi = 0; gi < giants.length; gi++) {
                groups.add(rest.get(gi) == null ? hoisted[gi] : eval.add(hoisted[gi], rest.get(gi)));
            }
        } else {
            Ciphertext[] hoisted = eval.rotateHoisted(x, keyedSteps, galois);
            for (int k = 0; k < keyed.length; k++) {
                rotated[keyed[k]] = hoisted[k];
            }
            int[] all = new int[babies.length];
            for (int bi = 0; bi < all.length; bi++) {
                all[bi] = bi;
            }
            groups = groupSums(s, op, all, rotated, cached);
        }
        int n1 = p.n1();
        Ciphertext acc;
        if (p.horner()) {
            Map<Integer, Ciphertext> byK = new HashMap<>();
            for (int gi = 0; gi < giants.length; gi++) {
                byK.put(giants[gi], groups.get(gi));
            }
            int kMin = giants[0];
            int kMax = giants[giants.length - 1];
            acc = byK.get(kMax);
            for (int k = kMax - 1; k >= kMin; k--) {
                Ciphertext y = byK.get(k);
                acc = y != null ? addRotated(y, acc, n1) : rotate(acc, n1);
            }
            if (kMin != 0) {
                acc = rotate(acc, kMin * n1);
            }
        } else {
            acc = null;
            for (int gi = 0; gi < giants.length; gi++) {
                Ciphertext g = groups.get(gi);
                int step = giants[gi] * n1;
                acc = acc == null ? (giants[gi] == 0 ? g : rotate(g, step)) : giants[gi] == 0 ? eval.add(acc, g) : addRotated(acc, g, step);
            }
        }
        acc = eval.rescale(acc);
        if (p.foldRotations() > 0) {
            if (p.foldStart() != 0) {
                acc = rotate(acc, p.foldStart() * p.fold());
            }
            for (int c = 1; c < p.foldCount(); c <<= 1) {
                acc = addRotated(acc, acc, c * p.fold());
            }
        }
        if (op.hasBias()) {
            acc = eval.addPlain(acc, encoder.encode(slotVector(op.bias()), acc.level(), acc.scale()));
        }
        return acc;
    }

    /** {@code a + rotate(b, step)}, the last keyed step of a composed rotation fused with the sum. */
    private Ciphertext addRotated(Ciphertext a, Ciphertext b, int step) {
        List<Integer> parts = keys.compose(step);
        for (int i = 0; i < parts.size() - 1; i++) {
            b = eval.rotate(b, parts.get(i), galois);
        }
        return parts.isEmpty() ? eval.add(a, b) : eval.addRotated(a, b, parts.get(parts.size() - 1), galois);
    }

    /** A rotation with its own key, or composed from keyed steps. */
    private Ciphertext rotate(Ciphertext c, int step) {
        for (int s : keys.compose(step)) {
            c = eval.rotate(c, s, galois);
        }
        return c;
    }

    /**
     * Per giant group, {@code Σ_b diagonal(gi, b) · rotated[b]} over the given babies (null for a
     * group without such a diagonal): groups in parallel, each one multiply-accumulate, with cached
     * plaintexts or diagonals encoded on the fly into the evaluator's reused buffers.
     */
    private List<Ciphertext> groupSums(PlanStep s, Operation.DiagonalProduct op, int[] babyIndices, Ciphertext[] rotated,
            Plaintext[][] cached) {
        DiagonalSchedule p = op.schedule();
        if (babyIndices.length == 0) {
            return java.util.Arrays.asList(new Ciphertext[p.giants().length]);
        }
        return workers.map(p.giants().length, gi -> {
            List<Ciphertext> cts = new ArrayList<>();
            List<Plaintext> pts = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            for (int bi : babyIndices) {
                if (p.hasDiagonal(gi, bi)) {
                    cts.add(rotated[bi]);
                    if (cached != null) {
                        pts.add(cached[gi][bi]);
                    } else {
                        values.add(diagonal(p, gi, bi));
                    }
                }
            }
            Ciphertext[] c = cts.toArray(Ciphertext[]::new);
            return c.length == 0 ? null
                    : cached != null ? eval.multiplyAccumulate(c, pts.toArray(Plaintext[]::new))
                    : eval.multiplyAccumulateEncoded(c, values.toArray(double[][]::new), op.weightScale());
        });
    }

    /** Giant group gi's cached plaintexts for the keyed babies (null where there is no diagonal). */
    private static Plaintext[] keyedWeights(int gi, int[] keyed, Plaintext[][] cached, DiagonalSchedule p) {
        Plaintext[] weights = new Plaintext[keyed.length];
        for (int k = 0; k < keyed.length; k++) {
            if (p.hasDiagonal(gi, keyed[k])) {
                weights[k] = cached[gi][keyed[k]];
            }
        }
        return weights;
    }

    /** Giant group gi's diagonals for the keyed babies, as slot values (null where there is none). */
    private double[][] keyedDiagonals(int gi, int[] keyed, DiagonalSchedule p) {
        double[][] values = new double[keyed.length][];
        for (int k = 0; k < keyed.length; k++) {
            if (p.hasDiagonal(gi, keyed[k])) {
                values[k] = diagonal(p, gi, keyed[k]);
            }
        }
        return values;
    }

    /** Diagonal (gi, bi) as slot values, repeated for every image of a packed ciphertext. */
    private double[] diagonal(DiagonalSchedule p, int gi, int bi) {
        return repeated(p.diagonal(gi, bi));
    }

    /**
     * A fresh slot vector of the first image, repeated in place at every stride: slot i's value
     * also goes to slots i + j·stride (cyclically). The planner keeps each image's entries within
     * a window of {@code stride} slots (see DiagonalPlanning), so the copies never overlap, and a
     * copy met again later in the loop only rewrites the values already there.
     */
    private double[] repeated(double[] v) {
        int n = v.length;
        if (imageStride == n) {
            return v;
        }
        for (int i = 0; i < n; i++) {
            if (v[i] != 0) {
                for (int at = i + imageStride; at < i + n; at += imageStride) {
                    v[at & (n - 1)] = v[i];
                }
            }
        }
        return v;
    }

    private boolean isKeyed(int baby) {
        return baby == 0 || keys.has(baby);
    }

    /** Indices of the babies with their own key (or step 0): those that share one hoisted decomposition. */
    private int[] keyedBabies(int[] babies) {
        List<Integer> keyed = new ArrayList<>();
        for (int bi = 0; bi < babies.length; bi++) {
            if (isKeyed(babies[bi])) {
                keyed.add(bi);
            }
        }
        return keyed.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Diagonal (gi, bi) as a plaintext: extended (with residues modulo P) when it weighs a keyed
     * rotation summed over Q·P, as {@link org.ciphernet.ckks.Evaluator#multiplyRotationsHoisted} needs.
     */
    private Plaintext encodeDiagonal(Source src) {
        double[] d = diagonal(src.op.schedule(), src.gi, src.bi);
        int level = src.step.levelIn();
        double scale = src.op.weightScale();
        return src.extended ? encoder.encodeExtended(d, level, scale) : encoder.encode(d, level, scale);
    }

    private double[] slotVector(double[] values) {
        double[] v = new double[context.slots()];
        System.arraycopy(values, 0, v, 0, values.length);
        return repeated(v);
    }
}
