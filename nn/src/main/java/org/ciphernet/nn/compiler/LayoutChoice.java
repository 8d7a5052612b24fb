package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.List;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Network;

/**
 * Layout choice: which layout variants a network is compiled in, and which one wins. In
 * single-image mode a first convolution reading the input may take its input as client-side
 * patches (im2col), and strided layers may keep their outputs multiplexed on their input's grid
 * ({@link Layout}); each combination is compiled, and is either feasible with an estimated cost or
 * infeasible with a reason (no parameters hold it). The first cheapest feasible variant wins; if
 * none is feasible, the first reason is thrown.
 */
final class LayoutChoice {
    private LayoutChoice() {
    }

    /** A layout variant: client-side patches for the first convolution, multiplexed strided layers. */
    record Variant(boolean im2col, boolean multiplex) {
    }

    /** The outcome of compiling one variant. */
    sealed interface Candidate {
        /** The variant. */
        Variant variant();
    }

    /** A variant that compiles, with its estimated cost (see {@link Reporting#estimatedCost}). */
    record Feasible(Variant variant, double cost, Compiler.Compilation compilation) implements Candidate {
    }

    /** A variant that cannot be compiled, and why (the exception to throw if no variant is feasible). */
    record Infeasible(Variant variant, IllegalArgumentException reason) implements Candidate {
    }

    /** The variants to compare, in order (ties go to the earlier). */
    static List<Variant> variants(Network network, CompileOptions options) {
        List<Variant> variants = new ArrayList<>();
        boolean single = options.mode().rotates();
        boolean im2colPossible = single && options.im2col() && network.nodes().get(0).layer() instanceof Conv2d
                && network.nodes().get(0).inputs().get(0).equals(Network.INPUT);
        for (boolean im2col : im2colPossible ? new boolean[] {false, true} : new boolean[] {false}) {
            switch (single ? options.stridedLayout() : CompileOptions.StridedLayout.FLAT) {
                case CHEAPEST -> {
                    variants.add(new Variant(im2col, false));
                    if (stridedAfter(network, im2col ? 1 : 0)) {
                        variants.add(new Variant(im2col, true));
                    }
                }
                case FLAT -> variants.add(new Variant(im2col, false));
                case MULTIPLEXED -> variants.add(new Variant(im2col, true));
            }
        }
        return variants;
    }

    /** Whether a strided convolution or pooling appears at or after model node {@code from}. */
    private static boolean stridedAfter(Network network, int from) {
        for (int i = from; i < network.nodes().size(); i++) {
            switch (network.nodes().get(i).layer()) {
                case Conv2d c when c.stride() > 1 -> {
                    return true;
                }
                case AvgPool2d p when p.stride() > 1 -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /** Keeps the first cheapest feasible candidate and the first reason, as candidates are offered one by one. */
    static final class Choice {
        private Feasible best;
        private IllegalArgumentException firstReason;

        /** Considers one candidate (in variant order). */
        void offer(Candidate c) {
            switch (c) {
                case Feasible f -> {
                    if (f.cost() < (best == null ? Double.MAX_VALUE : best.cost())) {
                        best = f;
                    }
                }
                case Infeasible i -> {
                    if (firstReason == null) {
                        firstReason = i.reason();
                    }
                }
            }
        }

        /**
         * The chosen compilation.
         *
         * @throws IllegalArgumentException the first infeasible variant's reason, if none is feasible
         */
        Compiler.Compilation chosen() {
            if (best == null) {
                throw firstReason;
            }
            return best.compilation();
        }
    }
}
