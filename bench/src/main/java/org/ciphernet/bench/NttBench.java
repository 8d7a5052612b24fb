package org.ciphernet.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Ntt;
import org.ciphernet.ntt.Primes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward and inverse negacyclic NTT on one prime. {@code bits} is the prime size: 50 is the
 * largest the double/FMA vector path takes (CKKS first and special primes), 40 a typical scaling
 * prime; {@code backend} compares the vector path with the exact scalar one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class NttBench {
    @Param({"12", "13", "14", "15", "16"})
    public int logN;

    @Param({"50"})
    public int bits;

    @Param({"VECTOR"})
    public Backend backend;

    private Ntt ntt;
    private long[] data;

    @Setup
    public void setup() {
        int n = 1 << logN;
        long q = Primes.generate(bits, n, 1, List.of()).get(0);
        ntt = Ntt.of(n, Modulus.of(q), backend);
        SplittableRandom rnd = new SplittableRandom(1);
        data = new long[n];
        for (int i = 0; i < n; i++) {
            data[i] = rnd.nextLong(q);
        }
    }

    @Benchmark
    public long[] forward() {
        ntt.forward(data);
        return data;
    }

    @Benchmark
    public long[] inverse() {
        ntt.inverse(data);
        return data;
    }
}
