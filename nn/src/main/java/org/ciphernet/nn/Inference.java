package org.ciphernet.nn;

import java.util.Objects;
import org.ciphernet.nn.model.Network;

/**
 * Encrypted inference with both parties in one process, for demos, experiments, the harness and
 * tests: a client with fresh keys (or the one given) and a server that holds only the evaluation
 * keys run a plan on images and give back the decrypted outputs and the server's time. The server
 * side alone is {@link HeServer} (a service or a Spark executor builds one from a plan file and the
 * client's evaluation keys); the client side alone is {@link HeClient}.
 *
 * <pre>{@code
 * HePlan plan = HePlan.read(Path.of("cryptonets.plan"));   // or Compiler.compile(network, options)
 * try (Inference inference = Inference.start(plan, 2)) {
 *     double[] logits = inference.single(image).outputs()[0];
 * }
 * }</pre>
 */
public final class Inference implements AutoCloseable {
    private final HePlan plan;
    private final HeClient client;
    private final HeServer server;

    private final double serverSetupMillis;

    private Inference(HePlan plan, HeClient client, int threads, long plaintextCacheBytes) {
        this.plan = plan;
        this.client = client;
        long start = System.nanoTime();
        this.server = new HeServer(plan, client.evaluationKeys(), threads, plaintextCacheBytes);
        this.serverSetupMillis = (System.nanoTime() - start) / 1e6;
    }

    /**
     * How long the server took to start: taking the evaluation keys and encoding the plan's
     * weights (single-image diagonals, once each when they fit the plaintext cache).
     */
    public double serverSetupMillis() {
        return serverSetupMillis;
    }

    /**
     * A client with fresh keys from {@code SecureRandom} and a server with {@code threads} threads
     * and the default plaintext cache.
     */
    public static Inference start(HePlan plan, int threads) {
        Objects.requireNonNull(plan, "plan");
        return new Inference(plan, HeClient.create(plan.clientSpec(), plan.context()), threads, HeServer.DEFAULT_PLAINTEXT_CACHE);
    }

    /**
     * The given client (for example {@link HeClient#reproducible} in tests) and a server.
     *
     * @param plaintextCacheBytes memory for pre-encoded single-image weights (see {@link HeServer})
     */
    public static Inference start(HePlan plan, HeClient client, int threads, long plaintextCacheBytes) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(client, "client");
        if (client.spec().fingerprint() != plan.fingerprint()) {
            throw new MismatchedTensorException("the client follows another plan (" + client.spec().fingerprintHex() + ", not "
                    + plan.fingerprintHex() + ")");
        }
        return new Inference(plan, client, threads, plaintextCacheBytes);
    }

    /**
     * What one inference gave.
     *
     * @param outputs the decrypted outputs, one row per image
     * @param serverMillis the server's time (the encrypted evaluation only)
     * @param report the server's per-step report (with errors when an inspector was given)
     */
    public record Result(double[][] outputs, double serverMillis, RunReport report) {
    }

    /** The plan. */
    public HePlan plan() {
        return plan;
    }

    /** The client (it holds the secret key). */
    public HeClient client() {
        return client;
    }

    /** The server (it holds the evaluation keys only). */
    public HeServer server() {
        return server;
    }

    /** Encrypts one image, evaluates it on the server and decrypts the outputs (single-image plans). */
    public Result single(double[] image) {
        return single(image, Inspector.none());
    }

    /** {@link #single(double[])}, checking each step with the inspector (which then takes part in the time). */
    public Result single(double[] image, Inspector inspector) {
        EncryptedTensor in = client.encrypt(image);
        long t0 = System.nanoTime();
        HeServer.Result r = server.inferWithReport(in, inspector);
        double ms = (System.nanoTime() - t0) / 1e6;
        return new Result(new double[][] {client.decrypt(r.output())}, ms, r.report());
    }

    /**
     * Encrypts several images, evaluates and decrypts them: batched plans, up to a ciphertext's
     * slots of images, one per slot; packed plans, up to {@link HePlan#imagesPerCiphertext()}.
     */
    public Result batch(double[][] images) {
        return batch(images, Inspector.none());
    }

    /** {@link #batch(double[][])}, checking each step with the inspector. */
    public Result batch(double[][] images, Inspector inspector) {
        EncryptedTensor in = client.encryptBatch(images);
        long t0 = System.nanoTime();
        HeServer.Result r = server.inferWithReport(in, inspector);
        double ms = (System.nanoTime() - t0) / 1e6;
        return new Result(client.decryptBatch(r.output()), ms, r.report());
    }

    /** An inspector that compares every step of a single-image run with the plaintext network on the same image. */
    public Inspector inspector(Network network, double[] image) {
        return Inspector.against(client, network, image);
    }

    /** An inspector that compares every step of a batched or packed run with the plaintext network on every image. */
    public Inspector inspector(Network network, double[][] images) {
        return plan.mode() == Mode.PACKED ? Inspector.againstPacked(client, network, images)
                : Inspector.againstBatch(client, network, images);
    }

    /** Stops the server's threads. */
    @Override
    public void close() {
        server.close();
    }
}
