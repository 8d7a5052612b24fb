package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One pool for everything: an {@link Evaluator} and a {@link WeightedSums} given a 2-thread
 * {@link ForkJoinPool} are called from inside tasks of that same pool, more tasks than threads, so
 * every worker waits on per-limb work while holding a task. That must neither deadlock nor change a
 * bit of the results, and the pool must stay the caller's.
 */
class SharedPoolTest {
    private static final int[] STEPS = {1, 3, 6};

    @Test
    void evaluatorAndWeightedSumsInsideTasksOfTheirOwnPool() throws Exception {
        CkksTestKit k = CkksTestKit.n13();
        GaloisKeys gk = k.keys.galoisKeys(STEPS, false);
        SplittableRandom rnd = new SplittableRandom(14);
        Ciphertext[] in = new Ciphertext[5];
        for (int i = 0; i < in.length; i++) {
            in[i] = k.encrypt(CkksTestKit.random(rnd, 16, 1));
        }
        int[][] cols = {{0, 1, 2}, {}, {4, 3, 0, 1}};
        double[][] ws = {{0.5, -0.25, 1.0}, {}, {0.125, 0.75, -1.0, 0.3}};
        double[] constants = {0.1, 0, -0.2};
        double q = k.ctx.qPrime(k.ctx.maxLevel());
        List<Ciphertext> expected = run(k.eval, k.sums, k.rk, gk, in, 0, cols, ws, q, constants);

        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            Evaluator eval = new Evaluator(k.ctx, pool);
            WeightedSums sums = new WeightedSums(k.ctx, pool);
            assertEquals(2, eval.threads());
            List<ForkJoinTask<List<Ciphertext>>> tasks = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int first = t % in.length;
                tasks.add(pool.submit(() -> {
                    assertSame(pool, ForkJoinTask.getPool(), "runs in a worker of the evaluator's pool");
                    return run(eval, sums, k.rk, gk, in, first, cols, ws, q, constants);
                }));
            }
            for (int t = 0; t < tasks.size(); t++) {
                List<Ciphertext> got = tasks.get(t).get(2, TimeUnit.MINUTES); // a deadlock fails here
                List<Ciphertext> want = t % in.length == 0 ? expected
                        : run(k.eval, k.sums, k.rk, gk, in, t % in.length, cols, ws, q, constants);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < want.size(); i++) {
                    assertSameBits(want.get(i), got.get(i), "task " + t + ", result " + i);
                }
            }
            assertFalse(pool.isShutdown(), "the pool is the caller's");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Rotations, hoisted rotations, relinearize + rescale and weighted sums of {@code in[first]} onward. */
    private static List<Ciphertext> run(Evaluator eval, WeightedSums sums, RelinearizationKey rk, GaloisKeys gk,
            Ciphertext[] in, int first, int[][] cols, double[][] ws, double q, double[] constants) {
        Ciphertext c = in[first];
        List<Ciphertext> out = new ArrayList<>();
        out.add(eval.rotate(c, 3, gk));
        out.addAll(List.of(eval.rotateHoisted(c, STEPS, gk)));
        out.add(eval.rescale(eval.relinearize(eval.multiply(c, in[(first + 1) % in.length]), rk)));
        Ciphertext[] rotated = in.clone();
        rotated[first] = eval.rotate(c, 1, gk);
        out.addAll(List.of(sums.linearTransformRescaled(rotated, cols, ws, q, constants)));
        out.addAll(List.of(sums.linearTransform(rotated, cols, ws, q)));
        out.add(sums.linearCombination(rotated, new double[] {1, -1, 0.5, 2, 0.25}, q));
        return out;
    }

    private static void assertSameBits(Ciphertext a, Ciphertext b, String what) {
        assertEquals(a.size(), b.size(), what);
        assertEquals(a.level(), b.level(), what);
        assertEquals(a.scale(), b.scale(), what);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.part(i), b.part(i), what + ", part " + i);
        }
    }
}
