package org.ciphernet.ckks;

import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs independent per-limb (or per-digit) tasks: in the calling thread when the setting is one
 * thread (the default, so benchmarks compare one core with one core), else on a fork-join pool,
 * either a dedicated one of a given size or one the caller owns. Every task writes its own outputs,
 * so results are identical for any thread count and any pool.
 *
 * <p>Work may be submitted from a worker of the same pool (an evaluator used inside tasks of the
 * pool it was given): the worker then forks the tasks into the pool and helps run them while it
 * waits, so it never blocks a thread the work needs.
 */
final class LimbParallelism {
    static final LimbParallelism SEQUENTIAL = new LimbParallelism(1);

    private final int threads;
    private final ForkJoinPool pool;

    /** {@code threads} threads: the calling thread alone for 1, else a pool of its own. */
    LimbParallelism(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** Work on a pool the caller owns (never shut down here). */
    LimbParallelism(ForkJoinPool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.threads = pool.getParallelism();
    }

    /** The pool's parallelism, or 1 in the calling thread. */
    int threads() {
        return threads;
    }

    /** Runs {@code body(0) … body(count - 1)}, in parallel when configured. */
    void forEach(int count, IntConsumer body) {
        if (pool == null || count < 2) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        Range all = new Range(body, 0, count);
        if (ForkJoinTask.getPool() == pool) {
            all.invoke(); // a worker of this pool: fork here and help, do not wait on a submission
        } else {
            pool.invoke(all);
        }
    }

    /**
     * {@link #forEach}, but every task runs to its end even when others throw; the first exception
     * is then rethrown. For tasks that take pooled buffers: when it returns or throws, no task is
     * still writing into them, so the caller may give them back.
     */
    void forEachToEnd(int count, IntConsumer body) {
        Throwable[] first = new Throwable[1];
        forEach(count, i -> {
            try {
                body.accept(i);
            } catch (RuntimeException | Error e) {
                synchronized (first) {
                    if (first[0] == null) {
                        first[0] = e;
                    }
                }
            }
        });
        if (first[0] instanceof RuntimeException e) {
            throw e;
        }
        if (first[0] instanceof Error e) {
            throw e;
        }
    }

    /** {@code body(from) … body(to - 1)}, split in halves down to single indices. */
    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int from;
        private final int to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }
}
