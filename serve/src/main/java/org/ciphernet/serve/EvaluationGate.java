package org.ciphernet.serve;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Backpressure: at most {@code concurrent} evaluations run at once and at most {@code queue} wait;
 * a request beyond them is refused at once (503, overloaded), and one that waits longer than its
 * deadline is refused then (503, deadline), so memory stays bounded by the evaluations admitted
 * and an overloaded service answers instead of piling work up.
 */
final class EvaluationGate {
    private final Semaphore permits;
    private final int queue;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();

    EvaluationGate(int concurrent, int queue) {
        if (concurrent < 1 || queue < 0) {
            throw new IllegalArgumentException("need at least one concurrent evaluation and a queue of 0 or more");
        }
        this.permits = new Semaphore(concurrent, true);
        this.queue = queue;
    }

    /** A place among the running evaluations; closing it frees the place. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a place, at most {@code deadline}. */
    Permit enter(Duration deadline) {
        if (!permits.tryAcquire()) {
            if (waiting.incrementAndGet() > queue) {
                waiting.decrementAndGet();
                throw new ApiException(503, "overloaded", "every evaluation slot is busy and " + queue
                        + " requests are waiting already: retry later");
            }
            try {
                if (!permits.tryAcquire(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new ApiException(503, "deadline", "no evaluation slot became free within the request deadline of "
                            + deadline.toSeconds() + " s: retry later");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "shutting_down", "the service is shutting down");
            } finally {
                waiting.decrementAndGet();
            }
        }
        active.incrementAndGet();
        return new Permit() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    active.decrementAndGet();
                    permits.release();
                }
            }
        };
    }

    /** Requests waiting for a place. */
    int waiting() {
        return waiting.get();
    }

    /** Evaluations running. */
    int active() {
        return active.get();
    }
}
