package org.ciphernet.nn.runtime;

import java.util.List;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.nn.plan.PlanStep;

/** Told about each step a runtime finishes (for per-step reports and checks of intermediate values). */
@FunctionalInterface
public interface StepObserver {
    /** Nothing. */
    StepObserver NONE = (step, output, millis) -> {
    };

    /**
     * A step finished.
     *
     * @param step the step
     * @param output its output ciphertexts
     * @param millis its wall time
     */
    void finished(PlanStep step, List<Ciphertext> output, double millis);
}
