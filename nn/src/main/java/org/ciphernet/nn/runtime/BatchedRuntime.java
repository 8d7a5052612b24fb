package org.ciphernet.nn.runtime;

import java.util.ArrayList;
import java.util.Arrays;
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
        super(context, checkMemory(context, steps, workers.threads(), maxMemory), relin, workers);
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
                    Ciphertext c = b.negate() ? eval.negate(x.get(i)) : x.get(i);
                    Ciphertext y = bias[i] == 0 ? c : eval.addConstant(c, bias[i]);
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

    /**
     * Rows of a sum of unrescaled squares computed at once: their 3-part terms, at the squares'
     * level, are held until each is relinearized and rescaled, so at most this many exist.
     */
    static final int TERM_ROWS = 256;

    private List<Ciphertext> weightedSum(PlanStep s, Operation.WeightedSum w, List<Ciphertext> in) {
        Rows r = rows.get(s.index());
        Ciphertext[] x = in.toArray(Ciphertext[]::new);
        if (w.unrescaledInputs()) {
            // each row's sum does not depend on the other rows computed with it (same bits in any grouping)
            List<Ciphertext> out = new ArrayList<>(r.columns.length);
            for (int from = 0; from < r.columns.length; from += TERM_ROWS) {
                int to = Math.min(r.columns.length, from + TERM_ROWS);
                Ciphertext[] terms = sums.linearTransform(x, Arrays.copyOfRange(r.columns, from, to),
                        Arrays.copyOfRange(r.weights, from, to), w.weightScale());
                int first = from;
                out.addAll(workers.map(terms.length, k -> {
                    Ciphertext y = eval.rescale(eval.rescale(eval.relinearize(terms[k], relin)));
                    terms[k] = null;
                    return r.bias[first + k] == 0 ? y : eval.addConstant(y, r.bias[first + k]);
                }));
            }
            return out;
        }
        return List.of(sums.linearTransformRescaled(x, r.columns, r.weights, w.weightScale(), r.bias)); // the bias in the same pass
    }

    /**
     * Refuses a batched plan whose ciphertexts cannot fit the heap, instead of failing deep inside
     * with an OutOfMemoryError. Every value is one ciphertext per element, of a size the plan
     * fixes (parts × limbs × N × 8 bytes: 3 parts for squares not yet relinearized and what sums
     * or adds them without relinearizing, at the square's input level for an unrescaled square),
     * so the live set of each step is known: the input tensor (held by the caller) during the whole
     * run, every other value from its step to its last reader, plus what the step itself holds
     * while it runs:
     * <ul>
     * <li>an element-wise step (add, square, add-bias, align) that releases its inputs element by
     * element ({@link PlanRuntime#run}): {@code max(in + t·b, out + t·a)}, with {@code in}/{@code out}
     * the released inputs and the output, {@code a}/{@code b} one element of each and
     * {@code t = min(threads, elements)} elements in flight; otherwise its inputs and output;</li>
     * <li>a sum of unrescaled squares: its input, its output and the 3-part terms of
     * {@link #TERM_ROWS} rows;</li>
     * <li>any other weighted sum: its input, the input dropped to the step's level if it is above
     * it, and the sums at the step's level before their rescale.</li>
     * </ul>
     * The peak over the steps is given a third more for the temporaries of the operations.
     *
     * @param threads the threads that run the element-wise steps
     * @return the steps
     * @throws IllegalStateException naming the step, the memory and {@code -Xmx}
     */
    public static List<PlanStep> checkMemory(CkksContext context, List<PlanStep> steps, int threads, long max) {
        Peak p = peak(context, steps, threads);
        long need = saturatedAdd(p.bytes, p.bytes / 3);
        if (need > max) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "this batched plan holds about %.1f GiB of ciphertexts at step '%s' (%.1f GiB with temporaries) but the JVM "
                            + "may use %.1f GiB: give it more memory (-Xmx) or use single-image mode",
                    p.bytes / 1073741824.0, p.step, need / 1073741824.0, max / 1073741824.0));
        }
        return steps;
    }

    /** The most bytes of ciphertexts a plan holds, before the margin for temporaries, and the step where it does. */
    record Peak(long bytes, String step) {
    }

    /** The peak of {@link #checkMemory}'s model (sums saturate, never wrap). */
    static Peak peak(CkksContext context, List<PlanStep> steps, int threads) {
        int n = steps.size();
        int[] lastUse = new int[n];
        int[] parts = new int[n];
        int[] limbs = new int[n];
        for (PlanStep s : steps) {
            int i = s.index();
            lastUse[i] = i == 0 ? n - 1 : i; // the caller holds the input tensor throughout
            for (int in : s.inputs()) {
                lastUse[in] = Math.max(lastUse[in], i);
            }
            int inParts = s.inputs().length == 0 ? 2 : parts[s.input(0)];
            parts[i] = switch (s.operation()) {
                case Operation.Input in -> 2;
                case Operation.Square q -> q.form() == Operation.Square.Form.UNRESCALED
                        || q.form() == Operation.Square.Form.RESCALE_KEEP_THREE_PARTS ? 3 : 2;
                case Operation.WeightedSum w -> w.unrescaledInputs() ? 2 : inParts;
                case Operation.Add a -> Math.max(inParts, parts[s.input(1)]);
                default -> inParts;
            };
            boolean unrescaled = s.operation() instanceof Operation.Square q && q.form() == Operation.Square.Form.UNRESCALED;
            limbs[i] = (unrescaled ? s.levelIn() : s.levelOut()) + 1;
        }
        long limb = (long) context.degree() * Long.BYTES;
        long[] element = new long[n];
        long[] bytes = new long[n];
        for (int i = 0; i < n; i++) {
            element[i] = (long) parts[i] * limbs[i] * limb;
            bytes[i] = saturatedMultiply(element[i], steps.get(i).size());
        }
        long peak = 0;
        String at = "";
        for (PlanStep s : steps) {
            int i = s.index();
            long before = 0; // the values of earlier steps that this step or a later one reads
            for (int j = 0; j < i; j++) {
                if (lastUse[j] >= i) {
                    before = saturatedAdd(before, bytes[j]);
                }
            }
            long during = switch (s.operation()) {
                case Operation.Input in -> bytes[i];
                case Operation.WeightedSum w when w.unrescaledInputs() -> {
                    long terms = saturatedMultiply(3L * (limbs[s.input(0)]) * limb, Math.min(s.size(), TERM_ROWS));
                    yield saturatedAdd(saturatedAdd(before, bytes[i]), terms);
                }
                case Operation.WeightedSum w -> {
                    int in = s.input(0);
                    long dropped = limbs[in] > s.levelIn() + 1 ? saturatedMultiply((long) parts[in] * (s.levelIn() + 1) * limb,
                            steps.get(in).size()) : 0;
                    long sums = saturatedMultiply((long) parts[i] * (s.levelIn() + 1) * limb, s.size());
                    yield saturatedAdd(saturatedAdd(before, dropped), sums);
                }
                default -> { // element-wise
                    long released = 0;
                    long releasedElement = 0;
                    int[] inputs = s.inputs();
                    for (int k = 0; k < inputs.length; k++) {
                        int in = inputs[k];
                        if (lastUse[in] == i && in != 0 && (k == 0 || in != inputs[0])) {
                            released = saturatedAdd(released, bytes[in]);
                            releasedElement += element[in];
                        }
                    }
                    long t = Math.min(threads, s.size());
                    long streamed = Math.max(saturatedAdd(released, saturatedMultiply(t, element[i])),
                            saturatedAdd(bytes[i], saturatedMultiply(t, releasedElement)));
                    yield before == Long.MAX_VALUE ? before : saturatedAdd(before - released, streamed);
                }
            };
            if (during > peak) {
                peak = during;
                at = s.label();
            }
        }
        return new Peak(peak, at);
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
