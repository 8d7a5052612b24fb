package org.ciphernet.nn;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.NoiseFlooding;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.Tap;
import org.ciphernet.nn.runtime.BatchedRuntime;
import org.ciphernet.nn.runtime.PlanRuntime;
import org.ciphernet.nn.runtime.SingleImageRuntime;
import org.ciphernet.nn.runtime.StepObserver;
import org.ciphernet.nn.runtime.Workers;

/**
 * The evaluating side: runs an {@link HePlan} on encrypted inputs with the public
 * {@link EvaluationKeys} only. It checks the keys against the plan when built and every input
 * against the plan and the keys, picks the runtime of the plan's mode once (single image: diagonal
 * products with hoisted rotations and pre-encoded weights; batched: weighted sums of ciphertexts),
 * and floods the outputs when the plan asks for circuit privacy. It never compiles: a plan read
 * from a plan file runs as it is. Thread-safe; {@code threads > 1} spreads the work over one pool
 * the server owns ({@link #close()} releases it).
 *
 * <p>Single-image weights are encoded once, when the server is built, if the encoded plaintexts
 * fit {@code plaintextCacheBytes}; otherwise each linear step encodes its diagonals as it runs.
 */
public final class HeServer implements AutoCloseable {
    /** Default memory for pre-encoded weights: 2 GiB. */
    public static final long DEFAULT_PLAINTEXT_CACHE = 2L << 30;

    private final HePlan plan;
    private final CkksContext ctx;
    private final KeyIdentifier keyId;
    private final long planFingerprint;
    private final Workers workers;
    private final PlanRuntime runtime;
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
     * @throws MismatchedTensorException if the keys were made for another plan (naming both fingerprints)
     * @throws IllegalStateException if the plan is batched and its ciphertexts cannot fit the heap
     */
    public HeServer(HePlan plan, EvaluationKeys keys, int threads, long plaintextCacheBytes) {
        this.plan = Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(keys, "keys");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.ctx = plan.context();
        this.planFingerprint = plan.fingerprint();
        if (keys.planFingerprint().isPresent() && keys.planFingerprint().getAsLong() != planFingerprint) {
            throw new MismatchedTensorException("the evaluation keys were made for another plan (plan "
                    + HexFormat.of().toHexDigits(keys.planFingerprint().getAsLong()) + ", this server's is " + plan.fingerprintHex()
                    + "): generate the keys from the same plan file or model the server runs");
        }
        ctx.check(keys.galois().fingerprint(), "the Galois keys");
        GaloisKeys galois = keys.galois();
        RelinearizationKey relin = keys.relinearization().orElse(null);
        this.keyId = keys.keyId();
        ClientSpec spec = plan.clientSpec();
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
        this.workers = new Workers(threads);
        try {
            this.runtime = plan.mode() == Mode.BATCHED
                    ? new BatchedRuntime(ctx, plan.steps(), relin, workers, Runtime.getRuntime().maxMemory())
                    : new SingleImageRuntime(ctx, plan.steps(), plan.keys(), galois, relin, workers, plaintextCacheBytes,
                            plan.mode() == Mode.PACKED ? plan.imageStride() : ctx.slots());
        } catch (RuntimeException | Error e) {
            workers.close();
            throw e;
        }
    }

    /**
     * The distinct plaintexts this server encoded in advance for a single-image or packed plan's
     * diagonals (equal diagonals share one; 0 when they did not fit its plaintext cache and are
     * encoded as each step runs, or for a batched plan).
     */
    public int cachedPlaintexts() {
        return runtime instanceof SingleImageRuntime s ? s.cachedPlaintexts() : 0;
    }

    /** The plan this server runs. */
    public HePlan plan() {
        return plan;
    }

