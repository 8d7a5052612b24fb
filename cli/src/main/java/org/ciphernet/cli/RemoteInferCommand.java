package org.ciphernet.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.Mode;
import org.ciphernet.serve.ApiException;
import org.ciphernet.serve.InferenceClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet client infer --server URL}: the data owner's side of {@code ciphernet serve}.
 * Fetches the model's plan, makes keys once (kept in {@code <dir>/<model>-<plan>/}, the secret key
 * owner-only) or restores them, uploads the evaluation keys once per server, encrypts each image,
 * has the service evaluate it, decrypts and prints the prediction and the round trip.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Classifies images through a running 'ciphernet serve': plan fetched from the service, keys made once and",
            "kept in --dir (the secret key never leaves it), evaluation keys uploaded once, each image encrypted, evaluated",
            "remotely and decrypted here. Prints each prediction, the accuracy (with labels) and the round-trip times."})
final class RemoteInferCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "the service's URL, e.g. http://127.0.0.1:8321")
    URI server;

    @Option(names = "--token", description = "bearer token (default: the environment variable CIPHERNET_TOKEN)")
    String token;

    @Option(names = "--model", required = true, description = "the hosted model's name")
    String model;

    @Mixin
    ImageSource source;

    @Option(names = "--count", description = "classify only the first K images (default: all)")
    Integer count;

    @Option(names = "--dir", defaultValue = "owner", description = "the client's key folder (default ${DEFAULT-VALUE})")
    Path dir;

    @Override
    public Integer call() throws IOException {
        String t = token != null ? token : System.getenv("CIPHERNET_TOKEN");
        if (t == null || t.isBlank()) {
            throw new UserError("give --token T (or set CIPHERNET_TOKEN)");
        }
        LabeledImages images = source.load();
        int n = count == null ? images.size() : count;
        if (n < 1 || n > images.size()) {
            throw new UserError("--count " + n + ": the images hold " + images.size());
        }
        InferenceClient client = new InferenceClient(server, t);
        HePlan plan;
        try {
            plan = client.plan(model);
        } catch (ApiException e) {
            throw new UserError(server + ": " + e, e);
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw new UserError(server + ": its certificate is not trusted (" + e.getMessage() + "); for a private CA or a "
                    + "self-signed certificate, run with CIPHERNET_JAVA_OPTS=\"-Djavax.net.ssl.trustStore=F.p12 "
                    + "-Djavax.net.ssl.trustStorePassword=...\"", e);
        } catch (IOException e) {
            throw new UserError(server + ": cannot be reached (" + e.getMessage() + ")", e);
        }
        Path folder = dir.resolve(model + "-" + plan.fingerprintHex());
        HeClient he = keys(plan, folder);
        String keyId = upload(client, he, folder);
        int per = plan.mode() == Mode.BATCHED ? plan.context().slots() : plan.mode() == Mode.PACKED ? plan.imagesPerCiphertext() : 1;
        int queries = (n + per - 1) / per;
        double[] rtt = new double[queries];
        int correct = 0;
        int labelled = 0;
        BarProgress bar = new BarProgress();
        bar.start(model + " via " + server.getHost() + ":" + server.getPort(), queries);
        StringBuilder lines = new StringBuilder();
        for (int q = 0; q < queries; q++) {
            int from = q * per;
            double[][] batch = Arrays.copyOfRange(images.images(), from, Math.min(n, from + per));
            EncryptedTensor query = per == 1 ? he.encrypt(batch[0]) : he.encryptBatch(batch);
            long t0 = System.nanoTime();
            EncryptedTensor answer;
            try {
                answer = client.infer(model, keyId, query, he.serialization());
            } catch (ApiException e) {
                bar.finish();
                throw new UserError("image " + from + ": " + e, e);
            }
            rtt[q] = (System.nanoTime() - t0) / 1e6;
            double[][] logits = per == 1 ? new double[][] {he.decrypt(answer)} : he.decryptBatch(answer);
            for (int b = 0; b < logits.length; b++) {
                int i = from + b;
                int cls = Harness.argmax(logits[b]);
                int label = images.labels()[i];
                if (label >= 0) {
                    labelled++;
                    correct += cls == label ? 1 : 0;
                }
                lines.append(String.format(Locale.ROOT, "image %d: class %d%s, round trip %.0f ms%n", i, cls,
                        label >= 0 ? " (label " + label + ")" : "", rtt[q] / logits.length));
            }
            bar.advance();
        }
        bar.finish();
        System.out.print(lines);
        System.out.printf(Locale.ROOT, "%d images%s; round trip per query: %s%n", n,
                labelled == 0 ? "" : String.format(Locale.ROOT, ", accuracy %.2f %% (%d of %d)", 100.0 * correct / labelled, correct,
                        labelled), Latency.of(rtt));
        return 0;
    }

    /** The keys of this plan in the folder, made the first time (the secret key owner-only). */
    private static HeClient keys(HePlan plan, Path folder) {
        Path secret = folder.resolve(ClientCommand.SECRET);
        if (Files.exists(secret)) {
            CliFiles.warnIfShared(secret, System.err);
            try {
                return HeClient.restore(plan.clientSpec(), plan.context(),
                        new Serialization(plan.context()).readSecretKey(CliFiles.read(secret, "secret key")));
            } catch (CkksException e) {
                throw new UserError("secret key " + secret + ": " + e.getMessage(), e);
            }
        }
        CliFiles.privateFolder(folder, System.err);
        HeClient he = HeClient.create(plan.clientSpec(), plan.context());
        CliFiles.writeSecret(secret, he.serialization().write(he.secretKey()));
        System.err.println("made keys for plan " + plan.fingerprintHex() + " in " + folder + " (the secret key stays there)");
        return he;
    }

    /** Uploads the evaluation keys unless this server has them already (their id is their content hash). */
    private String upload(InferenceClient client, HeClient he, Path folder) throws IOException {
        Path record = folder.resolve("uploaded-" + Integer.toHexString(server.toString().hashCode()));
        try {
            if (Files.exists(record)) {
                String id = Files.readString(record).strip();
                if (client.keys(model).contains(id)) {
                    return id;
                }
            }
            byte[] keys = he.evaluationKeys().toBytes(he.serialization());
            System.err.printf(Locale.ROOT, "uploading evaluation keys (%.1f MiB) ...%n", keys.length / 1048576.0);
            String id = client.uploadKeys(model, keys);
            CliFiles.write(record, id.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "upload record");
            return id;
        } catch (ApiException e) {
            throw new UserError(server + ": " + e, e);
        }
    }
}
