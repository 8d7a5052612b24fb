package org.ciphernet.ckks;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs independent per-limb (or per-digit) tasks: in the calling thread when the setting is one
 * thread (the default, so benchmarks compare one core with one core), else on a dedicated
 * fork-join pool of that many threads. Every task writes its own outputs, so results are identical
 * for any thread count.
 */
final class LimbParallelism {
    static final LimbParallelism SEQUENTIAL = new LimbParallelism(1);

    private final int threads;
    private final ForkJoinPool pool;

    LimbParallelism(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

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
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
    }
}
