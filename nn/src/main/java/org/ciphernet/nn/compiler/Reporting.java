package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.plan.Operation.Square.Form;
import org.ciphernet.nn.plan.RotationKeys;

/**
 * The cost report of a plan: per step its levels, key switches (rotations, counted as composed
 * from the chosen keys, and relinearizations), plaintext products and packing; the parameters;
 * the key sizes.
 */
final class Reporting {
    private Reporting() {
    }

    /** Whether any step squares (and so the plan needs a relinearization key). */
    static boolean relinearizes(List<Step> steps) {
        for (Step s : steps) {
            if (s.node.kind == IrNode.Kind.SQUARE) {
                return true;
            }
        }
        return false;
    }

    /** The report of steps whose forms, schedules and keys are decided. */
    static PlanReport report(String network, List<Integer> inputShape, Mode mode, CkksParameters params, List<Step> steps,
            RotationKeys keys, int depth, int imagesPerCiphertext) {
        boolean batched = mode == Mode.BATCHED;
        boolean composed = !keys.steps().equals(KeySelection.exactSteps(steps));
        List<PlanReport.Row> rows = new ArrayList<>();
        for (Step s : steps) {
            IrNode n = s.node;
            int rots = 0;
            int hoisted = 0;
            int relins = 0;
            int products = 0;
            int modDowns = -1; // -1: one per key switch
            String detail = "";
            switch (n.kind) {
                case INPUT -> detail = n.size + " values" + (batched ? " (one ciphertext each)"
                        : imagesPerCiphertext > 1 ? " per image, " + imagesPerCiphertext + " images in one ciphertext" : " in one ciphertext");
                case SQUARE -> {
                    relins = s.form == Form.UNRESCALED ? 0 : batched ? n.size : 1;
                    detail = !batched ? ""
                            : s.form == Form.UNRESCALED ? n.size + " squares, passed on unrescaled (3 parts) to the weighted sum"
                            : s.form == Form.RELINEARIZE_THEN_RESCALE ? n.size + " squares, relinearized before rescaling"
                            : n.size + " squares, relinearized lazily";
                }
                case ADD -> detail = "";
                case LINEAR -> {
                    if (n.plainAdd) {
                        detail = n.negate ? "negation and bias" : "bias only";
                    } else if (n.align) {
                        products = batched ? n.size : 1;
                        detail = "constant product (level/scale alignment)";
                    } else if (!batched) {
                        rots = s.schedule.rotations();
                        hoisted = s.schedule.hoistedRotations();
                        products = s.schedule.diagonals();
                        modDowns = s.schedule.modDowns();
                        detail = s.schedule + (n.layoutName == null || n.layoutName.equals("flat") ? "" : "; out: " + n.layoutName);
                        if (composed) {
                            // rotations without their own key are composed: count their key switches; only
                            // babies with their own key can share the giant groups' ModDowns
                            rots = 0;
                            for (Map.Entry<Integer, Integer> e : s.schedule.stepUses().entrySet()) {
                                rots += e.getValue() * keys.cost(e.getKey());
                            }
                            modDowns = rots - (s.schedule.sumsBeforeModDown(keys)
                                    ? s.schedule.keyedRotations(keys) - s.schedule.giants().length : 0);
                            detail += " [composed rotations]";
                        }
                    } else {
                        products = n.matrix.nonZeros();
                        detail = n.matrix.rows() + "×" + n.matrix.cols() + ", " + n.matrix.nonZeros() + " weights";
                        if (s.unrescaledInputs) {
                            relins = n.size;
                            detail += "; sums of 3-part squares, relinearized and rescaled twice";
                        }
                    }
                }
            }
            rows.add(new PlanReport.Row(n.label, s.kind(), s.evalLevel, s.levelOut, rots, hoisted, rots + relins,
                    modDowns < 0 ? rots + relins : modDowns + relins, products,
                    Math.log(s.scaleOut) / Math.log(2), detail));
        }
        String desc = String.format("N = 2^%d, %d slots, Q = %s bits, P = %s bits, scale 2^%d, dnum %d, log QP %d, %s",
                params.logN(), params.slots(), params.qBits(), params.pBits(), params.logScale(), params.dnum(), params.logQp(),
                params.security());
        long relinKeyBytes = relinearizes(steps) ? params.switchingKeyBytes(params.maxLevel()) : 0;
        return new PlanReport(network, mode, rows, desc, depth, List.copyOf(keys.steps()), KeySelection.keyBytes(keys, params),
                relinKeyBytes, java.util.Optional.empty(), imagesPerCiphertext, inputShape);
    }

    /**
     * The estimated cost of a plan, to compare layout variants: key switches (and a fiftieth of the
     * plaintext products) weighted by the primes they work on, times the ring degree.
     */
    static double estimatedCost(PlanReport report, int degree) {
        double c = 0;
        for (PlanReport.Row r : report.rows()) {
            c += (r.keySwitches() + 0.02 * r.plaintextProducts()) * (r.levelIn() + 1);
        }
        return c * degree;
    }
}
