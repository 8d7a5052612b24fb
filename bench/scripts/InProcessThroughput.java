import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.spark.EncryptedDataset;

/**
 * The in-process baseline of the Spark job (issue 18): one {@link HeServer} of one thread per
 * evaluation, as each Spark task uses, evaluating the same folder of records with P threads at
 * once, the records read from disk into memory first. Prints the server's start-up (plan + keys)
 * and images per second over two passes (the first warms the JIT up).
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp "cli/target/modules/*" bench/scripts/InProcessThroughput.java \
 *     model.plan owner/evaluation.keys queries 2
 * }</pre>
 */
public class InProcessThroughput {
    public static void main(String[] args) throws Exception {
        HePlan plan = HePlan.fromBytes(Files.readAllBytes(Path.of(args[0])));
        int threads = Integer.parseInt(args[3]);
        long t0 = System.nanoTime();
        Serialization ser = new Serialization(plan.context());
        EvaluationKeys keys = EvaluationKeys.fromBytes(Files.readAllBytes(Path.of(args[1])), ser);
        EncryptedDataset in = EncryptedDataset.open(Path.of(args[2]));
        try (HeServer server = new HeServer(plan, keys, 1, HeServer.DEFAULT_PLAINTEXT_CACHE)) {
            System.out.printf(Locale.ROOT, "start-up (plan + keys + encoded weights): %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            List<EncryptedTensor> queries = new ArrayList<>();
            for (String id : in.ids()) {
                queries.add(EncryptedTensor.fromBytes(in.read(id), ser));
            }
            int images = queries.stream().mapToInt(EncryptedTensor::images).sum();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            for (int pass = 1; pass <= 2; pass++) {
                long s = System.nanoTime();
                List<Future<EncryptedTensor>> answers = new ArrayList<>();
                for (EncryptedTensor q : queries) {
                    answers.add(pool.submit(() -> server.infer(q)));
                }
                for (Future<EncryptedTensor> a : answers) {
                    a.get();
                }
                double sec = (System.nanoTime() - s) / 1e9;
                System.out.printf(Locale.ROOT, "pass %d: %d images with %d threads in %.1f s: %.2f images/s%n", pass, images, threads, sec,
                        images / sec);
            }
            pool.shutdown();
        }
    }
}
