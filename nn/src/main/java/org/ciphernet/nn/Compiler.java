package org.ciphernet.nn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.internal.DiagonalPlan;
import org.ciphernet.nn.internal.Fusion;
import org.ciphernet.nn.internal.IrNode;
import org.ciphernet.nn.internal.Lowering;
import org.ciphernet.nn.internal.Scheduler;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Network;

/**
 * Compiles a {@link Network} into an {@link HePlan}: lowers layers to sparse linear maps, squares
 * and additions; fuses runs of linear layers (batch-norm, Dirac convolutions, quadratic
 * coefficients, pooling, flattening) so each costs one level; assigns a level and scale to every
 * tensor; chooses secure parameters just deep enough; and, in single-image mode, plans every
 * linear map with the diagonal method and baby-step giant-step rotations, choosing by estimated
 * cost between the direct and the client-side patch layout for a first convolution, and between
 * flat and multiplexed layouts for strided layers.
 */
public final class Compiler {
    /**
     * Batched squares keep 3 parts until the next square only at scales of at least this many bits;
     * below, they are relinearized before their rescale (unless their rescale is deferred, see
     * {@link #deferredSquares}). Rescaling a 3-part product rounds its third part, whose error then
     * meets s² at decryption: about 2^19 in the slots at N = 2^14, so 11 bits of precision at a scale
     * of 2^30 (2^-21 at 2^40, where keeping 3 parts saves most relinearizations).
     */
    static final int LAZY_RELINEARIZATION_MIN_SCALE_BITS = 36;

    /** Whether the runtime relinearizes squares before rescaling them (see {@code HeServer}). */
    static boolean relinearizesEagerly(Mode mode, CkksContext ctx) {
        return mode == Mode.BATCHED && ctx.parameters().logScale() < LAZY_RELINEARIZATION_MIN_SCALE_BITS;
    }

    /** Bits kept free above the scale of deferred sums (as the default 10 integer bits, and a sign). */
    private static final int DEFERRED_HEADROOM_BITS = 11;

