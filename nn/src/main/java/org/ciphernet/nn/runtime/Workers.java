package org.ciphernet.nn.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The one owner of a server's threads: a fork-join pool of {@code threads} workers (none for one
 * thread), used both for independent pieces of a step (output ciphertexts, giant-step groups, by
 * {@link #map}) and, through the evaluator, for the per-limb work inside each operation, which a
 * worker joins by helping, so the nesting cannot deadlock. Results never depend on the
 * thread count: every task writes its own outputs.
 */
public final class Workers implements AutoCloseable {
    private final int threads;
    private final ForkJoinPool pool;

    /** Workers for {@code threads} threads (the calling thread alone for 1). */
    public Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** The number of threads. */
    public int threads() {
        return threads;
    }

    /** The pool, or null when everything runs in the calling thread. */
    ForkJoinPool pool() {
        return pool;
    }

    /**
     * {@code task(0) … task(count − 1)}, in parallel when there are threads, results in order. Call
     * it from outside the pool (the runtimes do: from the thread of an inference); the per-limb work
     * inside each task may use the pool, and joins it by helping. A task's exception is rethrown as
     * it was thrown, not as a copy.
     */
    public <T> List<T> map(int count, IntFunction<T> task) {
        List<T> out = new ArrayList<>(count);
        if (pool == null || count == 1) {
            for (int i = 0; i < count; i++) {
                out.add(task.apply(i));
            }
            return out;
        }
        List<Future<Outcome<T>>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int k = i;
            futures.add(pool.submit(() -> {
                try {
                    return new Outcome<>(task.apply(k), null);
                } catch (RuntimeException | Error e) {
                    return new Outcome<T>(null, e); // the pool would rethrow a copy of it
                }
            }));
        }
        try {
            for (Future<Outcome<T>> f : futures) {
                Outcome<T> o = f.get();
                if (o.failure instanceof RuntimeException re) {
                    throw re;
                }
                if (o.failure instanceof Error err) {
                    throw err;
                }
                out.add(o.value);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    /** A task's value or the exception it threw. */
    private record Outcome<T>(T value, Throwable failure) {
    }

    /** Stops the threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
