package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ciphernet.nn.model.Add;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.BatchNorm;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.GlobalAvgPool;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Node;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.ciphernet.nn.model.Unsupported;
import org.ciphernet.nn.model.UnsupportedLayerException;

/**
 * Lowers a {@link Network} to the intermediate graph: every linear layer becomes a sparse matrix
 * (Dirac convolutions folded, batch-norm as a diagonal), quadratic activations become
 * shift → square → scale (or square and linear branches when some a = 0).
 *
 * <p>With {@code im2col}, a convolution reading the input directly is split into a gather the
 * client applies before encrypting (each output position's receptive field, laid out kernel tap
 * by kernel tap) and a block matrix on the gathered vector whose non-zeros lie on only
 * {@code C_in·k² + C_out − 1} diagonals, whatever the stride.
 *
 * <p>Every tensor has a {@link Layout}: matrices, biases and activation coefficients are built in
 * slot coordinates, and an addition of two differently laid-out tensors moves one operand to the
 * other's slots.
 */
final class Lowering {
    /** The lowered graph in topological order, its input gather (index or −1 for zero), and output. */
    record Result(List<IrNode> nodes, IrNode output, int[] inputGather) {
    }

    private Lowering() {
    }

    /** Lowers with flat layouts everywhere (batched mode, and single-image plans without strides). */
    static Result lower(Network net, boolean im2col) {
        return lower(net, im2col, false);
    }

