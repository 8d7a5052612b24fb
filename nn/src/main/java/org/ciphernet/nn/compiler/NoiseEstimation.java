package org.ciphernet.nn.compiler;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.Decryptor;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.FloodingDecryptor;
import org.ciphernet.ckks.NoiseFlooding;
import org.ciphernet.nn.ClientSpec;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.FloodingBudget;
import org.ciphernet.nn.FloodingNotAffordableException;
import org.ciphernet.nn.FloodingOptions;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.plan.PlanStep;

/**
 * Sizes the noise flooding of a plan (see {@link FloodingOptions}) from a noise-estimation run, as
 * OpenFHE's {@code EXEC_NOISE_ESTIMATION}: the plan is evaluated under a throwaway key pair (never
 * the user's) on fixed pseudo-random images in the plan's declared input range (uniform values, and
 * images of the range's end points only), and the error of every output
 * ciphertext is read from the imaginary parts of its slots. Every value a network computes is real,
 * so the imaginary parts are pure error, in all slots (used or not); Costache et al., "On the
 * precision loss in approximate homomorphic encryption" (SAC 2023, ePrint 2022/162), support
 * reading the error this way. Assuming the error spreads evenly over real and imaginary parts, the
 * Euclidean norm of its coefficients is {@code Δ·√((4/N)·Σ Im²)} (Parseval for the canonical
 * embedding). The estimate is heuristic: it holds for inputs like the sample ones; the figures are
 * multiplied by {@value #MARGIN} to cover other inputs. Deterministic, so a client and a server that
 * compile the same network get the same figures.
 */
final class NoiseEstimation {
    /** Safety factor on the measured error (2 bits). */
    static final double MARGIN = 4;
    /** Tail bounds are exceeded with probability below 2^-TAIL_BITS per ciphertext. */
    static final int TAIL_BITS = 30;

    private NoiseEstimation() {
    }

    /** The plan with its outputs flooded as a noise-estimation run of it says; throws if it cannot afford the flooding. */
    static HePlan flooded(HePlan plan, CompileOptions options) {
        return plan.withReport(plan.report().withFlooding(budget(plan, options)));
    }

