package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.plan.RotationKeys;

/**
 * Compiles a {@link Network} into an {@link HePlan}, as a list of passes (one file each):
 * <ol>
 *   <li>{@link LayoutChoice}: the layout variants to compare (client-side patches for a first
 *       convolution, multiplexed strided layers); each is compiled by the passes below;</li>
 *   <li>{@link Lowering}: layers become sparse linear maps, squares and additions, in slot
 *       coordinates of each tensor's {@link Layout} (for an ensemble, every member is lowered and
 *       {@link EnsembleMerging} places them side by side);</li>
 *   <li>{@link Fusion}: runs of linear maps fuse into one (one level each run), with
 *       {@link ScaleHoisting} moving element-wise scalings nothing absorbs back through squares
 *       and additions (so skips cost no level);</li>
 *   <li>{@link Scheduler}: the depth of every node, with alignments where additions meet;</li>
 *   <li>{@link ParameterChooser}: secure parameters just deep and wide enough, or why none are;</li>
 *   <li>{@link ScaleAssignment}: levels, scales and weight scales from the primes;</li>
 *   <li>{@link RescaleDeferral}: in which order each square relinearizes and rescales;</li>
 *   <li>{@link DiagonalPlanning}: the diagonal schedule of every single-image linear map;</li>
 *   <li>{@link KeySelection}: the rotation keys, within the key budget;</li>
 *   <li>{@link Reporting}: the cost report, whose estimate compares the variants;</li>
 *   <li>{@link Emission}: the cheapest variant becomes the plan;</li>
 *   <li>{@link NoiseEstimation}: if the options ask for noise flooding, its budget from a run of
 *       the plan.</li>
 * </ol>
 * Deterministic: the same network and options always give the same plan.
 */
public final class Compiler {
    /** Scale reconciliation gives up after this many attempts (each aligns one more addition). */
    private static final int MAX_ATTEMPTS = 64;

    private Compiler() {
    }

