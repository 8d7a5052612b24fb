package org.ciphernet.nn.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.junit.jupiter.api.Test;

/** {@link BatchedRuntime#checkMemory}'s model on hand-made plans, against figures computed by hand. */
class BatchedMemoryTest {
    private static final CkksContext CONTEXT = Compiler.compile(ExampleNetworks.cryptoNets(1), CompileOptions.batched()).context();
    /** One limb of one part: N words. */
    private static final long L = CONTEXT.degree() * 8L;

    private static PlanStep step(int index, String label, int[] inputs, int levelIn, int levelOut, Operation op) {
        return new PlanStep(index, label, inputs, 100, levelIn, levelOut, 1L << 30, Optional.empty(), op);
    }

    /**
     * input (100 × 2 parts × 4 limbs = 800 L, held throughout) → add-bias (800 L; it does not
     * release the caller's input) → unrescaled square (3 parts at its input's level: 12 L per
     * element, 1200 L; the last reader of the add-bias) → x + x of the square, given a level above
     * it (3 parts × 5 limbs = 15 L per element, 1500 L) so that its output is the larger side: the
     * model reads the sizes from the steps' fields only.
     */
    private static final List<PlanStep> PLAN = List.of(
            step(0, "in", new int[0], 3, 3, new Operation.Input()),
            step(1, "bias", new int[] {0}, 3, 3, new Operation.AddBias(filled(0.5))),
            step(2, "sq", new int[] {1}, 3, 2, new Operation.Square(Operation.Square.Form.UNRESCALED)),
            step(3, "add", new int[] {2, 2}, 4, 4, new Operation.Add()));

    private static double[] filled(double v) {
        double[] a = new double[100];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void aStreamedSquareHoldsTheLargerOfItsInputAndOutputNotBoth() {
        List<PlanStep> toSquare = PLAN.subList(0, 3);
        // input 800 + max(add-bias 800 + 2 squares in flight 2·12, squares 1200 + 2 add-bias elements 2·8)
        BatchedRuntime.Peak p = BatchedRuntime.peak(CONTEXT, toSquare, 2);
        assertEquals(800 * L + 1200 * L + 2 * 8 * L, p.bytes());
        assertEquals("sq", p.step());
        assertTrue(p.bytes() < (800 + 800 + 1200) * L, "below input + square's input + square's output");
        assertEquals(800 * L + 1200 * L + 8 * L, BatchedRuntime.peak(CONTEXT, toSquare, 1).bytes()); // one in flight
    }

    @Test
    void anAdditionOfOneTensorToItselfReleasesItOnce() {
        // input 800 + max(squares 1200 + 2 sums in flight 2·15, sums 1500 + 2 squares in flight 2·12);
        // counting the square twice would give 2000 − 2400 + max(2400 + 30, 1500 + 2·24) = 2030
        BatchedRuntime.Peak p = BatchedRuntime.peak(CONTEXT, PLAN, 2);
        assertEquals(800 * L + 1500 * L + 2 * 12 * L, p.bytes());
        assertEquals("add", p.step());
    }

    @Test
    void theRefusalKeepsAThirdForTemporariesAndNamesTheStep() {
        long peak = BatchedRuntime.peak(CONTEXT, PLAN, 2).bytes();
        BatchedRuntime.checkMemory(CONTEXT, PLAN, 2, peak + peak / 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BatchedRuntime.checkMemory(CONTEXT, PLAN, 2, peak + peak / 3 - 1));
        assertTrue(e.getMessage().contains("GiB of ciphertexts at step 'add'") && e.getMessage().contains("-Xmx"), e.getMessage());
    }
}
