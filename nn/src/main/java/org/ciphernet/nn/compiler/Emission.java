package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;
import org.ciphernet.nn.plan.Tap;

/**
 * Emission: the compiler's steps become the immutable program of an {@link HePlan}. Each IR
 * operation maps to one {@link Operation}: the input; an addition; a linear node that only adds
 * its bias ({@link Operation.AddBias}); an alignment ({@link Operation.Align}); a square with its
 * form; and a linear map, as a {@link Operation.DiagonalProduct} (single image, packed) or the rows of a
 * {@link Operation.WeightedSum} (batched). Nothing of the compiler's working data leaves here.
 */
final class Emission {
    private Emission() {
    }

    /**
     * The plan.
     *
     * @param network the network's name
     * @param mode single-image, packed or batched
     * @param params the parameters
     * @param range the input range clients accept
     * @param imageSize the values of one image (the input step's size, whatever the client's gather)
     * @param gather the client's input gather
     * @param steps the steps, with every pass done
     * @param keys the rotation keys
     * @param report the cost report
     * @param imageStride the slots between the images of a packed ciphertext (ignored in other modes)
     */
    static HePlan emit(String network, Mode mode, CkksParameters params, InputRange range, int imageSize, int[] gather,
            List<Step> steps, RotationKeys keys, PlanReport report, int imageStride) {
        List<PlanStep> program = new ArrayList<>(steps.size());
        for (Step s : steps) {
            IrNode n = s.node;
            int size = n.kind == IrNode.Kind.INPUT ? imageSize : n.size;
            Optional<Tap> tap = n.tap == null ? Optional.empty()
                    : Optional.of(new Tap(n.tap, n.slots, n.layoutName == null ? "flat" : n.layoutName));
            program.add(new PlanStep(s.index, n.label, s.inputs, size, s.evalLevel, s.levelOut, s.scaleOut, tap, operation(s, mode)));
        }
        return new HePlan(network, mode, params, range, gather, program, keys, Reporting.relinearizes(steps), report,
                mode == Mode.PACKED ? imageStride : 0);
    }

    private static Operation operation(Step s, Mode mode) {
        IrNode n = s.node;
        return switch (n.kind) {
            case INPUT -> new Operation.Input();
            case ADD -> new Operation.Add();
            case SQUARE -> new Operation.Square(s.form);
            case LINEAR -> {
                if (n.plainAdd) {
                    yield new Operation.AddBias(n.bias, n.negate);
                }
                if (n.align) {
                    yield new Operation.Align(s.weightScale);
                }
                if (mode.rotates()) {
                    yield new Operation.DiagonalProduct(s.schedule, s.weightScale, n.bias);
                }
                yield weightedSum(s);
            }
        };
    }

    private static Operation.WeightedSum weightedSum(Step s) {
        SparseMatrix m = s.node.matrix;
        int[][] cols = new int[m.rows()][];
        double[][] w = new double[m.rows()][];
        for (int r = 0; r < m.rows(); r++) {
            int len = m.rowEnd(r) - m.rowStart(r);
            cols[r] = new int[len];
            w[r] = new double[len];
            for (int k = 0; k < len; k++) {
                cols[r][k] = m.colAt(m.rowStart(r) + k);
                w[r][k] = m.valueAt(m.rowStart(r) + k);
            }
        }
        return new Operation.WeightedSum(cols, w, s.weightScale, s.node.bias, s.unrescaledInputs);
    }
}
