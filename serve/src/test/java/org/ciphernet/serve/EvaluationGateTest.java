package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Backpressure: a full queue is refused at once, a waiter past its deadline is refused then, places are given back. */
class EvaluationGateTest {
    @Test
    void beyondTheQueueTheAnswerIs503AtOnce() {
        EvaluationGate gate = new EvaluationGate(1, 0);
        try (EvaluationGate.Permit p = gate.enter(Duration.ofSeconds(5))) {
            long t0 = System.nanoTime();
            ApiException e = assertThrows(ApiException.class, () -> gate.enter(Duration.ofSeconds(5)));
            assertEquals(503, e.status());
            assertEquals("overloaded", e.kind());
            assertTrue((System.nanoTime() - t0) / 1e9 < 1, "refused without waiting");
            assertEquals(1, gate.active());
        }
        assertEquals(0, gate.active());
        gate.enter(Duration.ofSeconds(1)).close(); // the place was given back
    }

    @Test
    void aWaiterGetsThePlaceWhenItFreesOrIsRefusedAtItsDeadline() throws Exception {
        EvaluationGate gate = new EvaluationGate(1, 1);
        EvaluationGate.Permit first = gate.enter(Duration.ofSeconds(5));
        ApiException late = assertThrows(ApiException.class, () -> gate.enter(Duration.ofMillis(200)));
        assertEquals("deadline", late.kind());
        assertEquals(0, gate.waiting());
        CountDownLatch waiting = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> second = pool.submit(() -> {
                waiting.countDown();
                try (EvaluationGate.Permit p = gate.enter(Duration.ofSeconds(30))) {
                    return true;
                }
            });
            waiting.await();
            while (gate.waiting() == 0) {
                Thread.sleep(5);
            }
            // the queue (1) is full: a third is refused at once
            assertEquals("overloaded", assertThrows(ApiException.class, () -> gate.enter(Duration.ofSeconds(5))).kind());
            first.close();
            assertTrue(second.get());
        }
        assertEquals(0, gate.active());
        assertEquals(0, gate.waiting());
    }
}
