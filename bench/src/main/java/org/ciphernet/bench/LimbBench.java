package org.ciphernet.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.Galois;
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
 * Element-wise limb arithmetic on 2^logN coefficients: product, add, and multiply-accumulate of
 * {@code terms} products with one reduction per element (the key-switching / linear-layer loop), and
 * four scalar-weighted sums of the same operands (batched dense layers), and the key-switching pair
 * (the same {@code terms} digits times a key's two parts, directly or copied through a Galois permutation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class LimbBench {
    @Param({"16"})
    public int logN;

    @Param({"50"})
    public int bits;

    @Param({"VECTOR"})
    public Backend backend;

    @Param({"8"})
    public int terms;

    private LimbOps ops;
    private long[] a;
    private long[] b;
    private long[] out;
    private long[][] bs;
    private long[][] cs;
    private long[][] acc4;
    private int[][] denseColumns;
    private long[][] denseWeights;
    private long[][] denseOut;
    private SparseRows denseRows;
    private long[][] weights4;
    /** The key's second part, the pair's accumulators, a rotation's NTT permutation and the permuted digits. */
    private long[][] cs1;
    private long[] out0;
    private long[] out1;
    private int[] perm;
    private long[][] moved;

    @Setup
    public void setup() {
        int n = 1 << logN;
        long q = Primes.generate(bits, n, 1, List.of()).get(0);
        ops = LimbOps.of(Modulus.of(q), backend);
        SplittableRandom rnd = new SplittableRandom(2);
        a = random(rnd, n, q);
        b = random(rnd, n, q);
        out = new long[n];
        bs = new long[terms][];
        cs = new long[terms][];
        for (int t = 0; t < terms; t++) {
            bs[t] = random(rnd, n, q);
            cs[t] = random(rnd, n, q);
        }
        acc4 = new long[4][];
        weights4 = new long[4][];
        for (int r = 0; r < 4; r++) {
            acc4[r] = random(rnd, n, q);
            weights4[r] = random(rnd, terms, q);
        }
        denseColumns = new int[DENSE_ROWS][terms];
        denseWeights = new long[DENSE_ROWS][];
        denseOut = new long[DENSE_ROWS][n];
        for (int r = 0; r < DENSE_ROWS; r++) {
            for (int t = 0; t < terms; t++) {
                denseColumns[r][t] = t;
            }
            denseWeights[r] = random(rnd, terms, q);
        }
        denseRows = ops.prepareSparseRows(denseColumns, denseWeights, terms);
        cs1 = new long[terms][];
        moved = new long[terms][n];
        for (int t = 0; t < terms; t++) {
            cs1[t] = random(rnd, n, q);
        }
        out0 = random(rnd, n, q);
        out1 = random(rnd, n, q);
        perm = Galois.nttPermutation(Galois.rotationElement(1, n), n);
    }

    private static long[] random(SplittableRandom rnd, int n, long q) {
        long[] x = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextLong(q);
        }
        return x;
    }

    @Benchmark
    public long[] multiply() {
        ops.multiply(a, b, out);
        return out;
    }

    @Benchmark
    public long[] add() {
        ops.add(a, b, out);
        return out;
    }

    /**
     * Four weighted sums of the same {@code terms} operands with scalar weights (a dense layer's
     * inner loop in batched mode); per multiply-add, divide by {@code 4 · terms · 2^logN}.
     */
    @Benchmark
    public long[][] weightedSums4() {
        ops.multiplyAccumulateScalars4(acc4, bs, weights4);
        return acc4;
    }

    /** Rows of {@link #denseRows}. */
    static final int DENSE_ROWS = 16;

    /**
     * Sixteen weighted sums of the same {@code terms} operands through {@code sparseWeightedSums}
     * with rows prepared once (as {@code WeightedSums.linearTransform} applies them per 1,024-coefficient
     * block); per multiply-add,
     * divide by {@code 16 · terms · 2^logN}.
     */
    @Benchmark
    public long[][] denseRows() {
        ops.sparseWeightedSums(bs, denseRows, denseOut, 0, a.length);
        return denseOut;
    }

    @Benchmark
    public long[] multiplyAccumulate() {
        ops.multiplyAccumulate(out, bs, cs);
        return out;
    }

    /**
     * Key switching of one limb as two calls: {@code out0 += Σ bs∘cs}, {@code out1 += Σ bs∘cs1}
     * (the baseline of {@link #keySwitchPair}); divide by {@code 2 · terms · 2^logN} per multiply-add.
     */
    @Benchmark
    public long[] keySwitchTwoCalls() {
        ops.multiplyAccumulate(out0, bs, cs);
        ops.multiplyAccumulate(out1, bs, cs1);
        return out1;
    }

    /** The same two sums with each digit loaded once ({@code multiplyAccumulatePair}). */
    @Benchmark
    public long[] keySwitchPair() {
        ops.multiplyAccumulatePair(out0, out1, bs, cs, cs1);
        return out1;
    }

    /**
     * Hoisted rotation as before: each digit copied through the rotation's NTT permutation into a
     * temporary, then two multiply-accumulate calls.
     */
    @Benchmark
    public long[] keySwitchCopyTwoCalls() {
        for (int t = 0; t < terms; t++) {
            Galois.applyNtt(bs[t], perm, moved[t]);
        }
        ops.multiplyAccumulate(out0, moved, cs);
        ops.multiplyAccumulate(out1, moved, cs1);
        return out1;
    }

    /** The copy through the permutation followed by the pair (isolates the gather from the pairing). */
    @Benchmark
    public long[] keySwitchCopyPair() {
        for (int t = 0; t < terms; t++) {
            Galois.applyNtt(bs[t], perm, moved[t]);
        }
        ops.multiplyAccumulatePair(out0, out1, moved, cs, cs1);
        return out1;
    }
}