    /** The flooding budget of a plan compiled without it; throws if the plan cannot afford it. */
    static FloodingBudget budget(HePlan plan, CompileOptions options) {
        FloodingOptions fo = options.flooding();
        CkksContext ctx = plan.context();
        int n = ctx.degree();
        int slots = ctx.slots();
        ClientSpec spec = plan.clientSpec();
        if (options.inputRange().isEmpty()) {
            throw new IllegalArgumentException("noise flooding is sized on the inputs the plan accepts: declare their range "
                    + "with CompileOptions.withInputRange(min, max)");
        }
        Measurement m = measure(plan, spec.inputRange());
        double maxNormOverScale = m.maxNormOverScale(); // ‖e‖/Δ
        double maxSlotError = m.maxSlotError();
        PlanStep out = plan.output();
        double log2Scale = log2(out.scaleOut());
        // a zero measured error (impossible in practice) still gets one unit of rounding
        double log2Norm = Math.max(log2(maxNormOverScale * MARGIN) + log2Scale, log2(Math.sqrt(n)));
        double evalError = Math.max(maxSlotError * MARGIN, Math.scalb(1.0, -60));
        // Gaussian tails over N coefficients and over the slots, each below 2^-TAIL_BITS
        double coefTail = Math.sqrt(2 * Math.log(2.0 * n) + 2 * TAIL_BITS * Math.log(2));
        double slotTail = Math.sqrt(2 * Math.log(2.0 * slots) + 2 * TAIL_BITS * Math.log(2));
        // the largest error coefficient, read as that of a Gaussian with the measured norm
        double log2Max = log2Norm - 0.5 * log2(n) + log2(coefTail);
        OptionalDouble server = OptionalDouble.empty();
        double variance = 0;
        if (fo.circuitPrivacyBits() > 0) {
            double s = NoiseFlooding.circuitPrivacySigma(log2Norm, fo.circuitPrivacyBits());
            server = OptionalDouble.of(s);
            variance += Math.pow(2, 2 * s);
            log2Max = log2(Math.pow(2, log2Max) + coefTail * Math.pow(2, s));
        }
        OptionalDouble decryption = OptionalDouble.empty();
        if (fo.decryptionBits() > 0) {
            double s = FloodingDecryptor.sigmaFor(log2Max, fo.decryptionBits(), fo.decryptionQueries());
            decryption = OptionalDouble.of(s);
            variance += Math.pow(2, 2 * s);
        }
        double sigma = Math.sqrt(variance);
        double floodSlotError = slotTail * sigma * Math.sqrt(n / 2.0) / out.scaleOut();
        double evalBits = -log2(evalError);
        double bits = -log2(evalError + floodSlotError);
        // the flooding's tail must fit a quarter of the output modulus (the message has the rest, up to
        // 2^(integerBits−1) in value, which the precision floor keeps the flooded values well inside) and
        // the decoder's reach of 2^51 above the scale
        double log2Q = plan.parameters().log2Modulus(out.levelOut());
        double log2Tail = log2(coefTail * sigma);
        double headroom = sigma == 0 ? log2Q - 2 : Math.min(log2Q - 2 - log2Tail, log2Scale + 51 - log2Tail);
        FloodingBudget budget = new FloodingBudget(fo, log2Norm, log2Max, evalBits, server, decryption, bits, headroom, 0);
        String change = "use a larger scale (CompileOptions.withScaleBits), more integer bits, or lower the statistical "
                + "security";
        double largest = Math.max(server.orElse(0), decryption.orElse(0));
        if (largest > NoiseFlooding.MAX_LOG2_SIGMA || headroom < 0) {
            throw new FloodingNotAffordableException(String.format(Locale.ROOT,
                    "the flooding noise (σ = 2^%.1f, tail 2^%.1f) does not fit a quarter of the output modulus of %.1f bits at "
                            + "level %d (scale 2^%.1f): %s. %s",
                    log2(sigma), log2Tail, log2Q, out.levelOut(), log2Scale, change, budget), bits);
        }
        if (bits < fo.minPrecisionBits()) {
            throw new FloodingNotAffordableException(String.format(Locale.ROOT,
                    "with noise flooding the outputs would keep %.1f bits of precision (%.1f without: the flooding costs %.1f), "
                            + "below the floor of %d bits: %s. %s",
                    bits, evalBits, evalBits - bits, fo.minPrecisionBits(), change, budget), bits);
        }
        return budget;
    }

    /**
     * What a noise-estimation run measured.
     *
     * @param maxNormOverScale the largest Euclidean norm of an output ciphertext's error coefficients, over the scale
     * @param maxSlotError the largest |imaginary part| of any output slot (used or not), in value units
     */
    record Measurement(double maxNormOverScale, double maxSlotError) {
    }