    /**
     * Compiles a network.
     *
     * @throws org.ciphernet.nn.NoSecureParametersException if no secure parameters hold the network
     *     in any layout
     * @throws org.ciphernet.nn.FloodingNotAffordableException if the options ask for noise flooding
     *     the plan cannot afford
     * @throws org.ciphernet.nn.model.UnsupportedLayerException if a layer has no encrypted form
     * @throws org.ciphernet.ckks.CkksException.InsecureParametersException if the options give
     *     parameters below the security they ask for
     * @throws IllegalArgumentException if the options do not fit the network (too few slots in the
     *     given parameters, an input range beyond the integer bits)
     */
    public static HePlan compile(Network network, CompileOptions options) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(options, "options");
        InputRange range = inputRange(options);
        if (!network.members().isEmpty() && options.mode() == Mode.PACKED) {
            throw new IllegalArgumentException("ensemble " + network.name() + " fills the free slots with its members itself: "
                    + "compile it in single-image mode (or batched), not packed");
        }
        LayoutChoice.Choice choice = new LayoutChoice.Choice();
        for (LayoutChoice.Variant v : LayoutChoice.variants(network, options)) {
            choice.offer(compile(network, options, v));
        }
        Compilation c = choice.chosen();
        HePlan plan = Emission.emit(network.name(), options.mode(), c.parameters(), range, network.inputShape().size(), c.inputGather(),
                c.steps(), c.keys(), c.report(), c.imageStride());
        if (options.flooding().enabled()) {
            plan = NoiseEstimation.flooded(plan, options);
        }
        return plan;
    }

    /**
     * One layout variant, compiled up to its report.
     *
     * @param parameters the chosen parameters
     * @param steps the steps with every pass done
     * @param inputGather the client's input gather
     * @param keys the rotation keys
     * @param report the cost report
     * @param imageStride the slots between the images of a packed ciphertext (the slot count otherwise)
     */
    record Compilation(CkksParameters parameters, List<Step> steps, int[] inputGather, RotationKeys keys, PlanReport report,
            int imageStride) {
    }

    /** Compiles one layout variant: feasible with its cost, or infeasible with the reason. */
    private static LayoutChoice.Candidate compile(Network network, CompileOptions options, LayoutChoice.Variant variant) {
        Set<String> forcedAligns = new HashSet<>();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            EnsembleMerging.Merged merged = network.members().isEmpty()
                    ? new EnsembleMerging.Merged(Lowering.lower(network, variant.im2col(), variant.multiplex()), 1, 0)
                    : EnsembleMerging.lower(network, variant.im2col(), variant.multiplex(), options.mode().rotates());
            Lowering.Result lowered = merged.lowered();
            List<IrNode> nodes = new ArrayList<>(lowered.nodes());
            IrNode output = Fusion.fuse(nodes, lowered.output());
            Scheduler.schedule(nodes, forcedAligns);
            int depth = output.depth;
            int footprint = minSlots(nodes, options.mode());
            ParameterChooser.Choice chosen = ParameterChooser.choose(depth, footprint, options);
            if (chosen.refusal() != null) {
                return new LayoutChoice.Infeasible(variant, chosen.refusal());
            }
            CkksParameters params = chosen.parameters();
            ScaleAssignment.Result scaled = ScaleAssignment.assign(nodes, output, params.maxLevel(), params.defaultScale(),
                    params.qPrimes());
            if (scaled.mismatch() != null) {
                if (!forcedAligns.add(scaled.mismatch())) {
                    throw new IllegalStateException("cannot reconcile scales at " + scaled.mismatch());
                }
                continue;
            }
            List<Step> steps = scaled.steps();
            RescaleDeferral.decide(steps, options.mode(), params);
            // packed: images side by side at the footprint's distance; otherwise one image per ciphertext
            int stride = options.mode() == Mode.PACKED ? footprint : params.slots();
            if (options.mode().rotates()) {
                // an ensemble's members take windows of the slots as images of a packed plan would
                DiagonalPlanning.planAll(steps, params.slots(), merged.members() > 1 ? merged.window() : stride, merged.members());
            }
            RotationKeys keys = KeySelection.choose(steps, params, options.maxKeyBytes());
            int images = options.mode() == Mode.PACKED ? params.slots() / stride : 1;
            org.ciphernet.nn.model.Shape in = network.inputShape();
            PlanReport report = Reporting.report(network.name(), List.of(in.channels(), in.height(), in.width()), options.mode(),
                    params, steps, keys, depth, images);
            // variants compete on the cost per image
            return new LayoutChoice.Feasible(variant, Reporting.estimatedCost(report, params.degree()) / images,
                    new Compilation(params, steps, lowered.inputGather(), keys, report, stride));
        }
        throw new IllegalStateException("scale reconciliation did not converge");
    }

    /**
     * The slots one image needs in a single-image or packed plan (its footprint): a power of two
     * above every tensor (1 in batched mode).
     */
    private static int minSlots(List<IrNode> nodes, Mode mode) {
        int minSlots = 1;
        if (mode.rotates()) {
            for (IrNode n : nodes) {
                minSlots = Math.max(minSlots, n.size);
            }
            minSlots = Integer.highestOneBit(Math.max(1, minSlots - 1)) << 1;
        }
        return minSlots;
    }

    /** The input range clients accept, which must lie within the integer bits of headroom. */
    private static InputRange inputRange(CompileOptions options) {
        InputRange range = options.effectiveInputRange();
        InputRange headroom = InputRange.ofHeadroom(options.integerBits());
        if (range.min() < headroom.min() || range.max() > headroom.max()) {
            throw new IllegalArgumentException("the declared input range " + range + " exceeds what " + options.integerBits()
                    + " integer bits of headroom hold, " + headroom + "; raise CompileOptions.withIntegerBits or scale the inputs");
        }
        return range;
    }
}
