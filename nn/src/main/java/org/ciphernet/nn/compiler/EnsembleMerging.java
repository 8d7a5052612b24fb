package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.ciphernet.nn.model.Network;

/**
 * Ensembles in free slots (Chielle et al. 2025): the lowered graphs of an ensemble's members,
 * which share one architecture, become one graph whose every vector holds all members side by
 * side, member j at offset {@code j·W}, followed by the mean of their outputs.
 *
 * <p>In a single-image plan W is the members' window, a power of two above every tensor of every
 * member: a linear map becomes block-diagonal with each member's block at offset {@code j·W} on
 * both sides, so its non-zeros lie on the same diagonals as one member's (row − column is
 * unchanged) and the rotations, key switches and levels are one member's; only the ring must hold
 * {@code m·W} slots. The mean is one more linear map, which {@link Fusion} folds into the members'
 * last linear layer, so it costs no level either. In a batched plan (one image per slot) the
 * members' ciphertexts are simply concatenated, and the cost is the members' sum.
 *
 * <p>The members' graphs must match node for node (kind, size and inputs), which holds when the
 * members are the same architecture trained with different seeds.
 */
final class EnsembleMerging {
    private EnsembleMerging() {
    }

    /**
     * Lowers every member of an ensemble and merges them.
     *
     * @param ensemble a network with {@link Network#members()}
     * @param rotates whether the plan is single-image (members side by side in one ciphertext) or
     *     batched (members' ciphertexts concatenated)
     * @throws IllegalArgumentException if the members' lowered graphs differ
     */
    static Merged lower(Network ensemble, boolean im2col, boolean multiplex, boolean rotates) {
        List<Lowering.Result> lowered = new ArrayList<>();
        for (Network m : ensemble.members()) {
            lowered.add(Lowering.lower(m, im2col, multiplex));
        }
        return merge(lowered, ensemble.members(), ensemble.output().name(), rotates);
    }

    /**
     * The merged graph.
     *
     * @param members the number of members
     * @param window the slots between the members' copies of a vector in a single-image plan
     */
    record Merged(Lowering.Result lowered, int members, int window) {
    }

    private static Merged merge(List<Lowering.Result> members, List<Network> nets, String outputName, boolean rotates) {
        Lowering.Result first = members.get(0);
        int count = members.size();
        List<Map<IrNode, Integer>> index = new ArrayList<>();
        int window = 1;
        for (int j = 0; j < count; j++) {
            Lowering.Result r = members.get(j);
            if (r.nodes().size() != first.nodes().size() || r.nodes().indexOf(r.output()) != first.nodes().indexOf(first.output())) {
                throw mismatch(nets, j, "has " + r.nodes().size() + " lowered operations, member 0 has " + first.nodes().size());
            }
            Map<IrNode, Integer> at = new IdentityHashMap<>();
            for (int i = 0; i < r.nodes().size(); i++) {
                at.put(r.nodes().get(i), i);
                window = Math.max(window, r.nodes().get(i).size);
            }
            index.add(at);
        }
        window = Integer.highestOneBit(Math.max(1, window - 1)) << 1;
        List<IrNode> merged = new ArrayList<>();
        int[] gather = null;
        for (int i = 0; i < first.nodes().size(); i++) {
            IrNode n0 = first.nodes().get(i);
            for (int j = 1; j < count; j++) {
                IrNode nj = members.get(j).nodes().get(i);
                if (nj.kind != n0.kind || nj.size != n0.size || !sameInputs(n0, index.get(0), nj, index.get(j))) {
                    throw mismatch(nets, j, "differs at operation " + i + " (" + n0.label + "): " + nj + " instead of " + n0);
                }
            }
            int stride = stride(n0, rotates, window);
            int size = (count - 1) * stride + n0.size;
            IrNode out = new IrNode(n0.kind, size, n0.label);
            for (IrNode in : n0.inputs) {
                out.inputs.add(merged.get(index.get(0).get(in)));
            }
            switch (n0.kind) {
                case INPUT -> {
                    gather = new int[size];
                    Arrays.fill(gather, -1);
                    for (int j = 0; j < count; j++) {
                        int[] g = members.get(j).inputGather();
                        System.arraycopy(g, 0, gather, j * stride, g.length);
                    }
                }
                case LINEAR -> {
                    int inStride = stride(n0.inputs.get(0), rotates, window);
                    SparseMatrix.Builder b = new SparseMatrix.Builder(size, out.inputs.get(0).size);
                    out.bias = new double[size];
                    for (int j = 0; j < count; j++) {
                        IrNode nj = members.get(j).nodes().get(i);
                        SparseMatrix m = nj.matrix;
                        for (int r = 0; r < m.rows(); r++) {
                            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                                b.add(j * stride + r, j * inStride + m.colAt(k), m.valueAt(k));
                            }
                        }
                        System.arraycopy(nj.bias, 0, out.bias, j * stride, nj.bias.length);
                    }
                    out.matrix = b.build();
                }
                case SQUARE, ADD -> {
                    for (IrNode in : n0.inputs) {
                        if (stride(in, rotates, window) == 0) {
                            throw new IllegalArgumentException("a batched ensemble's members share their input ciphertexts, which only "
                                    + "linear layers may read; " + n0.label + " is a " + n0.kind + " of the input: compile it in "
                                    + "single-image mode");
                        }
                    }
                }
            }
            merged.add(out);
        }
        IrNode last = merged.get(first.nodes().indexOf(first.output()));
        int outputs = first.output().slots.length;
        int outStride = stride(first.output(), rotates, window);
        SparseMatrix.Builder mean = new SparseMatrix.Builder(outputs, last.size);
        for (int j = 0; j < count; j++) {
            int[] slots = members.get(j).output().slots;
            for (int c = 0; c < outputs; c++) {
                mean.add(c, j * outStride + slots[c], 1.0 / count);
            }
        }
        IrNode output = IrNode.linear(last, mean.build(), new double[outputs], outputName);
        output.tap = outputName;
        output.slots = new int[outputs];
        for (int c = 0; c < outputs; c++) {
            output.slots[c] = c;
        }
        output.layoutName = "flat";
        merged.add(output);
        return new Merged(new Lowering.Result(merged, output, gather), count, window);
    }

    /**
     * The distance between the members' copies of a node: the window in a single-image plan; in a
     * batched plan the node's size, but 0 for the input (the members read the same ciphertexts).
     */
    private static int stride(IrNode n, boolean rotates, int window) {
        return rotates ? window : n.kind == IrNode.Kind.INPUT ? 0 : n.size;
    }

    private static boolean sameInputs(IrNode a, Map<IrNode, Integer> atA, IrNode b, Map<IrNode, Integer> atB) {
        if (a.inputs.size() != b.inputs.size()) {
            return false;
        }
        for (int k = 0; k < a.inputs.size(); k++) {
            if (!atA.get(a.inputs.get(k)).equals(atB.get(b.inputs.get(k)))) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException mismatch(List<Network> nets, int j, String what) {
        return new IllegalArgumentException("ensemble members must share one architecture to share ciphertexts: member " + j
                + " (" + nets.get(j).name() + ") " + what + "; compile such members as separate plans");
    }
}
