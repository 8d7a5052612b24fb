package org.ciphernet.nn.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plaintext ground truth: evaluates a {@link Network} in double precision, layer by layer as
 * written (batch-norm, Dirac convolutions and quadratic activations unfolded), independently of
 * the compiler's rewrites.
 */
public final class ReferenceEvaluator {
    private ReferenceEvaluator() {
    }

    /** The output of the network for one flat C×H×W input. */
    public static double[] evaluate(Network net, double[] input) {
        Map<String, double[]> all = evaluateAll(net, input);
        return all.get(net.output().name());
    }

    /** Every node's output by name (and the input under {@link Network#INPUT}). */
    public static Map<String, double[]> evaluateAll(Network net, double[] input) {
        if (input.length != net.inputShape().size()) {
            throw new IllegalArgumentException("input has " + input.length + " values, the network expects "
                    + net.inputShape() + " = " + net.inputShape().size());
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        values.put(Network.INPUT, input.clone());
        for (Node n : net.nodes()) {
            double[] x = values.get(n.inputs().get(0));
            Shape in = net.shapeOf(n.inputs().get(0));
            double[] y = switch (n.layer()) {
                case Conv2d c -> conv(c, x, in, n.shape());
                case Dense d -> dense(d, x);
                case BatchNorm b -> batchNorm(b, x, in);
                case Square s -> square(x);
                case Quadratic q -> quadratic(q, x, in);
                case AvgPool2d p -> avgPool(p.kernel(), p.kernel(), p.stride(), x, in, n.shape());
                case GlobalAvgPool g -> avgPool(in.height(), in.width(), 1, x, in, n.shape());
                case Flatten f -> x.clone();
                case Add a -> add(x, values.get(n.inputs().get(1)));
                case Unsupported u -> throw new UnsupportedLayerException(u.opType(), n.name(), u.replacement());
            };
            values.put(n.name(), y);
        }
        return values;
    }

    private static double[] conv(Conv2d c, double[] x, Shape in, Shape out) {
        double[] w = c.weights();
        double[] b = c.bias();
        int k = c.kernel();
        double[] y = new double[out.size()];
        for (int o = 0; o < c.outChannels(); o++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    double s = 0;
                    for (int i = 0; i < c.inChannels(); i++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            if (iy < 0 || iy >= in.height()) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (ix >= 0 && ix < in.width()) {
                                    s += w[((o * c.inChannels() + i) * k + ky) * k + kx] * x[in.index(i, iy, ix)];
                                }
                            }
                        }
                    }
                    int idx = out.index(o, oy, ox);
                    if (c.isDirac()) {
                        y[idx] = c.alpha()[o] * x[in.index(o, oy, ox)] + c.beta()[o] * s + b[o];
                    } else {
                        y[idx] = s + b[o];
                    }
                }
            }
        }
        return y;
    }

    private static double[] dense(Dense d, double[] x) {
        double[] w = d.weights();
        double[] b = d.bias();
        double[] y = new double[d.outputs()];
        for (int o = 0; o < d.outputs(); o++) {
            double s = b[o];
            for (int i = 0; i < d.inputs(); i++) {
                s += w[o * d.inputs() + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private static double[] batchNorm(BatchNorm b, double[] x, Shape in) {
        double[] y = new double[x.length];
        int hw = in.height() * in.width();
        double[] g = b.gamma();
        double[] be = b.beta();
        double[] mu = b.mean();
        double[] var = b.variance();
        for (int i = 0; i < x.length; i++) {
            int c = i / hw;
            y[i] = g[c] * (x[i] - mu[c]) / Math.sqrt(var[c] + b.epsilon()) + be[c];
        }
        return y;
    }

    private static double[] square(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * x[i];
        }
        return y;
    }

    private static double[] quadratic(Quadratic q, double[] x, Shape in) {
        double[] y = new double[x.length];
        int hw = in.height() * in.width();
        double[] a = q.a();
        double[] b = q.b();
        double[] c = q.c();
        for (int i = 0; i < x.length; i++) {
            int k = q.coefficientIndex(i / hw);
            y[i] = a[k] * x[i] * x[i] + b[k] * x[i] + c[k];
        }
        return y;
    }

    private static double[] avgPool(int kernel, int kw, int stride, double[] x, Shape in, Shape out) {
        double[] y = new double[out.size()];
        double inv = 1.0 / (kernel * kw);
        for (int c = 0; c < out.channels(); c++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    double s = 0;
                    for (int ky = 0; ky < kernel; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            s += x[in.index(c, oy * stride + ky, ox * stride + kx)];
                        }
                    }
                    y[out.index(c, oy, ox)] = s * inv;
                }
            }
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }
}
