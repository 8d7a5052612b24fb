package org.ciphernet.nn.compiler;

import java.util.List;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.plan.Operation.Square.Form;

/**
 * Decides, for every square, in which order the runtime relinearizes and rescales it
 * ({@link Form}), and which batched weighted sums read squares left unrescaled.
 *
 * <ul>
 *   <li>Single image: {@link Form#RESCALE_THEN_RELINEARIZE}, since the next linear step rotates.</li>
 *   <li>Batched at scales of at least {@value #LAZY_RELINEARIZATION_MIN_SCALE_BITS} bits:
 *       {@link Form#RESCALE_KEEP_THREE_PARTS}. Weighted sums accept 3-part inputs and the next
 *       square relinearizes, saving most relinearizations. Rescaling a 3-part product rounds its
 *       third part, whose error then meets s² at decryption: about 2^19 in the slots at N = 2^14,
 *       so 11 bits of precision at a scale of 2^30 but 2^-21 at 2^40; hence the threshold.</li>
 *   <li>Batched below that scale: {@link Form#RELINEARIZE_THEN_RESCALE}, unless the square's
 *       rescale can be <i>deferred</i>: when every consumer is a weighted sum at the square's
 *       planned output level and the sums' scale (squared input scale × weight scale) leaves
 *       {@value #DEFERRED_HEADROOM_BITS} bits below the modulus at the square's input level, the
 *       square is {@link Form#UNRESCALED} and its consumers sum the 3-part products one level
 *       higher, relinearizing only their outputs and rescaling them twice (for CryptoNets 100
 *       relinearizations instead of 845, and no rescaled third part). The consumers reach the
 *       planned level and scale.</li>
 * </ul>
 * The output step's square is never deferred (nothing consumes it).
 */
final class RescaleDeferral {
    /** Batched squares keep 3 parts until the next square only at scales of at least this many bits. */
    static final int LAZY_RELINEARIZATION_MIN_SCALE_BITS = 36;

    /** Bits kept free above the scale of deferred sums (as the default 10 integer bits, and a sign). */
    private static final int DEFERRED_HEADROOM_BITS = 11;

    private RescaleDeferral() {
    }

    /** Whether batched squares are relinearized before their rescale (small scales). */
    static boolean relinearizesEagerly(Mode mode, int logScale) {
        return mode == Mode.BATCHED && logScale < LAZY_RELINEARIZATION_MIN_SCALE_BITS;
    }

    /**
     * Sets {@link Step#form} of every square and {@link Step#unrescaledInputs} of the weighted sums
     * that consume deferred squares.
     *
     * @param steps the steps with levels and weight scales assigned
     * @param mode the plan's mode
     * @param params the parameters
     */
    static void decide(List<Step> steps, Mode mode, CkksParameters params) {
        boolean[] defer = deferred(steps, mode, params);
        boolean eager = relinearizesEagerly(mode, params.logScale());
        for (Step s : steps) {
            if (s.node.kind == IrNode.Kind.SQUARE) {
                s.form = mode.rotates() ? Form.RESCALE_THEN_RELINEARIZE
                        : defer[s.index] ? Form.UNRESCALED
                        : eager ? Form.RELINEARIZE_THEN_RESCALE
                        : Form.RESCALE_KEEP_THREE_PARTS;
            } else if (s.isMatrixProduct() && mode == Mode.BATCHED) {
                s.unrescaledInputs = defer[s.inputs[0]];
            }
        }
    }

    /** Which squares defer their rescale to their consumers. */
    private static boolean[] deferred(List<Step> steps, Mode mode, CkksParameters params) {
        boolean[] defer = new boolean[steps.size()];
        if (!relinearizesEagerly(mode, params.logScale())) {
            return defer;
        }
        for (Step s : steps) {
            if (s.node.kind == IrNode.Kind.SQUARE && s.index != steps.size() - 1) {
                defer[s.index] = true;
            }
        }
        for (Step c : steps) {
            for (int in : c.inputs) {
                if (!defer[in]) {
                    continue;
                }
                Step sq = steps.get(in);
                boolean weightedSum = c.isMatrixProduct() && c.node.matrix != null && c.inputs.length == 1
                        && c.evalLevel == sq.levelOut;
                // the sums' scale (squared input scale × weight scale) must leave the output headroom
                // of the plan below the modulus at the square's input level
                double inputScale = steps.get(sq.inputs[0]).scaleOut;
                double log2Q = params.log2Modulus(sq.levelOut + 1);
                boolean fits = weightedSum && 2 * Math.log(inputScale) / Math.log(2) + Math.log(c.weightScale) / Math.log(2)
                        + DEFERRED_HEADROOM_BITS <= log2Q;
                if (!fits) {
                    defer[in] = false;
                }
            }
        }
        return defer;
    }
}