    /**
     * Runs the plan under a throwaway key pair on the sample images of {@code range} (one batch of
     * N/2 in batched mode; a uniform and an end-point image otherwise) and measures the error of its
     * outputs from their imaginary parts. The plan must not flood its outputs (the flooding would be
     * measured with the evaluation's error) and {@code range} must lie within its declared range
     * (the client refuses other values). Deterministic.
     */
    static Measurement measure(HePlan plan, InputRange range) {
        CkksContext ctx = plan.context();
        int n = ctx.degree();
        int slots = ctx.slots();
        ClientSpec spec = plan.clientSpec();
        HeClient client = throwawayClient(plan, (byte) 0xE5);
        Decryptor dec = new Decryptor(ctx, client.secretKey());
        Encoder enc = new Encoder(ctx);
        SplittableRandom rnd = new SplittableRandom(0x5EED);
        double maxNormOverScale = 0;
        double maxSlotError = 0;
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            int runs = plan.mode() == Mode.BATCHED ? 1 : 2;
            for (int run = 0; run < runs; run++) {
                EncryptedTensor in;
                if (plan.mode() == Mode.BATCHED) {
                    double[][] images = new double[slots][];
                    for (int b = 0; b < slots; b++) {
                        images[b] = image(rnd, spec.inputSize(), range, b % 2 == 1);
                    }
                    in = client.encryptBatch(images);
                } else {
                    in = client.encrypt(image(rnd, spec.inputSize(), range, run == 1));
                }
                for (Ciphertext c : server.infer(in).ciphertexts()) {
                    double[] im = enc.decodeComplex(dec.decrypt(c))[1];
                    double sum = 0;
                    for (double x : im) {
                        sum += x * x;
                        maxSlotError = Math.max(maxSlotError, Math.abs(x));
                    }
                    maxNormOverScale = Math.max(maxNormOverScale, Math.sqrt(4.0 * sum / n));
                }
            }
        }
        return new Measurement(maxNormOverScale, maxSlotError);
    }

    /**
     * The largest imaginary part at the output positions of the plan run on the given images (under
     * a throwaway key pair): single image, each of the first two images alone; packed, one
     * ciphertext of up to k images; batched, one batch. Unlike {@link #measure}, slots that hold
     * no output (the folds' partial sums, the unused slots) are not read: their values are not the
     * network's and may be far larger than its outputs.
     */
    static double outputError(HePlan plan, double[][] images) {
        if (images.length == 0) {
            throw new IllegalArgumentException("no sample images to estimate the output error on");
        }
        CkksContext ctx = plan.context();
        ClientSpec spec = plan.clientSpec();
        HeClient client = throwawayClient(plan, (byte) 0xE7);
        Decryptor dec = new Decryptor(ctx, client.secretKey());
        Encoder enc = new Encoder(ctx);
        int[] out = spec.outputSlots();
        double max = 0;
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            switch (plan.mode()) {
                case SINGLE_IMAGE -> {
                    for (int i = 0; i < Math.min(2, images.length); i++) {
                        double[] im = enc.decodeComplex(dec.decrypt(server.infer(client.encrypt(images[i])).ciphertexts().get(0)))[1];
                        for (int o : out) {
                            max = Math.max(max, Math.abs(im[o]));
                        }
                    }
                }
                case PACKED -> {
                    int k = Math.min(images.length, spec.imagesPerCiphertext());
                    double[][] batch = java.util.Arrays.copyOf(images, k);
                    double[] im = enc.decodeComplex(dec.decrypt(server.infer(client.encryptBatch(batch)).ciphertexts().get(0)))[1];
                    for (int b = 0; b < k; b++) {
                        for (int o : out) {
                            max = Math.max(max, Math.abs(im[b * spec.imageStride() + o]));
                        }
                    }
                }
                case BATCHED -> {
                    int k = Math.min(images.length, ctx.slots());
                    List<Ciphertext> cts = server.infer(client.encryptBatch(java.util.Arrays.copyOf(images, k))).ciphertexts();
                    for (int o : out) {
                        double[] im = enc.decodeComplex(dec.decrypt(cts.get(o)))[1];
                        for (int b = 0; b < k; b++) {
                            max = Math.max(max, Math.abs(im[b]));
                        }
                    }
                }
            }
        }
        return max;
    }

    /** A client of a throwaway key pair named by {@code tag}: the estimates never touch the user's keys. */
    private static HeClient throwawayClient(HePlan plan, byte tag) {
        byte[] seed = new byte[32];
        seed[0] = tag;
        return HeClient.reproducible(plan.clientSpec(), plan.context(), seed);
    }

    /** A sample image: uniform values in the range, or (extremes) each value one of its end points. */
    private static double[] image(SplittableRandom rnd, int size, InputRange range, boolean extremes) {
        double[] x = new double[size];
        for (int i = 0; i < size; i++) {
            double u = extremes ? (rnd.nextBoolean() ? 1 : 0) : rnd.nextDouble();
            x[i] = range.min() + u * (range.max() - range.min());
        }
        return x;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
