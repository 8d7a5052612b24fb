package org.ciphernet.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.LimbOps;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Primes;
import org.ciphernet.ntt.SparseRows;

/**
 * The layer of {@link ClusteredSumsBench} (100 rows × 845 terms, applied 1,024 coefficients per
 * call), grouped and term by term, interleaved in one JVM and alternating which goes first; prints
 * the fastest of {@code reps} runs of each. On a shared, noisy VM the minimum of interleaved runs
 * compares two forms more reliably than separate JMH forks.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.ciphernet.bench.ClusteredSumsCompare BACKEND logN bits reps K...} (K = 0: all weights distinct).
 */
public final class ClusteredSumsCompare {
    private ClusteredSumsCompare() {
    }

    /** Runs the comparison; see the class comment for the arguments. */
    public static void main(String[] args) {
        Backend backend = Backend.valueOf(args[0]);
        int n = 1 << Integer.parseInt(args[1]);
        long q = Primes.generate(Integer.parseInt(args[2]), n, 1, List.of()).get(0);
        int reps = Integer.parseInt(args[3]);
        int rows = 100;
        int terms = 845;
        LimbOps ops = LimbOps.of(Modulus.of(q), backend);
        SplittableRandom rnd = new SplittableRandom(17);
        long[][] in = new long[terms][];
        for (int t = 0; t < terms; t++) {
            in[t] = rnd.longs(n, 0, q).toArray();
        }
        long[][] out = new long[rows][n];
        for (int a = 4; a < args.length; a++) {
            int distinct = Integer.parseInt(args[a]);
            int[][] columns = new int[rows][terms];
            long[][] weights = new long[rows][terms];
            for (int r = 0; r < rows; r++) {
                long[] pool = rnd.longs(distinct == 0 ? terms : distinct, 0, q).toArray();
                for (int t = 0; t < terms; t++) {
                    columns[r][t] = t;
                    weights[r][t] = distinct == 0 ? pool[t] : pool[rnd.nextInt(pool.length)];
                }
            }
            SparseRows grouped = ops.prepareSparseRows(columns, weights, terms, true);
            SparseRows plain = ops.prepareSparseRows(columns, weights, terms, false);
            double bestGrouped = Double.MAX_VALUE;
            double bestPlain = Double.MAX_VALUE;
            for (int rep = 0; rep < reps; rep++) {
                boolean groupedFirst = rep % 2 == 0;
                double first = time(ops, in, groupedFirst ? grouped : plain, out);
                double second = time(ops, in, groupedFirst ? plain : grouped, out);
                bestGrouped = Math.min(bestGrouped, groupedFirst ? first : second);
                bestPlain = Math.min(bestPlain, groupedFirst ? second : first);
            }
            System.out.printf("%s N=%d q=%d K=%s: grouped %.1f ms, term by term %.1f ms (fastest of %d)%n", backend, n, q,
                    distinct == 0 ? "all" : Integer.toString(distinct), bestGrouped, bestPlain, reps);
        }
    }

    private static double time(LimbOps ops, long[][] in, SparseRows rows, long[][] out) {
        long t0 = System.nanoTime();
        for (int from = 0; from < in[0].length; from += 1024) {
            ops.sparseWeightedSums(in, rows, out, from, from + 1024);
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
