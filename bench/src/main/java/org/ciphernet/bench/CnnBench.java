package org.ciphernet.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encrypted inference, server side only (keys generated and inputs encrypted in setup):
 * (a) CryptoNets on one MNIST-sized image, one thread; (b) CryptoNets batched over all slots,
 * two threads (images per second = slots / time); (c) the ResNet-20-shaped network, one image,
 * two threads. Random weights; 128-bit-secure parameters chosen by the compiler.
 */
public class CnnBench {
    static double[] image(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble();
        }
        return x;
    }

    /** (a): CryptoNets, single image, one thread. */
    @State(Scope.Benchmark)
    public static class SingleState {
        HeServer server;
        EncryptedTensor input;

        @Setup(Level.Trial)
        public void setup() {
            Network net = ExampleNetworks.cryptoNets(1);
            HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
            System.out.println(plan.report());
            HeClient client = HeClient.create(plan.clientSpec(), plan.context());
            server = new HeServer(plan, client.evaluationKeys());
            input = client.encrypt(image(784, 1));
        }

        @TearDown(Level.Trial)
        public void close() {
            server.close();
        }
    }

    /** (b): CryptoNets, a full batch (one image per slot), two threads. */
    @State(Scope.Benchmark)
    public static class BatchState {
        HeServer server;
        EncryptedTensor input;

        @Setup(Level.Trial)
        public void setup() {
            Network net = ExampleNetworks.cryptoNets(1);
            HePlan plan = Compiler.compile(net, CompileOptions.batched());
            System.out.println(plan.report());
            HeClient client = HeClient.create(plan.clientSpec(), plan.context());
            server = new HeServer(plan, client.evaluationKeys(), 2, 0);
            double[][] images = new double[plan.parameters().slots()][];
            for (int b = 0; b < images.length; b++) {
                images[b] = image(784, b);
            }
            input = client.encryptBatch(images);
            System.out.println("batch of " + images.length + " images");
        }

        @TearDown(Level.Trial)
        public void close() {
            server.close();
        }
    }

    /** (c): the ResNet-20-shaped network, one image, two threads. */
    @State(Scope.Benchmark)
    public static class ResNetState {
        HeServer server;
        EncryptedTensor input;

        @Setup(Level.Trial)
        public void setup() {
            Network net = ExampleNetworks.resNet20Shaped(1);
            HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
            System.out.println(plan.report());
            HeClient client = HeClient.create(plan.clientSpec(), plan.context());
            server = new HeServer(plan, client.evaluationKeys(), 2, 0);
            input = client.encrypt(ExampleNetworks.calibrationImage(net.inputShape(), 1));
        }

        @TearDown(Level.Trial)
        public void close() {
            server.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 8, time = 4)
    @Measurement(iterations = 5, time = 4)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx12g"})
    public EncryptedTensor cryptoNetsSingle(SingleState s) {
        return s.server.infer(s.input);
    }

    /**
     * (a) as a distribution: every inference timed, JMH prints p50, p90, p99 and the maximum (the
     * latency tail a user sees, which the average of {@link #cryptoNetsSingle} hides).
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 8, time = 4)
    @Measurement(iterations = 10, time = 4)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx12g"})
    public EncryptedTensor cryptoNetsSingleLatency(SingleState s) {
        return s.server.infer(s.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 8)
    // A batch allocates several GiB of ciphertexts; a young generation that holds a whole inference,
    // a pre-touched heap and transparent huge pages keep the collector and page faults out of the way.
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms20g", "-Xmx20g",
            "-Xmn16g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
    public EncryptedTensor cryptoNetsBatched(BatchState s) {
        return s.server.infer(s.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx14g"})
    public EncryptedTensor resNet20(ResNetState s) {
        return s.server.infer(s.input);
    }
}
