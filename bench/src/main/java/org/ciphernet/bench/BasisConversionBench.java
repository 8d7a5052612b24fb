package org.ciphernet.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.BasisConverter;
import org.ciphernet.ntt.Primes;
import org.ciphernet.ntt.RnsBasis;
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
 * Fast basis conversion (ModUp) of one polynomial from {@code fromPrimes} 50-bit primes to
 * {@code toPrimes} 50-bit primes at N = 2^logN, and divide-and-round by the last prime (rescale
 * in coefficient form) over the source basis.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class BasisConversionBench {
    @Param({"14"})
    public int logN;

    @Param({"8"})
    public int fromPrimes;

    @Param({"2"})
    public int toPrimes;

    @Param({"VECTOR"})
    public Backend backend;

    private BasisConverter converter;
    private RnsBasis from;
    private long[][] x;
    private long[][] out;

    @Setup
    public void setup() {
        int n = 1 << logN;
        List<Long> all = Primes.generate(50, n, fromPrimes + toPrimes, List.of());
        from = RnsBasis.ofValues(all.subList(0, fromPrimes));
        RnsBasis to = RnsBasis.ofValues(all.subList(fromPrimes, all.size()));
        converter = new BasisConverter(from, to, backend);
        SplittableRandom rnd = new SplittableRandom(3);
        x = new long[fromPrimes][n];
        for (int i = 0; i < fromPrimes; i++) {
            long q = all.get(i);
            for (int j = 0; j < n; j++) {
                x[i][j] = rnd.nextLong(q);
            }
        }
        out = new long[toPrimes][n];
    }

    @Benchmark
    public long[][] convert() {
        converter.convertInto(x, out);
        return out;
    }

    @Benchmark
    public long[][] divideRoundByLast() {
        return from.divideRoundByLast(x);
    }
}
