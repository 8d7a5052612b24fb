package org.ciphernet.nn;

import java.util.List;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.model.Network;

/**
 * A compiled network: the CKKS parameters, the data layout, every step with its level and scale,
 * and the exact set of evaluation keys. Made by {@link Compiler#compile}; compiling the same
 * network with the same options always gives the same plan, so a client and a server can each
 * compile it (or the client can use only {@link #clientSpec()}).
 */
public final class HePlan {
    private final Network network;
    private final Mode mode;
    private final CkksContext context;
    private final List<Step> steps;
    private final int[] inputGather;
    private final RotationKeys keys;
    private final boolean relinearization;
    private final PlanReport report;
    private final InputRange inputRange;

    HePlan(Network network, Mode mode, CkksContext context, List<Step> steps, int[] inputGather, RotationKeys keys,
            boolean relinearization, PlanReport report, InputRange inputRange) {
        this.network = network;
        this.mode = mode;
        this.context = context;
        this.steps = List.copyOf(steps);
        this.inputGather = inputGather.clone();
        this.keys = keys;
        this.relinearization = relinearization;
        this.report = report;
        this.inputRange = inputRange;
    }

    /** The network this plan evaluates. */
    public Network network() {
        return network;
    }

    /** Single-image or batched. */
    public Mode mode() {
        return mode;
    }

    /** The chosen parameters. */
    public CkksParameters parameters() {
        return context.parameters();
    }

    /** The CKKS context of the parameters. */
    public CkksContext context() {
        return context;
    }

    /** Levels consumed from input to output. */
    public int depth() {
        return report.depth();
    }

    /** The cost report. */
    public PlanReport report() {
        return report;
    }

    /** This plan with its outputs flooded as the budget says (made by the compiler after a noise-estimation run). */
    HePlan withFlooding(FloodingBudget budget) {
        return new HePlan(network, mode, context, steps, inputGather, keys, relinearization, report.withFlooding(budget), inputRange);
    }

    /** What a client needs: parameters, input layout, output size and the keys to generate. */
    public ClientSpec clientSpec() {
        Step out = output();
        return new ClientSpec(network.name(), mode, context.parameters(), network.inputShape().size(), inputGather, out.node.slots,
                out.levelOut, out.scaleOut, steps.get(0).scaleOut, steps.get(0).levelOut,
                keys.steps().stream().sorted().toList(), keys.steps().stream().sorted().map(keys::level).toList(), relinearization,
                inputRange, report.flooding());
    }

    /** The range of input values this plan was compiled for (see {@link InputRange}). */
    public InputRange inputRange() {
        return inputRange;
    }

    /** The plan's fingerprint: {@link ClientSpec#fingerprint()} of its client specification. */
    public long fingerprint() {
        return clientSpec().fingerprint();
    }

    RotationKeys keys() {
        return keys;
    }

    List<Step> steps() {
        return steps;
    }

    Step output() {
        return steps.get(steps.size() - 1);
    }

    @Override
    public String toString() {
        return report.toString();
    }
}
