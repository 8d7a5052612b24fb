package org.ciphernet.nn.internal;

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
 */
public final class Lowering {
    /** The lowered graph in topological order, its input gather (index or −1 for zero), and output. */
    public record Result(List<IrNode> nodes, IrNode output, int[] inputGather) {
    }

    private Lowering() {
    }

    public static Result lower(Network net, boolean im2col) {
        List<IrNode> nodes = new ArrayList<>();
        Map<String, IrNode> byName = new HashMap<>();
        int inSize = net.inputShape().size();
        int[] gather = identityGather(inSize);
        IrNode input = new IrNode(IrNode.Kind.INPUT, inSize, Network.INPUT);
        input.tap = Network.INPUT;
        nodes.add(input);
        byName.put(Network.INPUT, input);
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
            IrNode out;
            switch (n.layer()) {
                case Conv2d c -> {
                    if (im2col && x == input && !inputReadByOthers && n == net.nodes().get(0)) {
                        Im2col g = im2col(c, in, n.shape());
                        gather = g.gather;
                        input.size = gather.length;
                        input.tap = null; // the encrypted vector is the gathered input, not the image
                        out = IrNode.linear(input, g.matrix, convBias(c, n.shape()), n.name());
                    } else {
                        out = IrNode.linear(x, convMatrix(c, in, n.shape()), convBias(c, n.shape()), n.name());
                    }
                }
                case Dense d -> out = IrNode.linear(x, denseMatrix(d), d.bias(), n.name());
                case BatchNorm b -> {
                    int hw = in.height() * in.width();
                    double[] s = b.scale();
                    double[] t = b.shift();
                    double[] diag = new double[in.size()];
                    double[] bias = new double[in.size()];
                    for (int i = 0; i < diag.length; i++) {
                        diag[i] = s[i / hw];
                        bias[i] = t[i / hw];
                    }
                    out = IrNode.linear(x, SparseMatrix.diagonal(diag), bias, n.name());
                }
                case AvgPool2d p -> out = IrNode.linear(x, poolMatrix(p.kernel(), p.kernel(), p.stride(), in, n.shape()),
                        new double[n.shape().size()], n.name());
                case GlobalAvgPool g -> out = IrNode.linear(x, poolMatrix(in.height(), in.width(), 1, in, n.shape()),
                        new double[n.shape().size()], n.name());
                case Flatten f -> out = IrNode.linear(x, SparseMatrix.identity(in.size()), new double[in.size()], n.name());
                case Square s -> out = IrNode.square(x, n.name());
                case Quadratic q -> out = quadratic(q, x, in, n.name(), nodes);
                case Add a -> out = IrNode.add(x, byName.get(n.inputs().get(1)), n.name());
                case Unsupported u -> throw new UnsupportedLayerException(u.opType(), n.name(), u.replacement());
            }
            out.tap = n.name();
            nodes.add(out);
            byName.put(n.name(), out);
        }
        return new Result(nodes, byName.get(net.output().name()), gather);
    }

    private static int[] identityGather(int n) {
        int[] g = new int[n];
        for (int i = 0; i < n; i++) {
            g[i] = i;
        }
        return g;
    }

    private static IrNode quadratic(Quadratic q, IrNode x, Shape in, String name, List<IrNode> nodes) {
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
            IrNode shifted = IrNode.linear(x, SparseMatrix.identity(n), shift, name + ".shift");
            IrNode sq = IrNode.square(shifted, name + ".square");
            nodes.add(shifted);
            nodes.add(sq);
            return IrNode.linear(sq, SparseMatrix.diagonal(a), rest, name + ".scale");
        }
        IrNode sq = IrNode.square(x, name + ".square");
        IrNode quad = IrNode.linear(sq, SparseMatrix.diagonal(a), new double[n], name + ".a");
        IrNode lin = IrNode.linear(x, SparseMatrix.diagonal(b), c, name + ".bx+c");
        nodes.add(sq);
        nodes.add(quad);
        nodes.add(lin);
        return IrNode.add(quad, lin, name);
    }

    static SparseMatrix convMatrix(Conv2d c, Shape in, Shape out) {
        double[] w = c.effectiveWeights();
        int k = c.kernel();
        SparseMatrix.Builder b = new SparseMatrix.Builder(out.size(), in.size());
        for (int o = 0; o < c.outChannels(); o++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int row = out.index(o, oy, ox);
                    for (int i = 0; i < c.inChannels(); i++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            if (iy < 0 || iy >= in.height()) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (ix >= 0 && ix < in.width()) {
                                    b.add(row, in.index(i, iy, ix), w[((o * c.inChannels() + i) * k + ky) * k + kx]);
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

    private static SparseMatrix denseMatrix(Dense d) {
        double[] w = d.weights();
        SparseMatrix.Builder b = new SparseMatrix.Builder(d.outputs(), d.inputs());
        for (int o = 0; o < d.outputs(); o++) {
            for (int i = 0; i < d.inputs(); i++) {
                b.add(o, i, w[o * d.inputs() + i]);
            }
        }
        return b.build();
    }

    private static SparseMatrix poolMatrix(int kh, int kw, int stride, Shape in, Shape out) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(out.size(), in.size());
        double inv = 1.0 / (kh * kw);
        for (int c = 0; c < out.channels(); c++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            b.add(out.index(c, oy, ox), in.index(c, oy * stride + ky, ox * stride + kx), inv);
                        }
                    }
                }
            }
        }
        return b.build();
    }
}
