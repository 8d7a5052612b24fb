import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.onnx.OnnxImporter;
import org.ciphernet.serve.InferenceClient;
import org.ciphernet.serve.InferenceService;
import org.ciphernet.serve.ServeConfig;
import org.ciphernet.serve.Tenants;

/**
 * The load test of issue 19, loopback only and bounded in time: CryptoNets (single-image or
 * batched) served by {@link InferenceService} with one evaluation per core, C clients sending
 * pre-encrypted queries back to back for S seconds; then the same clients calling an in-process
 * {@link HeServer} behind the same number of evaluation slots. Prints throughput, p50/p99 latency
 * (client side, encryption and decryption excluded), errors, and the service's overhead; then the
 * same with one client (the latency target: transport and serialization add at most 10 % to p50).
 *
 * <pre>{@code
 * ./ciphernet selfcheck >/dev/null    # builds cli/target/modules
 * java -Xmx16g --add-modules jdk.incubator.vector -cp "cli/target/modules/*" bench/scripts/LoadTest.java single 60 8
 * }</pre>
 */
public class LoadTest {
    interface Call {
        void run(byte[] query) throws Exception;
    }

    record Run(int requests, int errors, double seconds, double[] millis) {
        String describe() {
            double[] s = millis.clone();
            Arrays.sort(s);
            return String.format(Locale.ROOT, "%d requests in %.0f s (%.2f/s), p50 %.0f ms, p99 %.0f ms, errors %d", requests, seconds,
                    requests / seconds, pct(s, 50), pct(s, 99), errors);
        }

        double p50() {
            double[] s = millis.clone();
            Arrays.sort(s);
            return pct(s, 50);
        }
    }

    static double pct(double[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(1, (int) Math.ceil(p / 100.0 * sorted.length)) - 1];
    }

    /** C clients, each sending queries back to back until the time is up. */
    static Run load(int clients, double seconds, List<byte[]> queries, Call call) throws Exception {
        ConcurrentLinkedQueue<Double> times = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> {
                    for (int i = client; System.nanoTime() < end; i += clients) {
                        long s = System.nanoTime();
                        try {
                            call.run(queries.get(i % queries.size()));
                            times.add((System.nanoTime() - s) / 1e6);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            System.err.println("error: " + e);
                        }
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Run(times.size(), errors.get(), elapsed, times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static void main(String[] args) throws Exception {
        boolean batched = args[0].equals("batched");
        double seconds = Double.parseDouble(args[1]);
        int clients = Integer.parseInt(args[2]);
        int cores = Runtime.getRuntime().availableProcessors();
        HePlan plan = Compiler.compile(OnnxImporter.read(Path.of("testdata/models/cryptonets.onnx")),
                (batched ? CompileOptions.batched() : CompileOptions.singleImage()).withInputRange(0, 1));
        HeClient he = HeClient.create(plan.clientSpec(), plan.context());
        byte[] keys = he.evaluationKeys().toBytes(he.serialization());
        LabeledImages test = Datasets.test("mnist", Path.of("testdata"));
        List<byte[]> queries = new ArrayList<>();
        int per = batched ? plan.context().slots() : 1;
        for (int q = 0; q < (batched ? 2 : 32); q++) {
            double[][] images = new double[per][];
            for (int i = 0; i < per; i++) {
                images[i] = test.images()[(q * per + i) % test.size()];
            }
            queries.add((batched ? he.encryptBatch(images) : he.encrypt(images[0])).toBytes(he.serialization()));
        }
        System.out.printf(Locale.ROOT, "cryptonets %s: %s; query %.1f MiB, keys %.1f MiB; %d cores, %d clients, %.0f s per run%n",
                plan.mode(), plan.parameters(), queries.get(0).length / 1048576.0, keys.length / 1048576.0, cores, clients, seconds);

        Path data = Files.createTempDirectory("loadtest");
        String token = "load-test-token-0123456789";
        InferenceService service = InferenceService.start(ServeConfig.builder(data, Tenants.parse(List.of(token + " load"), "load test"))
                .port(0).model("cryptonets", plan).evaluations(cores, 8 * clients).deadline(Duration.ofMinutes(10)).build());
        InferenceClient client = new InferenceClient(URI.create("http://127.0.0.1:" + service.port()), token);
        String keyId = client.uploadKeys("cryptonets", keys);
        Call http = q -> client.infer("cryptonets", keyId, q);
        load(clients, Math.min(10, seconds / 4), queries, http); // warm-up (JIT, loaded keys)
        Run served = load(clients, seconds, queries, http);
        Run servedOne = load(1, seconds / 2, queries, http);
        service.close();

        org.ciphernet.ckks.Serialization ser = he.serialization();
        try (HeServer server = new HeServer(plan, org.ciphernet.nn.EvaluationKeys.fromBytes(keys, ser), 1, HeServer.DEFAULT_PLAINTEXT_CACHE)) {
            Semaphore slots = new Semaphore(cores, true);
            // in process: the same slots, the query parsed and the answer serialized as the service does
            Call local = q -> {
                slots.acquire();
                try {
                    server.infer(EncryptedTensor.fromBytes(q, ser)).toBytes(ser);
                } finally {
                    slots.release();
                }
            };
            load(clients, Math.min(10, seconds / 4), queries, local);
            Run inProcess = load(clients, seconds, queries, local);
            Run inProcessOne = load(1, seconds / 2, queries, local);
            System.out.println("service,    " + clients + " clients: " + served.describe());
            System.out.println("in process, " + clients + " clients: " + inProcess.describe());
            System.out.println("service,    1 client:  " + servedOne.describe());
            System.out.println("in process, 1 client:  " + inProcessOne.describe());
            System.out.printf(Locale.ROOT, "service overhead on p50: %+.1f %% (%d clients), %+.1f %% (1 client); throughput %.1f %% of in-process%n",
                    100 * (served.p50() / inProcess.p50() - 1), clients, 100 * (servedOne.p50() / inProcessOne.p50() - 1),
                    100.0 * (served.requests() / served.seconds()) / (inProcess.requests() / inProcess.seconds()));
        }
    }
}
