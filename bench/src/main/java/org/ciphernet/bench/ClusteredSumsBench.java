package org.ciphernet.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.LimbOps;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Primes;
import org.ciphernet.ntt.SparseRows;
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
 * A batched dense layer with clustered weights (issue 17) on one limb: {@code rows} rows of
 * {@code terms} terms over 2^logN coefficients, applied block by block as
 * {@code WeightedSums.linearTransform} does (1,024 coefficients per call), each row's weights drawn
 * from {@code distinct} values (0: every weight random, all distinct in practice). {@code grouped}
 * false forces the term-by-term form, for comparison; the two give the same bits. With
 * {@code grouped} true the backend decides (the vector one groups nothing unless the fork runs with
 * {@code -Dciphernet.vector.groupMinTermsPerWeight=n}, e.g. {@code -jvmArgsAppend} on the JMH command
 * line).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ClusteredSumsBench {
    /** Coefficients per call, as in {@code WeightedSums}. */
    private static final int BLOCK = 1024;

    @Param({"14"})
    public int logN;

    @Param({"30"})
    public int bits;

    @Param({"VECTOR"})
    public Backend backend;

    @Param({"100"})
    public int rows;

    @Param({"845"})
    public int terms;

    @Param({"8", "16", "64", "0"})
    public int distinct;

    @Param({"true", "false"})
    public boolean grouped;

    private LimbOps ops;
    private long[][] in;
    private long[][] out;
    private SparseRows prepared;

    @Setup
    public void setup() {
        int n = 1 << logN;
        long q = Primes.generate(bits, n, 1, List.of()).get(0);
        ops = LimbOps.of(Modulus.of(q), backend);
        SplittableRandom rnd = new SplittableRandom(17);
        in = new long[terms][];
        for (int t = 0; t < terms; t++) {
            in[t] = rnd.longs(n, 0, q).toArray();
        }
        int[][] columns = new int[rows][terms];
        long[][] weights = new long[rows][terms];
        for (int r = 0; r < rows; r++) {
            long[] pool = rnd.longs(distinct == 0 ? terms : distinct, 0, q).toArray();
            for (int t = 0; t < terms; t++) {
                columns[r][t] = t;
                weights[r][t] = distinct == 0 ? pool[t] : pool[rnd.nextInt(pool.length)];
            }
        }
        out = new long[rows][n];
        prepared = ops.prepareSparseRows(columns, weights, terms, grouped);
    }

    /** The whole layer on one limb: {@code rows · terms · 2^logN} multiply-adds term by term. */
    @Benchmark
    public long[][] denseLayer() {
        for (int from = 0; from < in[0].length; from += BLOCK) {
            ops.sparseWeightedSums(in, prepared, out, from, from + BLOCK);
        }
        return out;
    }
}
