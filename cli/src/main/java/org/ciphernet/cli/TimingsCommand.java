package org.ciphernet.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.Inspector;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet timings}: compiles one of the benchmark networks (random weights), generates
 * keys, and times encrypted inferences on the server side, printing the plan, the per-step times
 * of the last run and, with {@code --check}, the error of every step against the plaintext
 * reference. The JMH {@code CnnBench} gives the recorded numbers; this is the quick look.
 */
@Command(name = "timings", mixinStandardHelpOptions = true,
        description = {"Times encrypted inference of a benchmark network (random weights, 128-bit parameters):",
            "  cryptonets          CryptoNets MNIST network, one image",
            "  cryptonets-batched  the same, one image per slot",
            "  resnet20            ResNet-20-shaped network for 32x32x3 inputs, one image (needs ~14 GiB of heap)"})
final class TimingsCommand implements Callable<Integer> {
    enum Net { cryptonets, cryptonets_batched, resnet20 }

    @Option(names = "--network", defaultValue = "cryptonets",
            description = "cryptonets, cryptonets-batched or resnet20 (default ${DEFAULT-VALUE})",
            converter = NetConverter.class)
    Net network;

    @Option(names = "--threads", defaultValue = "0", description = "server threads (default: 1 for cryptonets, else 2)")
    int threads;

    @Option(names = "--runs", defaultValue = "3",
            description = "timed inferences after one warm-up run; p50, p90, p99 and max are printed (default ${DEFAULT-VALUE})")
    int runs;

    /** Up to this many runs, each run's time is printed too. */
    static final int MAX_RUNS_LISTED = 20;

    @Option(names = "--cache-mib", defaultValue = "2048",
            description = "memory for pre-encoded weights, MiB; beyond it weights are encoded as they are used (default ${DEFAULT-VALUE})")
    long cacheMib;

    @Option(names = "--max-key-mib", defaultValue = "8192",
            description = "budget for Galois keys, MiB; above it rotations are composed from fewer keys (default ${DEFAULT-VALUE})")
    long maxKeyMib;

    @Option(names = "--check", description = "compare every step of the warm-up run with the plaintext reference (decrypts; slower)")
    boolean check;

    static final class NetConverter implements picocli.CommandLine.ITypeConverter<Net> {
        @Override
        public Net convert(String value) {
            return Net.valueOf(value.replace('-', '_'));
        }
    }

    @Override
    public Integer call() {
        if (runs < 1) {
            throw new UserError("--runs must be at least 1, got " + runs);
        }
        PrintStream out = System.out;
        boolean batched = network == Net.cryptonets_batched;
        Network net = network == Net.resnet20 ? ExampleNetworks.resNet20Shaped(1) : ExampleNetworks.cryptoNets(1);
        int t = threads > 0 ? threads : network == Net.cryptonets ? 1 : 2;
        long t0 = System.nanoTime();
        HePlan plan = Compiler.compile(net, (batched ? CompileOptions.batched() : CompileOptions.singleImage()).withMaxKeyBytes(maxKeyMib << 20));
        out.printf("compiled in %.1f s%n%s%n", seconds(t0), plan.report());
        t0 = System.nanoTime();
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        EvaluationKeys keys = client.evaluationKeys();
        out.printf("keys generated in %.1f s (%.0f MiB)%n", seconds(t0), keys.sizeInBytes() / 1048576.0);
        int inputSize = net.inputShape().size();
        int images = batched ? plan.parameters().slots() : 1;
        double[][] x = new double[images][];
        // the first image is the one the random weights were calibrated on (other images can overflow a deep x² network)
        x[0] = ExampleNetworks.calibrationImage(net.inputShape(), 1);
        for (int b = 1; b < images; b++) {
            x[b] = image(inputSize, b + 1);
        }
        t0 = System.nanoTime();
        EncryptedTensor input = batched ? client.encryptBatch(x) : client.encrypt(x[0]);
        out.printf("%d image(s) encrypted in %.1f s%n", images, seconds(t0));
        int failures = 0;
        try (HeServer server = new HeServer(plan, keys, t, cacheMib << 20)) {
            Inspector inspector = !check ? Inspector.none()
                    : batched ? Inspector.againstBatch(client, net, Arrays.copyOf(x, Math.min(images, 16))) : Inspector.against(client, net, x[0]);
            HeServer.Result warm = server.inferWithReport(input, inspector);
            out.printf("warm-up run: %.1f ms%n", warm.report().totalMillis());
            if (check) {
                out.println(warm.report());
                double worst = 0;
                double[][] got = batched ? client.decryptBatch(warm.output()) : new double[][] {client.decrypt(warm.output())};
                for (int b = 0; b < Math.min(images, 16); b++) {
                    double[] ref = ReferenceEvaluator.evaluate(net, x[b]);
                    for (int i = 0; i < ref.length; i++) {
                        worst = Math.max(worst, Math.abs(ref[i] - got[b][i]));
                    }
                }
                out.printf("largest output error against the plaintext reference: %.3g (2^%.1f)%n", worst, Math.log(worst) / Math.log(2));
                failures += worst > 0x1p-8 ? 1 : 0;
            }
            double[] ms = new double[runs];
            HeServer.Result last = null;
            for (int r = 0; r < runs; r++) {
                last = server.inferWithReport(input, Inspector.none());
                ms[r] = last.report().totalMillis();
                if (runs <= MAX_RUNS_LISTED) {
                    out.printf("run %d: %.1f ms%n", r + 1, ms[r]);
                }
            }
            if (last != null) {
                out.println(last.report());
                Latency latency = Latency.of(ms);
                out.printf("%s, %d thread(s): median %.1f ms per inference%s%n", net.name(), t, latency.p50(),
                        batched ? String.format(" (%d images: %.0f images/s)", images, images / (latency.p50() / 1000)) : "");
                out.println("latency over " + latency);
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double[] image(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
        }
        return v;
    }
}
