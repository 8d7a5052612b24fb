package org.ciphernet.nn.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.ckks.WeightedSums;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;

/**
 * Runs a batched plan: one image per slot, one ciphertext per tensor element. Linear steps are
 * weighted sums of ciphertexts with no rotation at all; sums of unrescaled squares
 * ({@link Operation.Square.Form#UNRESCALED}) are relinearized and rescaled twice. A plan whose
 * ciphertexts cannot fit the heap is refused when the runtime is built ({@link #checkMemory}).
 */
public final class BatchedRuntime extends PlanRuntime {
    /** The rows of each weighted-sum step, read from the plan once. */
    private final Map<Integer, Rows> rows = new HashMap<>();
    /** The weighted-sum kernel, on the workers' pool. */
    private final WeightedSums sums;

    private record Rows(int[][] columns, double[][] weights, double[] bias) {
    }

    /**
     * A runtime.
     *
     * @throws IllegalStateException if the plan's ciphertexts cannot fit {@code maxMemory} bytes
     */
    public BatchedRuntime(CkksContext context, List<PlanStep> steps, RelinearizationKey relin, Workers workers, long maxMemory) {
        super(context, checkMemory(context, steps, maxMemory), relin, workers);
        this.sums = workers.pool() == null ? new WeightedSums(context) : new WeightedSums(context, workers.pool());
        for (PlanStep s : steps) {
            if (s.operation() instanceof Operation.WeightedSum w) {
                rows.put(s.index(), new Rows(w.columns(), w.weights(), w.bias()));
            }
        }
    }

    @Override
    List<Ciphertext> linear(PlanStep s, StepInput x) {
        return switch (s.operation()) {
            case Operation.AddBias b -> {
                double[] bias = b.bias();
                yield workers.map(s.size(), i -> {
                    Ciphertext y = bias[i] == 0 ? x.get(i) : eval.addConstant(x.get(i), bias[i]);
                    x.release(i);
                    return y;
                });
            }
            case Operation.Align a -> workers.map(s.size(), i -> {
                Ciphertext in = x.get(i);
                if (in.level() > s.levelIn()) {
                    in = eval.dropToLevel(in, s.levelIn());
                }
                Ciphertext y = eval.rescale(sums.linearCombination(new Ciphertext[] {in}, new double[] {1.0}, a.weightScale()));
                x.release(i);
                return y;
            });
            case Operation.WeightedSum w -> weightedSum(s, w, w.unrescaledInputs() ? x.all() : droppedTo(s.levelIn(), x.all()));
            default -> throw new IllegalStateException("a batched plan cannot run a " + s.kind() + " step like " + s.operation());
        };
    }

    private List<Ciphertext> weightedSum(PlanStep s, Operation.WeightedSum w, List<Ciphertext> in) {
        Rows r = rows.get(s.index());
        Ciphertext[] x = in.toArray(Ciphertext[]::new);
        if (w.unrescaledInputs()) {
            Ciphertext[] terms = sums.linearTransform(x, r.columns, r.weights, w.weightScale());
            return workers.map(terms.length, k -> {
                Ciphertext y = eval.rescale(eval.rescale(eval.relinearize(terms[k], relin)));
                return r.bias[k] == 0 ? y : eval.addConstant(y, r.bias[k]);
            });
        }
        return List.of(sums.linearTransformRescaled(x, r.columns, r.weights, w.weightScale(), r.bias)); // the bias in the same pass
    }

    /**
     * Refuses a batched plan whose ciphertexts cannot fit the heap, instead of failing deep inside
     * with an OutOfMemoryError: every step keeps one ciphertext per value, so the live set is known
     * from the plan (each step's output from its step to its last use; 3 parts for squares and for
     * the sums of unrescaled squares; a third more for temporaries).
     *
     * @return the steps
     * @throws IllegalStateException naming the step, the memory and {@code -Xmx}
     */
    public static List<PlanStep> checkMemory(CkksContext context, List<PlanStep> steps, long max) {
        long[] bytes = new long[steps.size()];
        int[] lastUse = new int[steps.size()];
        boolean[] unrescaled = new boolean[steps.size()];
        for (PlanStep s : steps) {
            lastUse[s.index()] = s.index();
            for (int in : s.inputs()) {
                lastUse[in] = Math.max(lastUse[in], s.index());
            }
            unrescaled[s.index()] = s.operation() instanceof Operation.Square q && q.form() == Operation.Square.Form.UNRESCALED;
        }
        long perLimb = (long) context.degree() * Long.BYTES;
        for (PlanStep s : steps) {
            boolean threeParts = s.operation() instanceof Operation.Square || unrescaled[s.inputs().length > 0 ? s.input(0) : 0];
            int level = Math.max(s.levelOut(), s.levelIn()) + (unrescaled[s.index()] ? 1 : 0);
            bytes[s.index()] = saturatedMultiply(saturatedMultiply((long) s.size() * (threeParts ? 3 : 2), level + 1), perLimb);
        }
        // one sweep: a step's output is live from its step to its last use (sums saturate, never wrap)
        long[] freed = new long[steps.size() + 1];
        long live = 0;
        long peak = 0;
        String at = "";
        for (PlanStep s : steps) {
            live = saturatedAdd(live, bytes[s.index()]) - freed[s.index()];
            freed[lastUse[s.index()] + 1] = saturatedAdd(freed[lastUse[s.index()] + 1], bytes[s.index()]);
            if (live > peak) {
                peak = live;
                at = s.label();
            }
        }
        long need = saturatedAdd(peak, peak / 3);
        if (need > max) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "this batched plan holds about %.1f GiB of ciphertexts at step '%s' (%.1f GiB with temporaries) but the JVM "
                            + "may use %.1f GiB: give it more memory (-Xmx) or use single-image mode",
                    peak / 1073741824.0, at, need / 1073741824.0, max / 1073741824.0));
        }
        return steps;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }
}
