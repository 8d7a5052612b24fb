package org.ciphernet.nn.runtime;

import java.util.List;
import java.util.Objects;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.Evaluator;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;

/**
 * The step loop both runtimes share: runs a plan's steps in order on lists of ciphertexts, frees
 * each intermediate tensor after its last reader, and does the operations whose meaning does not
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
     * output step's ciphertexts.
     */
    public final List<Ciphertext> run(List<Ciphertext> input, StepObserver observer) {
        @SuppressWarnings("unchecked")
        List<Ciphertext>[] values = new List[steps.size()];
        for (PlanStep s : steps) {
            long t0 = System.nanoTime();
            List<Ciphertext> x = s.inputs().length == 0 ? null : values[s.input(0)];
            List<Ciphertext> out = switch (s.operation()) {
                case Operation.Input i -> input;
                case Operation.Add a -> {
                    List<Ciphertext> b = values[s.input(1)];
                    yield workers.map(x.size(), i -> eval.add(x.get(i), b.get(i)));
                }
                case Operation.Square q -> workers.map(x.size(), i -> square(x.get(i), q.form()));
                default -> linear(s, x);
            };
            values[s.index()] = out;
            observer.finished(s, out, (System.nanoTime() - t0) / 1e6);
            for (int in : s.inputs()) {
                if (lastUse[in] == s.index() && in != 0) {
                    values[in] = null; // free intermediate tensors early
                }
            }
        }
        return values[steps.size() - 1];
    }

    /** A linear step: {@link Operation.AddBias}, {@link Operation.Align} or the mode's product. */
    abstract List<Ciphertext> linear(PlanStep s, List<Ciphertext> x);

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
