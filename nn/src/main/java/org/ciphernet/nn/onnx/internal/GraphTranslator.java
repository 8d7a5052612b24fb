package org.ciphernet.nn.onnx.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.BatchNorm;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.GlobalAvgPool;
import org.ciphernet.nn.model.Layer;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.ciphernet.nn.model.Unsupported;
import org.ciphernet.nn.model.UnsupportedLayerException;
import org.ciphernet.nn.onnx.OnnxImportException;

/**
 * Translates an ONNX graph into a {@link Network}. Element-wise operators (Mul and Add by
 * constants, BatchNormalization, x² as Pow or Mul(x, x), Identity) are folded into a
 * {@link Polynomial} of the last structural layer; structural operators (Conv, Gemm, MatMul,
 * AveragePool, GlobalAveragePool, Flatten, Reshape, Add of two tensors) turn the polynomial into a
 * layer — nothing when it is the identity, {@link Square}, an affine map written as a
 * {@link BatchNorm} (folded into the neighbouring linear layer by the compiler) or a
 * {@link Quadratic} — and append their own layer.
 */
public final class GraphTranslator {
    private final OnnxIr.GraphProto graph;
    private final Map<String, OnnxIr.TensorProto> initializers = new HashMap<>();
    private final Map<String, Object> values = new HashMap<>(); // Tensor or Polynomial
    private final Map<Polynomial, String> materialized = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private Network.Builder builder;
    private String last = Network.INPUT;

    private GraphTranslator(OnnxIr.GraphProto graph) {
        this.graph = graph;
    }

    /** Translates a parsed model into a network with the given name. */
    public static Network translate(OnnxIr.ModelProto model, String name) {
        if (!model.hasGraph()) {
            throw new OnnxImportException("the ONNX model has no graph");
        }
        return new GraphTranslator(model.getGraph()).run(name);
    }

    private Network run(String name) {
        for (OnnxIr.TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        List<OnnxIr.ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(v -> !initializers.containsKey(v.getName())).toList();
        if (inputs.size() != 1) {
            throw new OnnxImportException("the graph must have exactly one input image, found " + inputs.size() + ": "
                    + inputs.stream().map(OnnxIr.ValueInfoProto::getName).toList());
        }
        OnnxIr.ValueInfoProto in = inputs.get(0);
        int rank = in.getType().getTensorType().getShape().getDimCount();
        Shape shape = inputShape(in);
        builder = Network.builder(name, shape);
        names.add(Network.INPUT);
        values.put(in.getName(), Polynomial.identity(Network.INPUT, rank, shape.channels(), Network.INPUT));
        int index = 0;
        for (OnnxIr.NodeProto node : graph.getNodeList()) {
            translate(node, index++);
        }
        if (graph.getOutputCount() != 1) {
            throw new OnnxImportException("the graph must have exactly one output (the logits), found " + graph.getOutputCount());
        }
        String outName = graph.getOutput(0).getName();
        Object out = values.get(outName);
        if (!(out instanceof Polynomial p)) {
            throw new OnnxImportException("the graph output '" + outName + "' is " + (out == null ? "never computed" : "a constant"));
        }
        String node = materialize(p);
        if (node.equals(Network.INPUT)) {
            throw new OnnxImportException("the graph output is its input: the model computes nothing");
        }
        if (!node.equals(last)) {
            // the output was computed earlier than the last layer: end with an identity that reads it
            add("output", affine(ones(p.channels()), new double[p.channels()]), node);
        }
        return builder.build();
    }

    private static Shape inputShape(OnnxIr.ValueInfoProto in) {
        List<OnnxIr.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        }
        String what = "the input '" + in.getName() + "' has shape " + Arrays.toString(d) + " (-1: symbolic)";
        if (d.length == 4 && d[0] <= 1 && d[1] > 0 && d[2] > 0 && d[3] > 0) {
            return new Shape(Math.toIntExact(d[1]), Math.toIntExact(d[2]), Math.toIntExact(d[3]));
        }
        if (d.length == 2 && d[0] <= 1 && d[1] > 0) {
            return Shape.vector(Math.toIntExact(d[1]));
        }
        throw new OnnxImportException(what + "; expected [batch, channels, height, width] or [batch, features]");
    }