    /**
     * Lowers the network. With {@code multiplex}, strided convolutions and poolings keep their
     * output on the input's grid with a larger gap ({@link Layout}) instead of packing it densely.
     */
    static Result lower(Network net, boolean im2col, boolean multiplex) {
        List<IrNode> nodes = new ArrayList<>();
        Map<String, IrNode> byName = new HashMap<>();
        Map<String, Layout> layouts = new HashMap<>();
        int inSize = net.inputShape().size();
        int[] gather = identityGather(inSize);
        IrNode input = new IrNode(IrNode.Kind.INPUT, inSize, Network.INPUT);
        input.tap = Network.INPUT;
        Layout inputLayout = Layout.flat(net.inputShape());
        input.slots = inputLayout.slotOf();
        nodes.add(input);
        byName.put(Network.INPUT, input);
        layouts.put(Network.INPUT, inputLayout);
        boolean inputReadByOthers = false;
        for (Node n : net.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (n.inputs().get(i).equals(Network.INPUT) && !(n.layer() instanceof Conv2d && i == 0 && n == net.nodes().get(0))) {
                    inputReadByOthers = true;
                }
            }
        }
        for (Node n : net.nodes()) {
            IrNode x = byName.get(n.inputs().get(0));
            Shape in = net.shapeOf(n.inputs().get(0));
            Layout inL = layouts.get(n.inputs().get(0));
            Shape outShape = n.shape();
            Layout outL;
            IrNode out;
            switch (n.layer()) {
                case Conv2d c -> {
                    if (im2col && x == input && !inputReadByOthers && n == net.nodes().get(0)) {
                        Im2col g = im2col(c, in, outShape);
                        gather = g.gather;
                        input.size = gather.length;
                        input.tap = null; // the encrypted vector is the gathered input, not the image
                        input.slots = null;
                        outL = Layout.flat(outShape);
                        out = IrNode.linear(input, g.matrix, convBias(c, outShape), n.name());
                    } else {
                        outL = inL.after(outShape, c.stride(), multiplex);
                        out = IrNode.linear(x, convMatrix(c, in, outShape, inL, outL), outL.scatter(convBias(c, outShape)), n.name());
                    }
                }
                case Dense d -> {
                    outL = Layout.flat(outShape);
                    out = IrNode.linear(x, denseMatrix(d, inL), d.bias(), n.name());
                }
                case BatchNorm b -> {
                    outL = inL;
                    int hw = in.height() * in.width();
                    double[] diag = new double[in.size()];
                    double[] bias = new double[in.size()];
                    for (int i = 0; i < diag.length; i++) {
                        diag[i] = b.scale()[i / hw];
                        bias[i] = b.shift()[i / hw];
                    }
                    out = IrNode.linear(x, SparseMatrix.diagonal(inL.scatter(diag)), inL.scatter(bias), n.name());
                }
                case AvgPool2d p -> {
                    outL = inL.after(outShape, p.stride(), multiplex);
                    out = IrNode.linear(x, poolMatrix(p.kernel(), p.kernel(), p.stride(), in, outShape, inL, outL),
                            new double[outL.span()], n.name());
                }
                case GlobalAvgPool g -> {
                    outL = Layout.flat(outShape);
                    out = IrNode.linear(x, poolMatrix(in.height(), in.width(), 1, in, outShape, inL, outL),
                            new double[outL.span()], n.name());
                }
                case Flatten f -> {
                    outL = inL.unstructured();
                    out = IrNode.linear(x, SparseMatrix.identity(inL.span()), new double[inL.span()], n.name());
                }
                case Square s -> {
                    outL = inL;
                    out = IrNode.square(x, n.name());
                }
                case Quadratic q -> {
                    outL = inL;
                    out = quadratic(q, x, in, inL, n.name(), nodes);
                }
                case Add a -> {
                    outL = inL;
                    String other = n.inputs().get(1);
                    IrNode y = byName.get(other);
                    Layout yL = layouts.get(other);
                    if (!yL.sameSlots(inL)) {
                        y = IrNode.linear(y, relayout(yL, inL), new double[inL.span()], n.name() + ".relayout");
                        nodes.add(y);
                    }
                    out = IrNode.add(x, y, n.name());
                }
                case Unsupported u -> throw new UnsupportedLayerException(u.opType(), n.name(), u.replacement());
            }
            out.tap = n.name();
            out.slots = outL.slotOf();
            out.layoutName = outL.toString();
            nodes.add(out);
            byName.put(n.name(), out);
            layouts.put(n.name(), outL);
        }
        return new Result(nodes, byName.get(net.output().name()), gather);
    }

    /** The permutation that moves a tensor from one layout to another. */
    private static SparseMatrix relayout(Layout from, Layout to) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(to.span(), from.span());
        for (int i = 0; i < from.slotOf().length; i++) {
            b.add(to.slotOf()[i], from.slotOf()[i], 1.0);
        }
        return b.build();
    }

    private static int[] identityGather(int n) {
        int[] g = new int[n];
        for (int i = 0; i < n; i++) {
            g[i] = i;
        }
        return g;
    }

    private static IrNode quadratic(Quadratic q, IrNode x, Shape in, Layout layout, String name, List<IrNode> nodes) {
        int n = in.size();
        int hw = in.height() * in.width();
        double[] a = new double[n];
        double[] b = new double[n];
        double[] c = new double[n];
        boolean allNonZero = true;
        for (int i = 0; i < n; i++) {
            int k = q.coefficientIndex(i / hw);
            a[i] = q.a()[k];
            b[i] = q.b()[k];
            c[i] = q.c()[k];
            allNonZero &= a[i] != 0;
        }
        if (allNonZero) {
            // a·x² + b·x + c = a·(x + b/2a)² + (c − b²/4a)
            double[] shift = new double[n];
            double[] rest = new double[n];
            for (int i = 0; i < n; i++) {
                shift[i] = b[i] / (2 * a[i]);
                rest[i] = c[i] - b[i] * b[i] / (4 * a[i]);
            }
            IrNode shifted = IrNode.linear(x, SparseMatrix.identity(layout.span()), layout.scatter(shift), name + ".shift");
            IrNode sq = IrNode.square(shifted, name + ".square");
            nodes.add(shifted);
            nodes.add(sq);
            return IrNode.linear(sq, SparseMatrix.diagonal(layout.scatter(a)), layout.scatter(rest), name + ".scale");
        }
        IrNode sq = IrNode.square(x, name + ".square");
        IrNode quad = IrNode.linear(sq, SparseMatrix.diagonal(layout.scatter(a)), new double[layout.span()], name + ".a");
        IrNode lin = IrNode.linear(x, SparseMatrix.diagonal(layout.scatter(b)), layout.scatter(c), name + ".bx+c");
        nodes.add(sq);
        nodes.add(quad);
        nodes.add(lin);
        return IrNode.add(quad, lin, name);
    }

    static SparseMatrix convMatrix(Conv2d c, Shape in, Shape out) {
        return convMatrix(c, in, out, Layout.flat(in), Layout.flat(out));
    }

    static SparseMatrix convMatrix(Conv2d c, Shape in, Shape out, Layout inL, Layout outL) {
        double[] w = c.effectiveWeights();
        int k = c.kernel();
        int[] src = inL.slotOf();
        SparseMatrix.Builder b = new SparseMatrix.Builder(outL.span(), inL.span());
        for (int o = 0; o < c.outChannels(); o++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int row = outL.slotOf()[out.index(o, oy, ox)];
                    for (int i = 0; i < c.inChannels(); i++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            if (iy < 0 || iy >= in.height()) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (ix >= 0 && ix < in.width()) {
                                    b.add(row, src[in.index(i, iy, ix)], w[((o * c.inChannels() + i) * k + ky) * k + kx]);
                                }
                            }
                        }
                    }
                }
            }
        }
        return b.build();
    }

    private static double[] convBias(Conv2d c, Shape out) {
        double[] bias = new double[out.size()];
        int hw = out.height() * out.width();
        for (int i = 0; i < bias.length; i++) {
            bias[i] = c.bias()[i / hw];
        }
        return bias;
    }

    private record Im2col(int[] gather, SparseMatrix matrix) {
    }

    private static Im2col im2col(Conv2d c, Shape in, Shape out) {
        double[] w = c.effectiveWeights();
        int k = c.kernel();
        int taps = c.inChannels() * k * k;
        int positions = out.height() * out.width();
        int[] gather = new int[taps * positions];
        for (int i = 0; i < c.inChannels(); i++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int tap = (i * k + ky) * k + kx;
                    for (int oy = 0; oy < out.height(); oy++) {
                        for (int ox = 0; ox < out.width(); ox++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            int ix = ox * c.stride() - c.padding() + kx;
                            boolean inside = iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width();
                            gather[tap * positions + oy * out.width() + ox] = inside ? in.index(i, iy, ix) : -1;
                        }
                    }
                }
            }
        }
        SparseMatrix.Builder b = new SparseMatrix.Builder(out.size(), gather.length);
        for (int o = 0; o < c.outChannels(); o++) {
            for (int tap = 0; tap < taps; tap++) {
                double v = w[o * taps + tap];
                for (int p = 0; p < positions; p++) {
                    if (gather[tap * positions + p] >= 0) {
                        b.add(o * positions + p, tap * positions + p, v);
                    }
                }
            }
        }
        return new Im2col(gather, b.build());
    }

    private static SparseMatrix denseMatrix(Dense d, Layout inL) {
        double[] w = d.weights();
        SparseMatrix.Builder b = new SparseMatrix.Builder(d.outputs(), inL.span());
        for (int o = 0; o < d.outputs(); o++) {
            for (int i = 0; i < d.inputs(); i++) {
                b.add(o, inL.slotOf()[i], w[o * d.inputs() + i]);
            }
        }
        return b.build();
    }

    private static SparseMatrix poolMatrix(int kh, int kw, int stride, Shape in, Shape out, Layout inL, Layout outL) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(outL.span(), inL.span());
        double inv = 1.0 / (kh * kw);
        for (int c = 0; c < out.channels(); c++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            b.add(outL.slotOf()[out.index(c, oy, ox)], inL.slotOf()[in.index(c, oy * stride + ky, ox * stride + kx)], inv);
                        }
                    }
                }
            }
        }
        return b.build();
    }
}
