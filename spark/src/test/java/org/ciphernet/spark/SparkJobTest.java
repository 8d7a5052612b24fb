package org.ciphernet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.harness.Datasets;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.onnx.OnnxImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on the trained CryptoNets and 32 MNIST test digits: separate executor JVMs ({@code local-cluster}) with
 * an injected task failure, answers decrypting to the plaintext network's logits, one per id; bad
 * records, resuming, key shipping and refusals on embedded masters. (The CLI's
 * {@code SparkDatasetTest} runs the whole flow on an embedded {@code local[2]}.)
 */
class SparkJobTest {
    static final int RECORDS = 32;
    static Network net;
    static HePlan plan;
    static HeClient client;
    static double[][] images;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        net = OnnxImporter.read(Path.of("..", "testdata", "models", "cryptonets.onnx"));
        plan = Compiler.compile(net, CompileOptions.singleImage().withInputRange(0, 1));
        client = HeClient.create(plan.clientSpec(), plan.context());
        Files.write(dir.resolve("model.plan"), plan.toBytes());
        Files.write(dir.resolve("evaluation.keys"), client.evaluationKeys().toBytes(client.serialization()));
        images = Datasets.test("mnist", Path.of("..", "testdata")).first(RECORDS).images();
        EncryptedDataset in = EncryptedDataset.create(dir.resolve("in"), true);
        for (int i = 0; i < RECORDS; i++) {
            in.write(EncryptedDataset.idOfImage(i), client.encrypt(images[i]).toBytes(client.serialization()));
        }
    }

    static SparkJob.Options options(String out) {
        return SparkJob.Options.of(dir.resolve("model.plan"), dir.resolve("evaluation.keys"), dir.resolve("in"), dir.resolve(out));
    }

    /** Every answer decrypts to the plaintext logits of its image. */
    static void checkAnswers(Path out) {
        EncryptedDataset answers = EncryptedDataset.open(out);
        List<String> want = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            want.add(EncryptedDataset.idOfImage(i));
        }
        assertEquals(want, answers.ids());
        for (int i = 0; i < RECORDS; i++) {
            double[] got = client.decrypt(EncryptedTensor.fromBytes(answers.read(want.get(i)), client.serialization()));
            double[] ref = ReferenceEvaluator.evaluate(net, images[i]);
            for (int c = 0; c < ref.length; c++) {
                assertEquals(ref[c], got[c], 1e-3 * Math.max(1, Math.abs(ref[c])), "image " + i + " logit " + c);
            }
            assertEquals(argmax(ref), argmax(got), "image " + i + ": the plaintext model's class");
        }
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    @Test
    void separateExecutorJvmsSurviveAnInjectedTaskFailure() {
        int[] progress = new int[2];
        SparkJob.Result r = SparkJob.run(options("out-cluster").withMaster("local-cluster[2,1,1024]")
                .withInjectedFailure(EncryptedDataset.idOfImage(5)), new SparkJob.Listener() {
                    @Override
                    public void started(int partitions, int records, int skipped) {
                        progress[1] = partitions;
                    }

                    @Override
                    public void partitionDone(int done, int total) {
                        progress[0] = done;
                    }
                });
        assertEquals(RECORDS, r.records());
        assertEquals(RECORDS, r.evaluated());
        assertEquals(RECORDS, r.images());
        assertEquals(List.of(), r.failures());
        assertEquals(8, r.partitions(), "four per core");
        assertEquals(1, r.failedAttempts(), "the injected failure happened, and its task was retried");
        assertEquals(progress[1], progress[0], "every partition reported once, the failed attempt not counted");
        assertTrue(!r.setupMillis().isEmpty() && r.setupMillis().keySet().stream().allMatch(k -> k.startsWith("executor ")),
                "the executor JVMs loaded plan and keys: " + r.setupMillis());
        checkAnswers(dir.resolve("out-cluster"));
    }

    @Test
    void aCorruptedRecordIsReportedAndTheOthersAreAnswered() throws IOException {
        Path in = dir.resolve("in-bad");
        EncryptedDataset d = EncryptedDataset.create(in, true);
        byte[] good = client.encrypt(images[0]).toBytes(client.serialization());
        d.write("a", good);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        d.write("b", bad);
        SparkJob.Result r = SparkJob.run(new SparkJob.Options("local[2]", dir.resolve("model.plan"), dir.resolve("evaluation.keys"), in,
                dir.resolve("out-bad"), 0, SparkJob.DEFAULT_BROADCAST_LIMIT, Map.of(), java.util.Optional.empty()),
                SparkJob.Listener.none());
        assertEquals(1, r.images());
        assertEquals(1, r.failures().size());
        assertEquals("b", r.failures().get(0).id());
        assertEquals(List.of("a"), EncryptedDataset.open(dir.resolve("out-bad")).ids());
        // the record repaired, the job run again on the same answers: only it is evaluated
        d.write("b", good);
        SparkJob.Result again = SparkJob.run(new SparkJob.Options("local[2]", dir.resolve("model.plan"), dir.resolve("evaluation.keys"),
                in, dir.resolve("out-bad"), 0, SparkJob.DEFAULT_BROADCAST_LIMIT, Map.of(), java.util.Optional.empty()),
                SparkJob.Listener.none());
        assertEquals(1, again.skipped());
        assertEquals(1, again.evaluated());
        assertEquals(List.of(), again.failures());
        assertEquals(List.of("a", "b"), EncryptedDataset.open(dir.resolve("out-bad")).ids());
    }

    @Test
    void keysTravelAsBroadcastChunksOrAsAFile() throws IOException {
        byte[] keys = new byte[1000];
        new SplittableRandom(3).nextBytes(keys);
        Path file = Files.write(dir.resolve("ship.keys"), keys);
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().setMaster("local[1]").setAppName("shipping")
                .set("spark.ui.enabled", "false");
        try (org.apache.spark.api.java.JavaSparkContext sc = new org.apache.spark.api.java.JavaSparkContext(conf)) {
            KeyShipping chunks = KeyShipping.ship(sc, file, keys, 1000, 64);
            assertTrue(chunks instanceof KeyShipping.Broadcasted b && b.chunks().value().length == 16, "16 chunks of up to 64 bytes");
            KeyShipping shipped = KeyShipping.ship(sc, file, keys, 999, 64);
            assertTrue(shipped instanceof KeyShipping.Shipped, "beyond the limit: a file");
            // read where the tasks read them
            List<byte[]> seen = sc.parallelize(List.of(1, 2), 2).map(x -> x == 1 ? chunks.bytes() : shipped.bytes()).collect();
            for (byte[] b : seen) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(keys, b);
            }
        }
    }

    @Test
    void recordsOfAnotherKeyPairAreRefusedBeforeSparkStarts() {
        Path in = dir.resolve("in-foreign");
        HeClient other = HeClient.create(plan.clientSpec(), plan.context());
        EncryptedDataset.create(in, true).write("x", other.encrypt(images[0]).toBytes(other.serialization()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkJob.run(
                new SparkJob.Options("local[1]", dir.resolve("model.plan"), dir.resolve("evaluation.keys"), in, dir.resolve("out-foreign"),
                        0, 0, Map.of(), java.util.Optional.empty()), SparkJob.Listener.none()));
        assertTrue(e.getMessage().contains("another key pair"), e.getMessage());
    }
}
