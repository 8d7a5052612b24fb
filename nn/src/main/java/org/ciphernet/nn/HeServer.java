package org.ciphernet.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.Evaluator;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.NoiseFlooding;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.Plaintext;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.ckks.WeightedSums;
import org.ciphernet.nn.internal.DiagonalPlan;
import org.ciphernet.nn.internal.IrNode;
import org.ciphernet.nn.internal.SparseMatrix;

/**
 * The evaluating side: runs a {@link HePlan} on encrypted inputs with the public
 * {@link EvaluationKeys} only. Thread-safe; {@code threads > 1} spreads the work of key switching
 * and of independent plaintext products (single-image) or output elements (batched) over a pool
 * the server owns ({@link #close()} releases it).
 *
 * <p>Weights are encoded once, when the server is built, if the encoded plaintexts fit
 * {@code plaintextCacheBytes}; otherwise each linear step encodes its diagonals as it runs.
 */
public final class HeServer implements AutoCloseable {
    /** Default memory for pre-encoded weights: 2 GiB. */
    public static final long DEFAULT_PLAINTEXT_CACHE = 2L << 30;

    private final HePlan plan;
    private final CkksContext ctx;
    private final Evaluator eval;
    private final WeightedSums weightedSums;
    /** The per-limb threads of the evaluator and the weighted sums, owned by this server; null with one thread. */
    private final ForkJoinPool limbPool;
    private final Encoder encoder;
    private final GaloisKeys galois;
    private final RelinearizationKey relin;
    private final KeyIdentifier keyId;
    private final long planFingerprint;
    private final int threads;
    private final ExecutorService pool;
    private final Map<Integer, Plaintext[][]> cache = new HashMap<>();
    /** Square steps whose rescale waits for the consuming linear layer (see {@link Compiler#deferredSquares}). */
    private final boolean[] deferredRescale;
    /** Circuit privacy: floods every output ciphertext with this width (log2 σ), else null. */
    private final NoiseFlooding flooding;
    private final double floodingLog2Sigma;

    /** A server with one thread and the default plaintext cache. */
    public HeServer(HePlan plan, EvaluationKeys keys) {
        this(plan, keys, 1, DEFAULT_PLAINTEXT_CACHE);
    }