    /** Refuses a batched plan whose ciphertexts cannot fit {@code maxBytes} with {@code threads} threads (see {@link BatchedRuntime#checkMemory}). */
    static void checkMemory(HePlan plan, int threads, long maxBytes) {
        BatchedRuntime.checkMemory(plan.context(), plan.steps(), threads, maxBytes);
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

    /**
     * The output and the per-step report of one inference.
     *
     * @param output the encrypted answer
     * @param report the time (and, with an inspector, the error) of each step
     */
    public record Result(EncryptedTensor output, RunReport report) {
    }

    /** Runs the network and reports each step, checking values with the inspector. */
    public Result inferWithReport(EncryptedTensor input, Inspector inspector) {
        return run(input, Objects.requireNonNull(inspector, "inspector"));
    }

    private Result run(EncryptedTensor input, Inspector inspector) {
        checkInput(input);
        List<RunReport.Row> rows = new ArrayList<>();
        StepObserver observer = inspector == null ? StepObserver.NONE : (step, out, ms) -> {
            OptionalDouble err = step.tap().isEmpty() ? OptionalDouble.empty()
                    : inspect(inspector, step.tap().get(), input.with(out, EncryptedTensor.Kind.ANSWER));
            rows.add(new RunReport.Row(step.label(), step.kind(), ms, out.get(0).level(), Math.log(out.get(0).scale()) / Math.log(2),
                    err));
        };
        long start = System.nanoTime();
        List<Ciphertext> result = runtime.run(input.ciphertexts(), observer);
        double total = (System.nanoTime() - start) / 1e6;
        if (flooding != null) {
            // circuit privacy: a fresh flooded encryption of zero on every output (2 parts, so c2 cannot leak)
            List<Ciphertext> r = result;
            result = workers.map(r.size(), i -> flooding.flood(runtime.twoParts(r.get(i)), floodingLog2Sigma));
        }
        return new Result(input.with(result, EncryptedTensor.Kind.ANSWER), new RunReport(rows, total));
    }

    private static OptionalDouble inspect(Inspector inspector, Tap tap, EncryptedTensor value) {
        return inspector.maxError(tap.layer(), value, tap.slots());
    }

    private void checkInput(EncryptedTensor input) {
        Objects.requireNonNull(input, "input");
        if (input.kind() != EncryptedTensor.Kind.QUERY) {
            throw new MismatchedTensorException("the input is an encrypted " + input.kind().name().toLowerCase(Locale.ROOT)
                    + ", not a query: send the client's encrypted input");
        }
        if (input.planFingerprint() != planFingerprint) {
            throw new MismatchedTensorException("the input was encrypted for another plan (plan " + input.planFingerprintHex()
                    + ", this server's is " + HexFormat.of().toHexDigits(planFingerprint)
                    + "): encrypt with the same plan file (or model and options) the server runs");
        }
        if (!input.keyId().equals(keyId)) {
            throw new MismatchedTensorException("the input is encrypted under another key pair than the evaluation keys (input key id "
                    + input.keyId() + ", evaluation keys " + keyId + ")");
        }
        PlanStep first = plan.steps().get(0);
        int maxImages = plan.imagesPerCiphertext();
        if (input.images() > maxImages) {
            throw new IllegalArgumentException("the input claims " + input.images() + " images but a " + plan.mode() + " plan holds at most "
                    + maxImages);
        }
        int expected = plan.mode() == Mode.BATCHED ? first.size() : 1;
        if (input.ciphertexts().size() != expected) {
            throw new IllegalArgumentException("the plan expects " + expected + " input ciphertext(s), got " + input.ciphertexts().size());
        }
        for (Ciphertext c : input.ciphertexts()) {
            ctx.check(c.fingerprint(), "the input ciphertext");
            if (c.level() != first.levelOut()) {
                throw new CkksException.LevelException("the input must be encrypted at level " + first.levelOut() + ", got " + c.level());
            }
            if (Math.abs(c.scale() - first.scaleOut()) > 1e-9 * first.scaleOut()) {
                throw new CkksException.ScaleMismatchException(String.format("the input must have scale 2^%.2f, got 2^%.2f",
                        Math.log(first.scaleOut()) / Math.log(2), Math.log(c.scale()) / Math.log(2)));
            }
            if (c.size() != 2) {
                throw new IllegalArgumentException("input ciphertexts must have 2 parts");
            }
        }
    }

    /** Stops the server's threads. */
    @Override
    public void close() {
        workers.close();
    }

    @Override
    public String toString() {
        return "HeServer(" + plan.name() + ", " + plan.mode() + ", " + workers.threads() + " thread(s))";
    }
}
