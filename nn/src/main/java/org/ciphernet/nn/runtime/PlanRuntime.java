package org.ciphernet.nn.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.Evaluator;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;

/**
 * The step loop both runtimes share: runs a plan's steps in order on tensors of ciphertexts, frees
 * each intermediate tensor after its last reader (element by element when that reader is
 * element-wise, see {@link #run}), and does the operations whose meaning does not
 * depend on the packing (additions, squares in the form the plan says). The linear operations are
 * the subclass's: {@link SingleImageRuntime} or {@link BatchedRuntime}. Thread-safe: a run keeps
 * its values on its own stack.
 */
public abstract sealed class PlanRuntime permits SingleImageRuntime, BatchedRuntime {
    /** The context of the plan's parameters. */
    protected final CkksContext context;
    /** The evaluator: its per-limb work runs on the workers' pool (the only pool a server has). */
    protected final Evaluator eval;
    /** The threads. */
    protected final Workers workers;
    /** The relinearization key, or null when the plan squares nothing. */
    protected final RelinearizationKey relin;
    private final List<PlanStep> steps;
    /** lastUse[i]: the last step that reads step i's output. */
    private final int[] lastUse;

    PlanRuntime(CkksContext context, List<PlanStep> steps, RelinearizationKey relin, Workers workers) {
        this.context = Objects.requireNonNull(context, "context");
        this.steps = List.copyOf(steps);
        this.relin = relin;
        this.workers = Objects.requireNonNull(workers, "workers");
        this.eval = workers.pool() == null ? new Evaluator(context) : new Evaluator(context, workers.pool());
        this.lastUse = new int[steps.size()];
        for (PlanStep s : steps) {
            lastUse[s.index()] = s.index();
            for (int in : s.inputs()) {
                lastUse[in] = Math.max(lastUse[in], s.index());
            }
        }
    }

    /**
     * Runs every step on the input ciphertexts (already checked against the plan) and returns the
     * output step's ciphertexts. Memory: a tensor lives from its step to its last reader, and the
     * element-wise steps (additions, squares, {@link Operation.AddBias}, {@link Operation.Align})
     * that are the last reader of an input stream it: element i of the input is released as soon
     * as element i of the output is computed ({@link StepInput#release}), so such a step holds about
     * the larger of its input and output, not both. The input tensor (step 0, the caller's
     * ciphertexts) is never released.
     */
    public final List<Ciphertext> run(List<Ciphertext> input, StepObserver observer) {
        Ciphertext[][] values = new Ciphertext[steps.size()][];
        for (PlanStep s : steps) {
            runStep(s, values, input, observer);
        }
        return List.of(values[steps.size() - 1]);
    }

    /**
     * One step: its output goes to {@code values[s.index()]}, the inputs it reads last are emptied.
     * A method of its own so that no local variable of the loop keeps an earlier step's elements
     * reachable after they are released.
     */
    private void runStep(PlanStep s, Ciphertext[][] values, List<Ciphertext> input, StepObserver observer) {
        long t0 = System.nanoTime();
        List<Ciphertext> out = switch (s.operation()) {
            case Operation.Input i -> input;
            case Operation.Add a -> {
                // both operands may be the same tensor: each task reads both before releasing either
                StepInput x = operand(s, 0, values);
                StepInput y = operand(s, 1, values);
                yield workers.map(x.size(), i -> {
                    Ciphertext sum = eval.add(x.get(i), y.get(i));
                    x.release(i);
                    y.release(i);
                    return sum;
                });
            }
            case Operation.Square q -> {
                StepInput x = operand(s, 0, values);
                yield workers.map(x.size(), i -> {
                    Ciphertext sq = square(x.get(i), q.form());
                    x.release(i);
                    return sq;
                });
            }
            default -> linear(s, operand(s, 0, values));
        };
        values[s.index()] = out.toArray(Ciphertext[]::new); // the observer's list is never emptied
        observer.finished(s, out, (System.nanoTime() - t0) / 1e6);
        for (int in : s.inputs()) {
            if (lastUse[in] == s.index() && in != 0 && values[in] != null) {
                Arrays.fill(values[in], null); // whatever still refers to the array, its elements are free
                values[in] = null;
            }
        }
    }

    /** Input {@code k} of step {@code s}, releasable when {@code s} is its last reader and it is not the caller's input. */
    private StepInput operand(PlanStep s, int k, Ciphertext[][] values) {
        int in = s.input(k);
        return new StepInput(values[in], lastUse[in] == s.index() && in != 0);
    }

    /**
     * A step's view of one input tensor. An element-wise step reads element i with {@link #get}
     * and, once output element i is computed, calls {@link #release}(i), which forgets element i
     * when this step is the tensor's last reader (and does nothing otherwise). Tasks that map
     * distinct indices may release concurrently: each writes only its own array entry, and the
     * pool's completion orders those writes before the step's end.
     */
    static final class StepInput {
        private final Ciphertext[] values;
        private final boolean lastRead;

        StepInput(Ciphertext[] values, boolean lastRead) {
            this.values = values;
            this.lastRead = lastRead;
        }

        /** The number of elements. */
        int size() {
            return values.length;
        }

        /** Element {@code i}; not to be called after {@link #release}(i). */
        Ciphertext get(int i) {
            Ciphertext c = values[i];
            if (c == null) {
                throw new IllegalStateException("element " + i + " of a step's input was read after its release");
            }
            return c;
        }

        /** Forgets element {@code i} if this step is the tensor's last reader. */
        void release(int i) {
            if (lastRead) {
                values[i] = null;
            }
        }

        /** The whole tensor, for steps that read every element for every output (released after the step). */
        List<Ciphertext> all() {
            return Collections.unmodifiableList(Arrays.asList(values));
        }
    }

    /**
     * A linear step: {@link Operation.AddBias}, {@link Operation.Align} or the mode's product. An
     * element-wise implementation calls {@code x.release(i)} after computing output element i.
     */
    abstract List<Ciphertext> linear(PlanStep s, StepInput x);

    /** The inputs dropped to the step's evaluation level where they are above it. */
    final List<Ciphertext> droppedTo(int level, List<Ciphertext> x) {
        return workers.map(x.size(), i -> x.get(i).level() > level ? eval.dropToLevel(x.get(i), level) : x.get(i));
    }

    /** A square in the plan's form; a 3-part input (a square not yet relinearized) is relinearized first. */
    private Ciphertext square(Ciphertext x, Operation.Square.Form form) {
        if (x.size() == 3) {
            x = eval.relinearize(x, relin);
        }
        return switch (form) {
            case UNRESCALED -> eval.square(x);
            case RELINEARIZE_THEN_RESCALE -> eval.rescale(eval.relinearize(eval.square(x), relin));
            case RESCALE_THEN_RELINEARIZE -> eval.relinearize(eval.rescale(eval.square(x)), relin);
            case RESCALE_KEEP_THREE_PARTS -> eval.rescale(eval.square(x));
        };
    }

    /** Relinearizes a 3-part ciphertext (for the output, before flooding). */
    public final Ciphertext twoParts(Ciphertext c) {
        return c.size() == 3 ? eval.relinearize(c, relin) : c;
    }
}