    /**
     * Which square steps defer their rescale to the next layer (the runtime follows this): in
     * batched mode where squares would otherwise be relinearized one by one before rescaling (small
     * scales, {@link #relinearizesEagerly}), a square whose every consumer is a weighted sum at the
     * square's planned output level is passed on unrescaled and unrelinearized. The weighted sums
     * then run on 3 parts one level higher, and only their outputs are relinearized and rescaled
     * (twice): for CryptoNets 100 relinearizations instead of 845 and no rescaled third part, whose
     * rounding error would meet s² at decryption. The result has the planned level and scale.
     */
    static boolean[] deferredSquares(List<Step> steps, Mode mode, CkksContext ctx) {
        boolean[] defer = new boolean[steps.size()];
        if (!relinearizesEagerly(mode, ctx)) {
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
                boolean weightedSum = c.node.kind == IrNode.Kind.LINEAR && !c.node.plainAdd && !c.node.align
                        && c.node.matrix != null && c.inputs.length == 1 && c.evalLevel == sq.levelOut;
                // the sums' scale (squared input scale × weight scale) must leave the output headroom
                // of the plan below the modulus at the square's input level
                double inputScale = steps.get(sq.inputs[0]).scaleOut;
                double log2Q = 0;
                for (int i = 0; i <= sq.levelOut + 1; i++) {
                    log2Q += Math.log(ctx.qPrime(i)) / Math.log(2);
                }
                boolean fits = weightedSum && 2 * Math.log(inputScale) / Math.log(2) + Math.log(c.weightScale) / Math.log(2)
                        + DEFERRED_HEADROOM_BITS <= log2Q;
                if (!fits) {
                    defer[in] = false;
                }
            }
        }
        return defer;
    }

    private static final double SCALE_TOLERANCE = 0x1p-41;

    private Compiler() {
    }

    /** Compiles with the given options. */
    public static HePlan compile(Network network, CompileOptions options) {
        List<Variant> variants = new ArrayList<>();
        boolean single = options.mode() == Mode.SINGLE_IMAGE;
        boolean im2colPossible = single && options.im2col() && network.nodes().get(0).layer() instanceof Conv2d
                && network.nodes().get(0).inputs().get(0).equals(Network.INPUT);
        for (boolean im2col : im2colPossible ? new boolean[] {false, true} : new boolean[] {false}) {
            variants.add(new Variant(im2col, false));
            if (single && stridedAfter(network, im2col ? 1 : 0)) {
                variants.add(new Variant(im2col, true));
            }
        }
        HePlan best = null;
        double bestCost = Double.MAX_VALUE;
        RuntimeException firstFailure = null;
        for (Variant v : variants) {
            try {
                HePlan p = compile(network, options, v.im2col, v.multiplex);
                double cost = estimatedCost(p);
                if (cost < bestCost) {
                    best = p;
                    bestCost = cost;
                }
            } catch (IllegalArgumentException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                }
            }
        }
        if (best == null) {
            throw firstFailure;
        }
        if (options.flooding().enabled()) {
            // sized from a noise-estimation run of the chosen plan (which does not flood)
            best = best.withFlooding(NoiseEstimation.budget(best, options));
        }
        return best;
    }

    /** A layout choice: client-side patches for the first convolution, multiplexed strided layers. */
    private record Variant(boolean im2col, boolean multiplex) {
    }

    /** Whether a strided convolution or pooling appears at or after model node {@code from}. */
    private static boolean stridedAfter(Network network, int from) {
        for (int i = from; i < network.nodes().size(); i++) {
            switch (network.nodes().get(i).layer()) {
                case Conv2d c when c.stride() > 1 -> {
                    return true;
                }
                case org.ciphernet.nn.model.AvgPool2d p when p.stride() > 1 -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /** Key switches weighted by the number of primes they work on, times the ring degree. */
    private static double estimatedCost(HePlan p) {
        double c = 0;
        for (PlanReport.Row r : p.report().rows()) {
            c += (r.keySwitches() + 0.02 * r.plaintextProducts()) * (r.levelIn() + 1);
        }
        return c * p.parameters().degree();
    }

    /** One layout variant; package-private so tests can force a layout. */
    static HePlan compile(Network network, CompileOptions options, boolean im2col, boolean multiplex) {
        Set<String> forcedAligns = new HashSet<>();
        for (int attempt = 0; attempt < 64; attempt++) {
            Lowering.Result lowered = Lowering.lower(network, im2col, multiplex);
            List<IrNode> nodes = new ArrayList<>(lowered.nodes());
            IrNode output = Fusion.fuse(nodes, lowered.output());
            Scheduler.schedule(nodes, forcedAligns);
            int depth = output.depth;
            int minSlots = 1;
            if (options.mode() == Mode.SINGLE_IMAGE) {
                for (IrNode n : nodes) {
                    minSlots = Math.max(minSlots, n.size);
                }
                minSlots = Integer.highestOneBit(Math.max(1, minSlots - 1)) << 1;
            }
            CkksParameters params = ParameterChooser.choose(depth, minSlots, options);
            CkksContext ctx = CkksContext.create(params);
            List<Step> steps = new ArrayList<>();
            String mismatch = assignLevelsAndScales(nodes, output, ctx, depth, steps);
            if (mismatch != null) {
                if (!forcedAligns.add(mismatch)) {
                    throw new IllegalStateException("cannot reconcile scales at " + mismatch);
                }
                continue;
            }
            return finish(network, options, ctx, steps, lowered.inputGather(), depth);
        }
        throw new IllegalStateException("scale reconciliation did not converge");
    }

    /** Fills steps; returns the label of an addition whose scales cannot be reconciled, or null. */
    private static String assignLevelsAndScales(List<IrNode> nodes, IrNode output, CkksContext ctx, int depth, List<Step> steps) {
        // keep only nodes the output depends on, in order
        Set<IrNode> needed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        collect(output, needed);
        Map<IrNode, Step> stepOf = new IdentityHashMap<>();
        Map<IrNode, Integer> uses = Fusion.uses(nodes);
        int top = ctx.maxLevel();
        double delta = ctx.parameters().defaultScale();
        for (IrNode n : nodes) {
            if (!needed.contains(n)) {
                continue;
            }
            int[] in = new int[n.inputs.size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = stepOf.get(n.inputs.get(i)).index;
            }
            Step s = new Step(steps.size(), n, in);
            s.levelOut = top - n.depth;
            switch (n.kind) {
                case INPUT -> {
                    s.evalLevel = top;
                    s.scaleOut = delta;
                }
                case LINEAR -> {
                    Step x = steps.get(in[0]);
                    if (n.plainAdd) {
                        s.evalLevel = x.levelOut;
                        s.scaleOut = x.scaleOut;
                    } else {
                        s.evalLevel = s.levelOut + 1;
                        s.scaleOut = delta;
                    }
                }
                case SQUARE -> {
                    Step x = steps.get(in[0]);
                    s.evalLevel = x.levelOut;
                    s.scaleOut = x.scaleOut * x.scaleOut / ctx.qPrime(x.levelOut);
                }
                case ADD -> {
                    Step a = steps.get(in[0]);
                    Step b = steps.get(in[1]);
                    s.evalLevel = s.levelOut;
                    if (Math.abs(a.scaleOut - b.scaleOut) > SCALE_TOLERANCE * a.scaleOut) {
                        if (retargetable(b, uses)) {
                            b.scaleOut = a.scaleOut;
                        } else if (retargetable(a, uses)) {
                            a.scaleOut = b.scaleOut;
                        } else {
                            return n.label;
                        }
                    }
                    s.scaleOut = a.scaleOut;
                }
            }
            stepOf.put(n, s);
            steps.add(s);
        }
        if (steps.get(steps.size() - 1).node != output) {
            throw new IllegalStateException("output is not the last step");
        }
        for (Step s : steps) {
            if (s.isLinearProduct()) {
                Step x = steps.get(s.inputs[0]);
                s.weightScale = s.scaleOut * ctx.qPrime(s.evalLevel) / x.scaleOut;
            }
        }
        return null;
    }

    private static boolean retargetable(Step s, Map<IrNode, Integer> uses) {
        return s.isLinearProduct() && uses.get(s.node) == 1;
    }

    private static void collect(IrNode n, Set<IrNode> seen) {
        if (seen.add(n)) {
            for (IrNode in : n.inputs) {
                collect(in, seen);
            }
        }
    }

    /**
     * The exact step set if its keys fit the budget; otherwise ±powers of two plus the most used
     * steps that still fit. Either way each key is made only for the levels it is used at.
     */
    private static RotationKeys chooseKeys(List<Step> steps, Set<Integer> exact, Map<Integer, Set<Integer>> byLevel, int slots,
            java.util.function.IntToLongFunction perKey, long budget) {
        RotationKeys all = new RotationKeys(slots, exact).withLevels(byLevel);
        if (keyBytes(all, perKey) <= budget) {
            return all;
        }
        Set<Integer> chosen = new TreeSet<>(RotationKeys.powersOfTwo(slots));
        Map<Integer, Integer> uses = new java.util.HashMap<>();
        Map<Integer, Integer> topLevel = new java.util.HashMap<>();
        for (Step s : steps) {
            if (s.diagonals != null) {
                s.diagonals.stepUses().forEach((k, v) -> {
                    uses.merge(k, v, Integer::sum);
                    topLevel.merge(k, s.evalLevel, Math::max);
                });
            }
        }
        RotationKeys base = new RotationKeys(slots, chosen);
        long used = keyBytes(base.withLevels(byLevel), perKey);
        List<Integer> byValue = new ArrayList<>(uses.keySet());
        // value of a dedicated key: key switches it saves
        byValue.sort((a, b) -> Integer.compare(uses.get(b) * (base.cost(b) - 1), uses.get(a) * (base.cost(a) - 1)));
        for (int st : byValue) {
            long extra = perKey.applyAsLong(topLevel.get(st));
            if (base.cost(st) > 1 && used + extra <= budget) {
                chosen.add(st);
                used += extra;
            }
        }
        return new RotationKeys(slots, chosen).withLevels(byLevel);
    }

    private static long keyBytes(RotationKeys keys, java.util.function.IntToLongFunction perKey) {
        long b = 0;
        for (int st : keys.steps()) {
            b += perKey.applyAsLong(keys.level(st));
        }
        return b;
    }

    private static HePlan finish(Network network, CompileOptions options, CkksContext ctx, List<Step> steps, int[] gather,
            int depth) {
        CkksParameters params = ctx.parameters();
        Map<Integer, Set<Integer>> stepsByLevel = new java.util.TreeMap<>();
        boolean relin = false;
        List<PlanReport.Row> rows = new ArrayList<>();
        boolean[] deferred = deferredSquares(steps, options.mode(), ctx);
        for (Step s : steps) {
            IrNode n = s.node;
            int rots = 0;
            int hoisted = 0;
            int relins = 0;
            int products = 0;
            String detail = "";
            switch (n.kind) {
                case INPUT -> detail = n.size + " values" + (options.mode() == Mode.BATCHED ? " (one ciphertext each)" : " in one ciphertext");
                case SQUARE -> {
                    relin = true;
                    relins = deferred[s.index] ? 0 : options.mode() == Mode.BATCHED ? n.size : 1;
                    detail = options.mode() != Mode.BATCHED ? ""
                            : deferred[s.index] ? n.size + " squares, passed on unrescaled (3 parts) to the weighted sum"
                            : relinearizesEagerly(options.mode(), ctx) ? n.size + " squares, relinearized before rescaling"
                            : n.size + " squares, relinearized lazily";
                }
                case ADD -> detail = "";
                case LINEAR -> {
                    if (n.plainAdd) {
                        detail = "bias only";
                    } else if (n.align) {
                        products = options.mode() == Mode.BATCHED ? n.size : 1;
                        detail = "constant product (level/scale alignment)";
                    } else if (options.mode() == Mode.SINGLE_IMAGE) {
                        s.diagonals = DiagonalPlan.plan(n.matrix, params.slots());
                        rots = s.diagonals.rotations();
                        hoisted = s.diagonals.hoistedRotations();
                        products = s.diagonals.diagonals();
                        stepsByLevel.computeIfAbsent(s.evalLevel, l -> new TreeSet<>()).addAll(s.diagonals.steps());
                        detail = s.diagonals.toString() + (n.layoutName == null || n.layoutName.equals("flat") ? "" : "; out: " + n.layoutName);
                        n.matrix = null; // the diagonals hold every weight; the server never reads the matrix
                    } else {
                        products = n.matrix.nonZeros();
                        detail = n.matrix.rows() + "×" + n.matrix.cols() + ", " + n.matrix.nonZeros() + " weights";
                        if (deferred[s.inputs[0]]) {
                            relins = n.size;
                            detail += "; sums of 3-part squares, relinearized and rescaled twice";
                        }
                    }
                }
            }
            rows.add(new PlanReport.Row(n.label, s.kind(), s.evalLevel, s.levelOut, rots, hoisted, rots + relins, products,
                    Math.log(s.scaleOut) / Math.log(2), detail));
        }
        int alpha = params.pBits().size();
        // a key for level ℓ: the digits of Q_ℓ (|P| primes each), both halves over Q_ℓ ∪ P
        java.util.function.IntToLongFunction perKey = level -> (long) (level / alpha + 1) * 2 * (level + 1 + alpha)
                * params.degree() * 8L;
        Set<Integer> rotationSteps = new TreeSet<>();
        stepsByLevel.values().forEach(rotationSteps::addAll);
        RotationKeys keys = chooseKeys(steps, rotationSteps, stepsByLevel, params.slots(), perKey, options.maxKeyBytes());
        if (!keys.steps().equals(rotationSteps)) {
            // rotations without their own key are composed: recount the key switches
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                if (s.diagonals != null) {
                    int rots = 0;
                    for (Map.Entry<Integer, Integer> e : s.diagonals.stepUses().entrySet()) {
                        rots += e.getValue() * keys.cost(e.getKey());
                    }
                    PlanReport.Row r = rows.get(i);
                    rows.set(i, new PlanReport.Row(r.layers(), r.kind(), r.levelIn(), r.levelOut(), rots, r.hoisted(),
                            rots, r.plaintextProducts(), r.log2Scale(), r.detail() + " [composed rotations]"));
                }
            }
        }
        String desc = String.format("N = 2^%d, %d slots, Q = %s bits, P = %s bits, scale 2^%d, dnum %d, log QP %d, %s",
                params.logN(), params.slots(), params.qBits(), params.pBits(), params.logScale(), params.dnum(), params.logQp(),
                params.security());
        PlanReport report = new PlanReport(network.name(), options.mode(), rows, desc, depth, List.copyOf(keys.steps()),
                keyBytes(keys, perKey), relin ? perKey.applyAsLong(ctx.maxLevel()) : 0);
        InputRange range = options.effectiveInputRange();
        InputRange headroom = InputRange.ofHeadroom(options.integerBits());
        if (range.min() < headroom.min() || range.max() > headroom.max()) {
            throw new IllegalArgumentException("the declared input range " + range + " exceeds what " + options.integerBits()
                    + " integer bits of headroom hold, " + headroom + "; raise CompileOptions.withIntegerBits or scale the inputs");
        }
        return new HePlan(network, options.mode(), ctx, steps, gather, keys, relin, report, range);
    }
}
