package org.ciphernet.nn.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * One step of a compiled plan: an operation on the outputs of earlier steps, with its levels and
 * scale fixed by the compiler.
 *
 * @param index the step's position in the plan (step 0 is the input)
 * @param label the model layers the step implements, joined with '+' when fused
 * @param inputs the indices of the earlier steps it reads
 * @param size the number of values of its output (elements of the tensor)
 * @param levelIn the level its products happen at: its inputs are dropped to it
 * @param levelOut the level of its output
 * @param scaleOut the scale of its output
 * @param tap the model layer whose output this step's output equals, if any
 * @param operation what it does
 */
public record PlanStep(int index, String label, int[] inputs, int size, int levelIn, int levelOut, double scaleOut,
        Optional<Tap> tap, Operation operation) {
    /** Checks the fields and copies the inputs. */
    public PlanStep {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(tap, "tap");
        Objects.requireNonNull(operation, "operation");
        inputs = inputs.clone();
        int arity = switch (operation) {
            case Operation.Input i -> 0;
            case Operation.Add a -> 2;
            default -> 1;
        };
        if (inputs.length != arity) {
            throw new IllegalArgumentException("step " + index + " (" + operation.kind() + ") has " + inputs.length + " inputs, not "
                    + arity);
        }
        for (int in : inputs) {
            if (in < 0 || in >= index) {
                throw new IllegalArgumentException("step " + index + " reads step " + in + ", which is not an earlier step");
            }
        }
        if (size < 1 || levelIn < 0 || levelOut < 0 || levelOut > levelIn) {
            throw new IllegalArgumentException("step " + index + ": size " + size + ", levels " + levelIn + "→" + levelOut);
        }
        if (!(scaleOut >= 1) || Double.isInfinite(scaleOut)) {
            throw new IllegalArgumentException("step " + index + ": scale must be finite and at least 1, got " + scaleOut);
        }
    }

    @Override
    public int[] inputs() {
        return inputs.clone();
    }

    /** Input {@code i} (0 or 1). */
    public int input(int i) {
        return inputs[i];
    }

    /** The short name of the operation, for reports. */
    public String kind() {
        return operation.kind();
    }

    @Override
    public String toString() {
        return "PlanStep[" + index + " " + operation.kind() + " " + label + ", " + size + " values, levels " + levelIn + "→" + levelOut
                + ", log2 scale " + String.format(java.util.Locale.ROOT, "%.2f", Math.log(scaleOut) / Math.log(2)) + "]";
    }
}