    /**
     * A server.
     *
     * @throws CkksException.MissingKeyException if a key the plan needs is missing (naming the step)
     * @throws CkksException.ParameterMismatchException if the keys belong to other parameters
     * @throws IllegalStateException if the plan is batched and its ciphertexts cannot fit the heap
     */
    public HeServer(HePlan plan, EvaluationKeys keys, int threads, long plaintextCacheBytes) {
        this.plan = Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(keys, "keys");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.ctx = plan.context();
        ctx.check(keys.galois().fingerprint(), "the Galois keys");
        this.galois = keys.galois();
        this.relin = keys.relinearization().orElse(null);
        this.keyId = keys.keyId();
        ClientSpec spec = plan.clientSpec();
        this.planFingerprint = spec.fingerprint();
        if (spec.relinearization() && relin == null) {
            throw new CkksException.MissingKeyException("the plan squares ciphertexts but no relinearization key was given");
        }
        if (relin != null) {
            ctx.check(relin.fingerprint(), "the relinearization key");
        }
        List<Integer> needed = spec.rotationSteps();
        for (int i = 0; i < needed.size(); i++) {
            int step = needed.get(i);
            int level = spec.rotationLevels().get(i);
            int have = galois.maxLevel(step, ctx.slots());
            if (have < 0) {
                throw new CkksException.MissingKeyException("no rotation key for step " + step + ", which the plan needs; keys exist for "
                        + galois.steps());
            }
            if (have < level) {
                throw new CkksException.MissingKeyException("the rotation key for step " + step + " was made for levels up to " + have
                        + "; the plan rotates by " + step + " at level " + level);
            }
        }
        OptionalDouble floodWidth = plan.report().flooding().map(FloodingBudget::serverLog2Sigma).orElse(OptionalDouble.empty());
        if (floodWidth.isPresent()) {
            org.ciphernet.ckks.PublicKey pk = keys.publicKey().orElseThrow(() -> new CkksException.MissingKeyException(
                    "the plan floods its outputs for circuit privacy but the evaluation keys carry no public key"));
            this.flooding = NoiseFlooding.withPublicKey(ctx, pk); // checks the key's parameters
            this.floodingLog2Sigma = floodWidth.getAsDouble();
        } else {
            this.flooding = null;
            this.floodingLog2Sigma = 0;
        }
        this.threads = threads;
        this.deferredRescale = Compiler.deferredSquares(plan.steps(), plan.mode(), plan.context());
        if (plan.mode() == Mode.BATCHED) {
            checkMemory(plan, deferredRescale, Runtime.getRuntime().maxMemory()); // before any thread is started
        }
        this.limbPool = threads > 1 ? new ForkJoinPool(threads) : null;
        this.eval = limbPool == null ? new Evaluator(ctx) : new Evaluator(ctx, limbPool);
        this.weightedSums = limbPool == null ? new WeightedSums(ctx) : new WeightedSums(ctx, limbPool);
        this.encoder = new Encoder(ctx);
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ciphernet-server");
            t.setDaemon(true);
            return t;
        }) : null;
        if (plan.mode() == Mode.SINGLE_IMAGE && cacheBytes() <= plaintextCacheBytes) {
            for (Step s : plan.steps()) {
                if (s.diagonals != null) {
                    cache.put(s.index, encodeDiagonals(s));
                }
            }
        }
    }

    /** The plan this server runs. */
    public HePlan plan() {
        return plan;
    }

    /** Memory the pre-encoded weights would take. */
    long cacheBytes() {
        long b = 0;
        for (Step s : plan.steps()) {
            if (s.diagonals != null) {
                b += (long) s.diagonals.diagonals() * (s.evalLevel + 1) * ctx.degree() * 8L;
            }
        }
        return b;
    }

    /**
     * Runs the network on an encrypted input and returns the encrypted answer (same plan and key
     * identifier, kind {@link EncryptedTensor.Kind#ANSWER}).
     *
     * @throws MismatchedTensorException if the input is not a query for this plan under the key pair
     *     of the server's evaluation keys
     * @throws IllegalArgumentException if its counts do not fit the plan
     */
    public EncryptedTensor infer(EncryptedTensor input) {
        return run(input, null).output();
    }

    /** The output and the per-step report of one inference. */
    public record Result(EncryptedTensor output, RunReport report) {
    }

    /** Runs the network and reports each step, checking values with the inspector. */
    public Result inferWithReport(EncryptedTensor input, Inspector inspector) {
        return run(input, Objects.requireNonNull(inspector, "inspector"));
    }

    private Result run(EncryptedTensor input, Inspector inspector) {
        checkInput(input);
        List<Step> steps = plan.steps();
        List<Ciphertext>[] values = new List[steps.size()];
        int[] lastUse = new int[steps.size()];
        for (Step s : steps) {
            for (int in : s.inputs) {
                lastUse[in] = s.index;
            }
        }
        List<RunReport.Row> rows = new ArrayList<>();
        long start = System.nanoTime();
        for (Step s : steps) {
            long t0 = System.nanoTime();
            List<Ciphertext> out = switch (s.node.kind) {
                case INPUT -> input.ciphertexts();
                case LINEAR -> linear(s, values[s.inputs[0]]);
                case SQUARE -> map(values[s.inputs[0]], deferredRescale[s.index] ? this::squareUnrescaled : this::square);
                case ADD -> {
                    List<Ciphertext> a = values[s.inputs[0]];
                    List<Ciphertext> b = values[s.inputs[1]];
                    yield parallel(a.size(), i -> eval.add(a.get(i), b.get(i)));
                }
            };
            values[s.index] = out;
            double ms = (System.nanoTime() - t0) / 1e6;
            if (inspector != null) {
                OptionalDouble err = s.node.tap == null || s.node.slots == null ? OptionalDouble.empty()
                        : inspector.maxError(s.node.tap, input.with(out, EncryptedTensor.Kind.ANSWER), s.node.slots);
                rows.add(new RunReport.Row(s.node.label, s.kind(), ms, out.get(0).level(), Math.log(out.get(0).scale()) / Math.log(2), err));
            }
            for (int in : s.inputs) {
                if (lastUse[in] == s.index && in != 0) {
                    values[in] = null; // free intermediate tensors early
                }
            }
        }
        double total = (System.nanoTime() - start) / 1e6;
        List<Ciphertext> result = values[steps.size() - 1];
        if (flooding != null) {
            // circuit privacy: a fresh flooded encryption of zero on every output (2 parts, so c2 cannot leak)
            result = map(result, c -> flooding.flood(c.size() == 3 ? eval.relinearize(c, relin) : c, floodingLog2Sigma));
        }
        EncryptedTensor out = input.with(result, EncryptedTensor.Kind.ANSWER);
        return new Result(out, new RunReport(rows, total));
    }

    /**
     * Refuses a batched run whose ciphertexts cannot fit the heap, instead of failing deep inside
     * with an OutOfMemoryError: every step keeps one ciphertext per value, so the live set is known
     * from the plan (each step's output from its step to its last use; 3 parts for squares whose
     * rescale waits, as the products of a weighted sum are; a third more for temporaries).
     */
    static void checkMemory(HePlan plan, boolean[] deferredRescale, long max) {
        CkksContext ctx = plan.context();
        List<Step> steps = plan.steps();
        long[] bytes = new long[steps.size()];
        int[] lastUse = new int[steps.size()];
        for (Step s : steps) {
            lastUse[s.index] = s.index;
            for (int in : s.inputs) {
                lastUse[in] = Math.max(lastUse[in], s.index);
            }
        }
        long perLimb = (long) ctx.degree() * Long.BYTES;
        for (Step s : steps) {
            boolean threeParts = s.node.kind == IrNode.Kind.SQUARE || deferredRescale[s.inputs.length > 0 ? s.inputs[0] : 0];
            int level = Math.max(s.levelOut, s.evalLevel) + (deferredRescale[s.index] ? 1 : 0);
            bytes[s.index] = (long) s.node.size * (threeParts ? 3 : 2) * (level + 1) * perLimb;
        }
        long peak = 0;
        String at = "";
        for (Step s : steps) {
            long live = 0;
            for (Step t : steps) {
                if (t.index <= s.index && lastUse[t.index] >= s.index) {
                    live += bytes[t.index];
                }
            }
            if (live > peak) {
                peak = live;
                at = s.node.label;
            }
        }
        long need = peak + peak / 3;
        if (need > max) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "this batched plan holds about %.1f GiB of ciphertexts at step '%s' (%.1f GiB with temporaries) but the JVM "
                            + "may use %.1f GiB: give it more memory (-Xmx) or use single-image mode",
                    peak / 1073741824.0, at, need / 1073741824.0, max / 1073741824.0));
        }
    }

    private void checkInput(EncryptedTensor input) {
        Objects.requireNonNull(input, "input");
        if (input.kind() != EncryptedTensor.Kind.QUERY) {
            throw new MismatchedTensorException("the input is an encrypted " + input.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not a query: send the client's encrypted input");
        }
        if (input.planFingerprint() != planFingerprint) {
            throw new MismatchedTensorException("the input was encrypted for another plan (plan " + input.planFingerprintHex()
                    + ", this server's is " + java.util.HexFormat.of().toHexDigits(planFingerprint)
                    + "): compile the same model with the same options on both sides");
        }
        if (!input.keyId().equals(keyId)) {
            throw new MismatchedTensorException("the input is encrypted under another key pair than the evaluation keys (input key id "
                    + input.keyId() + ", evaluation keys " + keyId + ")");
        }
        Step first = plan.steps().get(0);
        int maxImages = plan.mode() == Mode.BATCHED ? ctx.slots() : 1;
        if (input.images() > maxImages) {
            throw new IllegalArgumentException("the input claims " + input.images() + " images but a " + plan.mode() + " plan holds at most "
                    + maxImages);
        }
        int expected = plan.mode() == Mode.BATCHED ? first.node.size : 1;
        if (input.ciphertexts().size() != expected) {
            throw new IllegalArgumentException("the plan expects " + expected + " input ciphertext(s), got " + input.ciphertexts().size());
        }
        for (Ciphertext c : input.ciphertexts()) {
            ctx.check(c.fingerprint(), "the input ciphertext");
            if (c.level() != first.levelOut) {
                throw new CkksException.LevelException("the input must be encrypted at level " + first.levelOut + ", got " + c.level());
            }
            if (Math.abs(c.scale() - first.scaleOut) > 1e-9 * first.scaleOut) {
                throw new CkksException.ScaleMismatchException(String.format("the input must have scale 2^%.2f, got 2^%.2f",
                        Math.log(first.scaleOut) / Math.log(2), Math.log(c.scale()) / Math.log(2)));
            }
            if (c.size() != 2) {
                throw new IllegalArgumentException("input ciphertexts must have 2 parts");
            }
        }
    }

    // ---- steps ------------------------------------------------------------------------------

    private Ciphertext square(Ciphertext x) {
        if (x.size() == 3) {
            x = eval.relinearize(x, relin);
        }
        if (Compiler.relinearizesEagerly(plan.mode(), plan.context())) {
            return eval.rescale(eval.relinearize(eval.square(x), relin));
        }
        Ciphertext sq = eval.rescale(eval.square(x));
        // single-image mode rotates next, so it relinearizes at once; batched mode keeps 3 parts
        // until the next square (linear layers accept them), saving most relinearizations
        return plan.mode() == Mode.SINGLE_IMAGE ? eval.relinearize(sq, relin) : sq;
    }

    /**
     * A square left at its input's level and at the squared scale, with 3 parts: the consuming
     * linear layer sums these, relinearizes its outputs and rescales them twice.
     */
    private Ciphertext squareUnrescaled(Ciphertext x) {
        if (x.size() == 3) {
            x = eval.relinearize(x, relin);
        }
        return eval.square(x);
    }

    private List<Ciphertext> linear(Step s, List<Ciphertext> x) {
        IrNode n = s.node;
        if (n.plainAdd) {
            if (plan.mode() == Mode.SINGLE_IMAGE) {
                Ciphertext c = x.get(0);
                return List.of(eval.addPlain(c, encoder.encode(slotVector(n.bias), c.level(), c.scale())));
            }
            return parallel(n.size, i -> n.bias[i] == 0 ? x.get(i) : eval.addConstant(x.get(i), n.bias[i]));
        }
        if (deferredRescale[s.inputs[0]]) {
            return batchedLinear(s, x, true);
        }
        List<Ciphertext> in = map(x, c -> c.level() > s.evalLevel ? eval.dropToLevel(c, s.evalLevel) : c);
        if (n.align) {
            if (plan.mode() == Mode.SINGLE_IMAGE) {
                Plaintext one = encoder.encodeConstant(1.0, s.evalLevel, s.weightScale);
                return List.of(eval.rescale(eval.multiplyPlain(in.get(0), one)));
            }
            return parallel(n.size, i -> eval.rescale(weightedSums.linearCombination(new Ciphertext[] {in.get(i)}, new double[] {1.0},
                    s.weightScale)));
        }
        if (plan.mode() == Mode.BATCHED) {
            return batchedLinear(s, in, false);
        }
        return List.of(diagonalLinear(s, in.get(0)));
    }

    /** A batched weighted sum; {@code unrescaledSquares} when the inputs are deferred squares. */
    private List<Ciphertext> batchedLinear(Step s, List<Ciphertext> in, boolean unrescaledSquares) {
        SparseMatrix m = s.node.matrix;
        double[] bias = s.node.bias;
        int[][] cols = new int[m.rows()][];
        double[][] w = new double[m.rows()][];
        for (int r = 0; r < m.rows(); r++) {
            int len = m.rowEnd(r) - m.rowStart(r);
            cols[r] = new int[len];
            w[r] = new double[len];
            for (int k = 0; k < len; k++) {
                cols[r][k] = m.colAt(m.rowStart(r) + k);
                w[r][k] = m.valueAt(m.rowStart(r) + k);
            }
        }
        Ciphertext[] x = in.toArray(Ciphertext[]::new);
        if (unrescaledSquares) {
            Ciphertext[] sums = weightedSums.linearTransform(x, cols, w, s.weightScale);
            return parallel(m.rows(), r -> {
                Ciphertext y = eval.rescale(eval.rescale(eval.relinearize(sums[r], relin)));
                return bias[r] == 0 ? y : eval.addConstant(y, bias[r]);
            });
        }
        return List.of(weightedSums.linearTransformRescaled(x, cols, w, s.weightScale, bias)); // the bias in the same pass
    }

    private Ciphertext diagonalLinear(Step s, Ciphertext x) {
        DiagonalPlan p = s.diagonals;
        int[] babies = p.babies();
        int[] giants = p.giants();
        if (giants.length == 0) { // an all-zero matrix: only the bias remains
            Ciphertext zero = eval.rescale(eval.multiplyPlain(x, encoder.encodeConstant(0.0, s.evalLevel, s.weightScale)));
            return s.node.hasBias() ? eval.addPlain(zero, encoder.encode(slotVector(s.node.bias), zero.level(), zero.scale())) : zero;
        }
        Ciphertext[] rotated = rotateBabies(x, babies);
        Plaintext[][] cached = cache.get(s.index);
        List<Ciphertext> groups = parallel(giants.length, gi -> {
            List<Ciphertext> cts = new ArrayList<>();
            List<Plaintext> pts = new ArrayList<>();
            for (int bi = 0; bi < babies.length; bi++) {
                if (p.hasDiagonal(gi, bi)) {
                    cts.add(rotated[bi]);
                    pts.add(cached != null ? cached[gi][bi] : encoder.encode(p.diagonal(gi, bi), s.evalLevel, s.weightScale));
                }
            }
            return eval.multiplyAccumulate(cts.toArray(Ciphertext[]::new), pts.toArray(Plaintext[]::new));
        });
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
                acc = rotate(acc, n1);
                Ciphertext y = byK.get(k);
                if (y != null) {
                    acc = eval.add(acc, y);
                }
            }
            if (kMin != 0) {
                acc = rotate(acc, kMin * n1);
            }
        } else {
            acc = null;
            for (int gi = 0; gi < giants.length; gi++) {
                Ciphertext y = giants[gi] == 0 ? groups.get(gi) : rotate(groups.get(gi), giants[gi] * n1);
                acc = acc == null ? y : eval.add(acc, y);
            }
        }
        acc = eval.rescale(acc);
        if (p.foldRotations() > 0) {
            if (p.foldStart() != 0) {
                acc = rotate(acc, p.foldStart() * p.fold());
            }
            for (int c = 1; c < p.foldCount(); c <<= 1) {
                acc = eval.add(acc, rotate(acc, c * p.fold()));
            }
        }
        if (s.node.hasBias()) {
            acc = eval.addPlain(acc, encoder.encode(slotVector(s.node.bias), acc.level(), acc.scale()));
        }
        return acc;
    }

    /** A rotation with its own key, or composed from keyed steps. */
    private Ciphertext rotate(Ciphertext c, int step) {
        for (int s : plan.keys().compose(step)) {
            c = eval.rotate(c, s, galois);
        }
        return c;
    }

    /** Baby steps: those with keys share one hoisted decomposition; the others are composed. */
    private Ciphertext[] rotateBabies(Ciphertext x, int[] babies) {
        List<Integer> keyed = new ArrayList<>();
        for (int b : babies) {
            if (plan.keys().has(b) || b == 0) {
                keyed.add(b);
            }
        }
        Ciphertext[] hoisted = eval.rotateHoisted(x, keyed.stream().mapToInt(Integer::intValue).toArray(), galois);
        Ciphertext[] out = new Ciphertext[babies.length];
        for (int i = 0, k = 0; i < babies.length; i++) {
            out[i] = keyed.contains(babies[i]) ? hoisted[k++] : rotate(x, babies[i]);
        }
        return out;
    }

    private Plaintext[][] encodeDiagonals(Step s) {
        DiagonalPlan p = s.diagonals;
        int g = p.giants().length;
        int b = p.babies().length;
        Plaintext[][] pts = new Plaintext[g][b];
        List<int[]> jobs = new ArrayList<>();
        for (int gi = 0; gi < g; gi++) {
            for (int bi = 0; bi < b; bi++) {
                if (p.hasDiagonal(gi, bi)) {
                    jobs.add(new int[] {gi, bi});
                }
            }
        }
        List<Plaintext> encoded = parallel(jobs.size(), j -> encoder.encode(p.diagonal(jobs.get(j)[0], jobs.get(j)[1]),
                s.evalLevel, s.weightScale));
        for (int j = 0; j < jobs.size(); j++) {
            pts[jobs.get(j)[0]][jobs.get(j)[1]] = encoded.get(j);
        }
        return pts;
    }

    private double[] slotVector(double[] values) {
        double[] v = new double[ctx.slots()];
        System.arraycopy(values, 0, v, 0, values.length);
        return v;
    }

    // ---- parallel helpers ---------------------------------------------------------------------

    private <T> List<T> parallel(int count, IntFunction<T> task) {
        List<T> out = new ArrayList<>(count);
        if (pool == null || count == 1) {
            for (int i = 0; i < count; i++) {
                out.add(task.apply(i));
            }
            return out;
        }
        List<Future<T>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int k = i;
            futures.add(pool.submit(() -> task.apply(k)));
        }
        try {
            for (Future<T> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    private List<Ciphertext> map(List<Ciphertext> xs, java.util.function.UnaryOperator<Ciphertext> f) {
        return parallel(xs.size(), i -> f.apply(xs.get(i)));
    }

    /** Stops the server's threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (limbPool != null) {
            limbPool.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "HeServer(" + plan.network().name() + ", " + plan.mode() + ", " + threads + " thread(s))";
    }
}