    private void translate(OnnxIr.NodeProto node, int index) {
        String op = node.getOpType();
        String name = node.getName().isEmpty() ? op + "_" + index : node.getName();
        String where = "node '" + name + "' (" + op + ")";
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw new UnsupportedLayerException(node.getDomain() + "." + op, name, new Unsupported(op).replacement());
        }
        if (node.getOutputCount() < 1) {
            throw new OnnxImportException(where + " has no output");
        }
        Object result = switch (op) {
            case "Identity" -> input(node, 0, where);
            case "Constant" -> constant(node, where);
            case "Add", "Sub" -> addOrSub(node, op.equals("Sub"), name, where);
            case "Mul" -> mul(node, name, where);
            case "Div" -> div(node, name, where);
            case "Pow" -> pow(node, name, where);
            case "BatchNormalization" -> batchNorm(node, name, where);
            case "Conv" -> conv(node, name, where);
            case "Gemm" -> gemm(node, name, where);
            case "MatMul" -> matMul(node, name, where);
            case "AveragePool" -> averagePool(node, name, where);
            case "GlobalAveragePool" -> structural(name, new GlobalAvgPool(), poly(node, 0, where), 4, where);
            case "Flatten" -> flatten(node, name, where);
            case "Pad" -> pad(node, where);
            case "Reshape" -> reshape(node, name, where);
            default -> throw new UnsupportedLayerException(op, name, new Unsupported(op).replacement());
        };
        values.put(node.getOutput(0), result);
    }

    // ---- values ----

    private Object input(OnnxIr.NodeProto node, int i, String where) {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) {
            throw new OnnxImportException(where + " lacks input " + i);
        }
        String n = node.getInput(i);
        Object v = values.get(n);
        if (v == null && initializers.containsKey(n)) {
            v = Tensor.of(initializers.get(n), where);
            values.put(n, v);
        }
        if (v == null) {
            throw new OnnxImportException(where + " reads '" + n + "', which no earlier node computes");
        }
        return v;
    }

    private boolean hasInput(OnnxIr.NodeProto node, int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty();
    }

    private Polynomial poly(OnnxIr.NodeProto node, int i, String where) {
        if (input(node, i, where) instanceof Polynomial p) {
            return p;
        }
        throw new OnnxImportException(where + ": input " + i + " must be computed from the image, but it is a constant "
                + "(export with constant folding enabled)");
    }

    private Tensor constInput(OnnxIr.NodeProto node, int i, String where) {
        if (input(node, i, where) instanceof Tensor t) {
            return t;
        }
        throw new OnnxImportException(where + ": input " + i + " ('" + node.getInput(i)
                + "') must be a constant (weights), but it is computed from the image");
    }

    private Tensor constant(OnnxIr.NodeProto node, String where) {
        for (OnnxIr.AttributeProto a : node.getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return Tensor.of(a.getT(), where);
                case "value_float":
                    return new Tensor(new long[0], new double[] {a.getF()});
                case "value_int":
                    return new Tensor(new long[0], new double[] {a.getI()});
                case "value_ints":
                    return new Tensor(new long[] {a.getIntsCount()}, a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray());
                case "value_floats":
                    double[] f = new double[a.getFloatsCount()];
                    for (int k = 0; k < f.length; k++) {
                        f[k] = a.getFloats(k);
                    }
                    return new Tensor(new long[] {f.length}, f);
                default:
                    break;
            }
        }
        throw new OnnxImportException(where + " has no supported value attribute");
    }

    /**
     * A constant broadcast against a tensor (numpy rules, right-aligned) as one value per channel;
     * only scalars and per-channel constants are supported.
     */
    private double[] perChannel(Tensor k, Polynomial p, String where) {
        int channels = p.channels();
        double[] out = new double[channels];
        if (k.size() == 1) {
            Arrays.fill(out, k.data()[0]);
            return out;
        }
        long[] d = k.dims();
        long[] full = new long[Math.max(p.rank(), d.length)];
        Arrays.fill(full, 1);
        System.arraycopy(d, 0, full, full.length - d.length, d.length);
        boolean ok = full.length == p.rank() && full[0] == 1 && full[1] == channels && k.size() == channels;
        for (int i = 2; ok && i < full.length; i++) {
            ok = full[i] == 1;
        }
        if (!ok) {
            throw new OnnxImportException(where + ": a constant of shape " + Arrays.toString(d)
                    + " broadcast against the " + p.rank() + "-D tensor is neither a scalar nor one value per channel ("
                    + channels + ")");
        }
        return k.data().clone();
    }

    /** A 1-D parameter with one value per channel (BatchNormalization's inputs). */
    private static double[] channelVector(Tensor k, Polynomial p, String what, String where) {
        if (k.size() != p.channels()) {
            throw new OnnxImportException(where + ": " + what + " has " + k.size() + " values for " + p.channels() + " channels");
        }
        return k.data().clone();
    }

    // ---- element-wise operators ----

    private Object addOrSub(OnnxIr.NodeProto node, boolean sub, String name, String where) {
        Object x = input(node, 0, where);
        Object y = input(node, 1, where);
        if (x instanceof Tensor && y instanceof Tensor) {
            throw new OnnxImportException(where + " combines two constants; export with constant folding enabled");
        }
        if (x instanceof Tensor kx) {
            Polynomial p = (Polynomial) y;
            Polynomial signed = sub ? p.times(filled(p.channels(), -1), name) : p;
            return signed.plus(perChannel(kx, p, where), name);
        }
        Polynomial p = (Polynomial) x;
        if (y instanceof Tensor ky) {
            double[] k = perChannel(ky, p, where);
            if (sub) {
                for (int i = 0; i < k.length; i++) {
                    k[i] = -k[i];
                }
            }
            return p.plus(k, name);
        }
        Polynomial q = (Polynomial) y;
        if (sub) {
            q = q.times(filled(q.channels(), -1), name);
        }
        if (p.base().equals(q.base())) {
            return p.plus(q, name);
        }
        if (sub) {
            throw new OnnxImportException(where + " subtracts two different tensors; only skip additions are supported");
        }
        // a skip connection: both operands become layers, then an Add layer joins them
        Shape sx = builder.shapeOf(p.base());
        Shape sy = builder.shapeOf(q.base());
        if (!sx.equals(sy)) {
            throw new OnnxImportException(where + " adds tensors of shapes " + sx + " and " + sy);
        }
        String a = materialize(p);
        String b = materialize(q);
        String n = unique(name);
        builder.add(n, a, b);
        last = n;
        return Polynomial.identity(n, Math.max(p.rank(), q.rank()), sx.channels(), name);
    }

    private Object mul(OnnxIr.NodeProto node, String name, String where) {
        Object x = input(node, 0, where);
        Object y = input(node, 1, where);
        if (x instanceof Tensor && y instanceof Tensor) {
            throw new OnnxImportException(where + " multiplies two constants; export with constant folding enabled");
        }
        if (x instanceof Tensor kx) {
            Polynomial p = (Polynomial) y;
            return p.times(perChannel(kx, p, where), name);
        }
        Polynomial p = (Polynomial) x;
        if (y instanceof Tensor ky) {
            return p.times(perChannel(ky, p, where), name);
        }
        return product(p, (Polynomial) y, name, where);
    }

    private Object div(OnnxIr.NodeProto node, String name, String where) {
        Polynomial p = poly(node, 0, where);
        double[] k = perChannel(constInput(node, 1, where), p, where);
        for (int i = 0; i < k.length; i++) {
            if (k[i] == 0) {
                throw new OnnxImportException(where + " divides by zero");
            }
            k[i] = 1 / k[i];
        }
        return p.times(k, name);
    }

    private Object pow(OnnxIr.NodeProto node, String name, String where) {
        Polynomial p = poly(node, 0, where);
        Tensor e = constInput(node, 1, where);
        if (e.size() != 1 || (e.data()[0] != 2 && e.data()[0] != 1)) {
            throw new OnnxImportException(where + ": only the exponent 2 (x²) is supported, got " + Arrays.toString(e.data()));
        }
        return e.data()[0] == 1 ? p : product(p, p, name, where);
    }

    private Polynomial product(Polynomial p, Polynomial q, String name, String where) {
        if (!p.base().equals(q.base())) {
            throw new OnnxImportException(where + " multiplies two different tensors; only x² of one tensor is supported");
        }
        if (p.degree() + q.degree() > 2) {
            throw new OnnxImportException(where + " makes a polynomial of degree " + (p.degree() + q.degree())
                    + "; activations must be of degree at most 2 (x² or a·x² + b·x + c)");
        }
        return p.times(q, name);
    }

    private Object batchNorm(OnnxIr.NodeProto node, String name, String where) {
        Polynomial p = poly(node, 0, where);
        if (intAttr(node, "training_mode", 0) != 0) {
            throw new OnnxImportException(where + " is in training mode; export the model in eval mode");
        }
        double eps = floatAttr(node, "epsilon", 1e-5);
        double[] gamma = channelVector(constInput(node, 1, where), p, "scale", where);
        double[] beta = channelVector(constInput(node, 2, where), p, "B", where);
        double[] mean = channelVector(constInput(node, 3, where), p, "mean", where);
        double[] var = channelVector(constInput(node, 4, where), p, "var", where);
        double[] s = new double[gamma.length];
        double[] h = new double[gamma.length];
        for (int i = 0; i < s.length; i++) {
            if (!(var[i] + eps > 0)) {
                throw new OnnxImportException(where + ": variance + epsilon of channel " + i + " is not positive");
            }
            s[i] = gamma[i] / Math.sqrt(var[i] + eps);
            h[i] = beta[i] - mean[i] * s[i];
        }
        return p.times(s, name).plus(h, name);
    }

    // ---- structural operators ----

    private Polynomial structural(String name, Layer layer, Polynomial in, int rank, String where) {
        String x = materialize(in);
        String n = unique(name);
        try {
            add(n, layer, x);
        } catch (UnsupportedLayerException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException(where + ": " + e.getMessage(), e);
        }
        return Polynomial.identity(n, rank, builder.shapeOf(n).channels(), name);
    }

    private Object conv(OnnxIr.NodeProto node, String name, String where) {
        Polynomial x = poly(node, 0, where);
        Tensor w = constInput(node, 1, where);
        long[] d = w.dims();
        if (d.length != 4) {
            throw new OnnxImportException(where + ": only 2-D convolutions are supported (weights " + Arrays.toString(d) + ")");
        }
        if (intAttr(node, "group", 1) != 1) {
            throw new OnnxImportException(where + ": grouped or depth-wise convolutions are not supported (group = "
                    + intAttr(node, "group", 1) + ")");
        }
        String autoPad = stringAttr(node, "auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET")) {
            throw new OnnxImportException(where + ": auto_pad " + autoPad + " is not supported; export explicit pads");
        }
        int k = Math.toIntExact(d[2]);
        if (d[2] != d[3]) {
            throw new OnnxImportException(where + ": only square kernels are supported, got " + d[2] + "×" + d[3]);
        }
        long[] dil = intsAttr(node, "dilations", new long[] {1, 1});
        if (Arrays.stream(dil).anyMatch(v -> v != 1)) {
            throw new OnnxImportException(where + ": dilated convolutions are not supported " + Arrays.toString(dil));
        }
        int stride = uniform(intsAttr(node, "strides", new long[] {1, 1}), "strides", where);
        int pad = uniform(intsAttr(node, "pads", new long[] {0, 0, 0, 0}), "pads", where);
        int in = Math.toIntExact(d[1]);
        int out = Math.toIntExact(d[0]);
        double[] bias = hasInput(node, 2) ? constInput(node, 2, where).data() : new double[out];
        if (bias.length != out) {
            throw new OnnxImportException(where + ": " + bias.length + " biases for " + out + " output channels");
        }
        Layer layer;
        try {
            layer = Conv2d.of(in, out, k, stride, pad, w.data(), bias);
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException(where + ": " + e.getMessage(), e);
        }
        return structural(name, layer, x, 4, where);
    }

    private Object gemm(OnnxIr.NodeProto node, String name, String where) {
        Polynomial x = poly(node, 0, where);
        if (intAttr(node, "transA", 0) != 0) {
            throw new OnnxImportException(where + ": transA = 1 is not supported");
        }
        Tensor b = constInput(node, 1, where);
        if (b.dims().length != 2) {
            throw new OnnxImportException(where + ": weights must be a matrix, got shape " + Arrays.toString(b.dims()));
        }
        boolean transB = intAttr(node, "transB", 0) != 0;
        double alpha = floatAttr(node, "alpha", 1);
        double beta = floatAttr(node, "beta", 1);
        int outputs = Math.toIntExact(transB ? b.dims()[0] : b.dims()[1]);
        int inputs = Math.toIntExact(transB ? b.dims()[1] : b.dims()[0]);
        double[] w = weightsOutByIn(b.data(), inputs, outputs, transB, alpha);
        double[] bias = new double[outputs];
        if (hasInput(node, 2)) {
            Tensor c = constInput(node, 2, where);
            if (c.size() != 1 && c.size() != outputs) {
                throw new OnnxImportException(where + ": bias of shape " + Arrays.toString(c.dims()) + " for " + outputs + " outputs");
            }
            for (int i = 0; i < outputs; i++) {
                bias[i] = beta * c.data()[c.size() == 1 ? 0 : i];
            }
        }
        return dense(name, x, inputs, outputs, w, bias, where);
    }

    private Object matMul(OnnxIr.NodeProto node, String name, String where) {
        Polynomial x = poly(node, 0, where);
        Tensor b = constInput(node, 1, where);
        if (b.dims().length != 2) {
            throw new OnnxImportException(where + ": weights must be a matrix, got shape " + Arrays.toString(b.dims()));
        }
        int inputs = Math.toIntExact(b.dims()[0]);
        int outputs = Math.toIntExact(b.dims()[1]);
        return dense(name, x, inputs, outputs, weightsOutByIn(b.data(), inputs, outputs, false, 1), new double[outputs], where);
    }

    private Object dense(String name, Polynomial x, int inputs, int outputs, double[] w, double[] bias, String where) {
        Shape s = builder.shapeOf(x.base());
        if (x.rank() != 2 || s.height() != 1 || s.width() != 1) {
            throw new OnnxImportException(where + " reads a " + x.rank() + "-D tensor " + s + "; flatten it first");
        }
        if (s.size() != inputs) {
            throw new OnnxImportException(where + " expects " + inputs + " inputs, got " + s.size());
        }
        return structural(name, new Dense(inputs, outputs, w, bias), x, 2, where);
    }

    private static double[] weightsOutByIn(double[] b, int inputs, int outputs, boolean stored, double alpha) {
        double[] w = new double[inputs * outputs];
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < inputs; i++) {
                w[o * inputs + i] = alpha * (stored ? b[o * inputs + i] : b[i * outputs + o]);
            }
        }
        return w;
    }

    private Object averagePool(OnnxIr.NodeProto node, String name, String where) {
        Polynomial x = poly(node, 0, where);
        long[] kernel = intsAttr(node, "kernel_shape", null);
        if (kernel == null) {
            throw new OnnxImportException(where + " has no kernel_shape");
        }
        int k = uniform(kernel, "kernel_shape", where);
        int stride = uniform(intsAttr(node, "strides", new long[] {1, 1}), "strides", where);
        long[] pads = intsAttr(node, "pads", new long[] {0, 0, 0, 0});
        if (Arrays.stream(pads).anyMatch(v -> v != 0) || !stringAttr(node, "auto_pad", "NOTSET").equals("NOTSET")) {
            throw new OnnxImportException(where + ": padded average pooling is not supported");
        }
        if (intAttr(node, "ceil_mode", 0) != 0) {
            throw new OnnxImportException(where + ": ceil_mode = 1 is not supported");
        }
        return structural(name, new AvgPool2d(k, stride), x, 4, where);
    }

    /** Zero padding is the identity (PyTorch emits it before AveragePool); real padding is refused. */
    private Object pad(OnnxIr.NodeProto node, String where) {
        Polynomial x = poly(node, 0, where);
        double[] pads = hasInput(node, 1) ? constInput(node, 1, where).data()
                : Arrays.stream(intsAttr(node, "pads", new long[0])).asDoubleStream().toArray();
        if (Arrays.stream(pads).anyMatch(v -> v != 0)) {
            throw new OnnxImportException(where + ": explicit padding " + Arrays.toString(pads)
                    + " is not supported; pad inside the convolution instead");
        }
        return x;
    }

    private Object flatten(OnnxIr.NodeProto node, String name, String where) {
        if (intAttr(node, "axis", 1) != 1) {
            throw new OnnxImportException(where + ": only axis = 1 (keep the batch dimension) is supported");
        }
        return toVector(poly(node, 0, where), name, where);
    }

    private Object reshape(OnnxIr.NodeProto node, String name, String where) {
        Polynomial x = poly(node, 0, where);
        double[] target = constInput(node, 1, where).data();
        int size = builder.shapeOf(x.base()).size();
        boolean flat = target.length == 2 && (target[0] == 1 || target[0] == -1 || target[0] == 0)
                && (target[1] == -1 || target[1] == size) && !(target[0] == -1 && target[1] == -1);
        if (!flat) {
            throw new OnnxImportException(where + ": only reshapes to [batch, " + size + "] (a flatten) are supported, got "
                    + Arrays.toString(target));
        }
        return toVector(x, name, where);
    }

    private Polynomial toVector(Polynomial x, String name, String where) {
        Shape s = builder.shapeOf(x.base());
        if (s.height() == 1 && s.width() == 1) {
            return new Polynomial(x.base(), 2, x.a(), x.b(), x.c(), x.origin()); // already a vector
        }
        return structural(name, new Flatten(), x, 2, where);
    }

    // ---- layers ----

    /** The node holding the value of a polynomial, adding its layer if it is not the identity. */
    private String materialize(Polynomial p) {
        if (p.isIdentity()) {
            return p.base();
        }
        String done = materialized.get(p);
        if (done != null) {
            return done;
        }
        Layer layer;
        if (p.isSquare()) {
            layer = new Square();
        } else if (p.degree() < 2) {
            layer = affine(p.b(), p.c());
        } else {
            layer = uniform(p.a()) && uniform(p.b()) && uniform(p.c())
                    ? Quadratic.of(p.a()[0], p.b()[0], p.c()[0])
                    : new Quadratic(p.a(), p.b(), p.c());
        }
        String n = unique(p.origin());
        add(n, layer, p.base());
        materialized.put(p, n);
        return n;
    }

    /** {@code s·x + h} per channel, as a batch-norm with mean 0 and variance 1 (folded by the compiler). */
    private static BatchNorm affine(double[] s, double[] h) {
        double[] zero = new double[s.length];
        return new BatchNorm(s, h, zero, ones(s.length), 0);
    }

    private void add(String n, Layer layer, String input) {
        builder.layer(n, layer, input);
        last = n;
    }

    private String unique(String base) {
        String n = base;
        for (int i = 2; !names.add(n); i++) {
            n = base + "#" + i;
        }
        return n;
    }

    // ---- attributes ----

    private static OnnxIr.AttributeProto attr(OnnxIr.NodeProto node, String name) {
        for (OnnxIr.AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttr(OnnxIr.NodeProto node, String name, long dflt) {
        OnnxIr.AttributeProto a = attr(node, name);
        return a == null ? dflt : a.getI();
    }

    private static double floatAttr(OnnxIr.NodeProto node, String name, double dflt) {
        OnnxIr.AttributeProto a = attr(node, name);
        return a == null ? dflt : a.getF();
    }

    private static String stringAttr(OnnxIr.NodeProto node, String name, String dflt) {
        OnnxIr.AttributeProto a = attr(node, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static long[] intsAttr(OnnxIr.NodeProto node, String name, long[] dflt) {
        OnnxIr.AttributeProto a = attr(node, name);
        return a == null ? dflt : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int uniform(long[] v, String what, String where) {
        if (v.length == 0 || Arrays.stream(v).anyMatch(x -> x != v[0]) || v[0] < 0 || v[0] > Integer.MAX_VALUE) {
            throw new OnnxImportException(where + ": " + what + " must be equal in every direction, got " + Arrays.toString(v));
        }
        return (int) v[0];
    }

    private static boolean uniform(double[] v) {
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }

    private static double[] ones(int n) {
        return filled(n, 1);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
