package org.ciphernet.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ciphernet.nn.model.BatchNorm;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Node;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.ciphernet.nn.model.UnsupportedLayerException;
import org.ciphernet.nn.onnx.internal.OnnxIr;
import org.junit.jupiter.api.Test;

class OnnxImporterTest {
    static final Path MODELS = Path.of("..", "testdata", "models");

    // ---- real models exported by PyTorch ----

    @Test
    void cryptoNetsComputesPyTorchsLogits() throws IOException {
        Network net = OnnxImporter.read(MODELS.resolve("cryptonets.onnx"));
        assertEquals(new Shape(1, 28, 28), net.inputShape());
        List<String> kinds = net.nodes().stream().map(n -> n.layer().getClass().getSimpleName()).toList();
        assertEquals(List.of("Conv2d", "Square", "Flatten", "Dense", "Square", "Dense"), kinds);
        Conv2d conv = (Conv2d) net.nodes().get(0).layer();
        assertEquals(2, conv.stride());
        assertEquals(1, conv.padding());
        assertEquals(5, conv.kernel());
        checkAgainstPyTorch(net, "cryptonets", 1e-4);
    }

    @Test
    void reluModelIsRejectedNamingTheNode() throws IOException {
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> OnnxImporter.read(MODELS.resolve("small-relu.onnx")));
        assertEquals("Relu", e.opType());
        assertTrue(e.getMessage().contains("Quadratic"), e.getMessage());
        assertTrue(e.getMessage().contains("/act1/Relu") || e.getMessage().contains("Relu_"), e.getMessage());
    }

    @Test
    void everyTrainedModelInTheManifestImportsAndMatchesPyTorch() throws IOException {
        JsonObject manifest = JsonParser.parseString(Files.readString(MODELS.resolve("manifest.json"))).getAsJsonObject();
        int checked = 0;
        for (var m : manifest.getAsJsonArray("models")) {
            String name = m.getAsJsonObject().get("name").getAsString();
            String architecture = m.getAsJsonObject().has("architecture")
                    ? m.getAsJsonObject().get("architecture").getAsString() : name;
            if (architecture.endsWith("-relu")) {
                continue; // the ReLU teachers (every seed) are the rejection case above
            }
            Network net = OnnxImporter.read(MODELS.resolve(m.getAsJsonObject().get("file").getAsString()));
            checkAgainstPyTorch(net, name, 1e-3);
            checked++;
        }
        assertTrue(checked >= 1);
    }

    /**
     * Parameter clustering (issue 17): a model trained with {@code --clusters K} imports with at
     * most K distinct weights in each convolution and dense layer (batch-norm was folded before
     * clustering, so the importer has nothing left to fold), and its base without clustering has
     * many more.
     */
    @Test
    void clusteredModelsHoldAtMostKDistinctWeightsPerLayer() throws IOException {
        JsonObject manifest = JsonParser.parseString(Files.readString(MODELS.resolve("manifest.json"))).getAsJsonObject();
        int checked = 0;
        for (var m : manifest.getAsJsonArray("models")) {
            JsonObject o = m.getAsJsonObject();
            if (!o.has("clusters")) {
                continue;
            }
            int k = o.get("clusters").getAsInt();
            Network net = OnnxImporter.read(MODELS.resolve(o.get("file").getAsString()));
            for (Node n : net.nodes()) {
                double[] w = n.layer() instanceof Conv2d c ? c.weights() : n.layer() instanceof Dense d ? d.weights() : null;
                if (w != null) {
                    long distinct = Arrays.stream(w).distinct().count();
                    assertTrue(distinct <= k, o.get("name").getAsString() + " layer " + n.name() + ": " + distinct + " > " + k);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 4, "clustered layers checked: " + checked);
        Network base = OnnxImporter.read(MODELS.resolve("small-quadratic.onnx"));
        assertTrue(base.nodes().stream().filter(n -> n.layer() instanceof Dense).mapToLong(n -> Arrays.stream(((Dense) n.layer())
                .weights()).distinct().count()).max().orElse(0) > 64, "the unclustered base repeats few weights");
    }

    /** The imported network, in plain doubles, gives PyTorch's float32 logits on 20 test images. */
    static void checkAgainstPyTorch(Network net, String name, double tol) throws IOException {
        JsonObject exp = JsonParser.parseString(Files.readString(MODELS.resolve(name + ".expected.json"))).getAsJsonObject();
        JsonArray pixels = exp.getAsJsonArray("pixels");
        JsonArray logits = exp.getAsJsonArray("logits");
        for (int i = 0; i < pixels.size(); i++) {
            JsonArray px = pixels.get(i).getAsJsonArray();
            double[] image = new double[px.size()];
            for (int k = 0; k < image.length; k++) {
                image[k] = px.get(k).getAsInt() / 255.0;
            }
            double[] got = ReferenceEvaluator.evaluate(net, image);
            JsonArray want = logits.get(i).getAsJsonArray();
            assertEquals(want.size(), got.length);
            for (int k = 0; k < got.length; k++) {
                double w = want.get(k).getAsDouble();
                assertEquals(w, got[k], tol * Math.max(1, Math.abs(w)), name + " image " + i + " logit " + k);
            }
        }
    }

    // ---- rejection paths ----

    @Test
    void corruptedBytesAreRejected() throws IOException {
        byte[] good = Files.readAllBytes(MODELS.resolve("cryptonets.onnx"));
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> OnnxImporter.read(Arrays.copyOf(good, good.length / 2), "half"));
        assertTrue(e.getMessage().contains("half"), e.getMessage());
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertThrows(OnnxImportException.class, () -> OnnxImporter.read(noise, "noise"));
        assertThrows(OnnxImportException.class, () -> OnnxImporter.read(new byte[0], "empty"));
    }

    @Test
    void unsupportedAttributesAndOperatorsNameTheNode() {
        var dilated = model(List.of(node("Conv", "conv7", List.of("x", "w"), List.of("y"), ints("dilations", 2, 2))),
                List.of(tensor("w", new long[] {1, 1, 3, 3}, new float[9])), 1, 5);
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> read(dilated));
        assertTrue(e.getMessage().contains("conv7") && e.getMessage().contains("dilat"), e.getMessage());

        var grouped = model(List.of(node("Conv", "g", List.of("x", "w"), List.of("y"), intAttr("group", 2))),
                List.of(tensor("w", new long[] {2, 1, 3, 3}, new float[18])), 2, 5);
        assertTrue(assertThrows(OnnxImportException.class, () -> read(grouped)).getMessage().contains("group"));

        var maxPool = model(List.of(node("MaxPool", "pool1", List.of("x"), List.of("y"), ints("kernel_shape", 2, 2))), List.of(), 1, 4);
        UnsupportedLayerException u = assertThrows(UnsupportedLayerException.class, () -> read(maxPool));
        assertTrue(u.getMessage().contains("pool1") && u.getMessage().contains("AvgPool2d"), u.getMessage());

        var cube = model(List.of(node("Mul", "m1", List.of("x", "x"), List.of("s")), node("Mul", "m2", List.of("s", "x"), List.of("y"))),
                List.of(), 1, 4);
        assertTrue(assertThrows(OnnxImportException.class, () -> read(cube)).getMessage().contains("degree 3"));

        var perPixel = model(List.of(node("Mul", "scale", List.of("x", "k"), List.of("y"))),
                List.of(tensor("k", new long[] {1, 1, 4, 4}, new float[16])), 1, 4);
        assertTrue(assertThrows(OnnxImportException.class, () -> read(perPixel)).getMessage().contains("per channel"));

        var cube3 = model(List.of(node("Pow", "p", List.of("x", "e"), List.of("y"))),
                List.of(tensor("e", new long[0], new float[] {3})), 1, 4);
        assertTrue(assertThrows(OnnxImportException.class, () -> read(cube3)).getMessage().contains("exponent 2"));

        var dangling = model(List.of(node("Add", "a", List.of("x", "nowhere"), List.of("y"))), List.of(), 1, 4);
        assertTrue(assertThrows(OnnxImportException.class, () -> read(dangling)).getMessage().contains("nowhere"));
    }

    // ---- element-wise folding ----

    @Test
    void quadraticPatternBatchNormAndSkipFoldIntoTheRightLayers() {
        Random r = new Random(7);
        int c = 3;
        float[] w = randomFloats(r, c * c * 9);
        float[] b = randomFloats(r, c);
        float[] gamma = randomFloats(r, c);
        float[] beta = randomFloats(r, c);
        float[] mean = randomFloats(r, c);
        float[] var = new float[c];
        for (int i = 0; i < c; i++) {
            var[i] = 0.5f + r.nextFloat();
        }
        float[] fc = randomFloats(r, 10 * c * 16);
        // conv → BN → 0.3·x² + 0.5·x + 0.1 (as Mul/Mul/Add/Add) → + input (skip) → flatten → Gemm(transB=0)
        var m = model(List.of(
                node("Conv", "conv", List.of("x", "w", "b"), List.of("c1"), ints("pads", 1, 1, 1, 1)),
                node("BatchNormalization", "bn", List.of("c1", "gamma", "beta", "mean", "var"), List.of("n")),
                node("Mul", "sq", List.of("n", "n"), List.of("s")),
                node("Mul", "qa", List.of("s", "qa_k"), List.of("t1")),
                node("Mul", "qb", List.of("qb_k", "n"), List.of("t2")),
                node("Add", "qsum", List.of("t1", "t2"), List.of("t3")),
                node("Add", "qc", List.of("t3", "qc_k"), List.of("q")),
                node("Add", "skip", List.of("q", "x"), List.of("sum")),
                node("Flatten", "flat", List.of("sum"), List.of("f")),
                node("Gemm", "fc", List.of("f", "fcw"), List.of("y"))),
                List.of(tensor("w", new long[] {c, c, 3, 3}, w), tensor("b", new long[] {c}, b),
                        tensor("gamma", new long[] {c}, gamma), tensor("beta", new long[] {c}, beta),
                        tensor("mean", new long[] {c}, mean), tensor("var", new long[] {c}, var),
                        tensor("qa_k", new long[0], new float[] {0.3f}), tensor("qb_k", new long[] {1}, new float[] {0.5f}),
                        tensor("qc_k", new long[] {c, 1, 1}, new float[] {0.1f, 0.1f, 0.1f}),
                        tensor("fcw", new long[] {c * 16, 10}, fc)), c, 4);
        Network net = read(m);
        List<String> kinds = net.nodes().stream().map(n -> n.layer().getClass().getSimpleName()).toList();
        assertEquals(List.of("Conv2d", "Quadratic", "Add", "Flatten", "Dense"), kinds);

        // the same computation written directly
        double eps = 1e-5;
        double[] ga = new double[c];
        double[] be = new double[c];
        double[] mu = new double[c];
        double[] va = new double[c];
        for (int i = 0; i < c; i++) {
            ga[i] = gamma[i];
            be[i] = beta[i];
            mu[i] = mean[i];
            va[i] = var[i];
        }
        double[] fcT = new double[10 * c * 16];
        for (int o = 0; o < 10; o++) {
            for (int i = 0; i < c * 16; i++) {
                fcT[o * c * 16 + i] = fc[i * 10 + o];
            }
        }
        Network direct = Network.builder("direct", new Shape(c, 4, 4))
                .layer("conv", Conv2d.of(c, c, 3, 1, 1, doubles(w), doubles(b)))
                .layer("bn", new BatchNorm(ga, be, mu, va, eps))
                .layer("q", Quadratic.of(0.3f, 0.5f, 0.1f))
                .add("skip", "q", Network.INPUT)
                .layer("flat", new Flatten())
                .layer("fc", new Dense(c * 16, 10, fcT, new double[10]))
                .build();
        for (int t = 0; t < 5; t++) {
            double[] x = new double[c * 16];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            double[] want = ReferenceEvaluator.evaluate(direct, x);
            double[] got = ReferenceEvaluator.evaluate(net, x);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-9 * Math.max(1, Math.abs(want[i])));
            }
        }
    }

    @Test
    void powSubDivMatMulAndReshapeAreSupported() {
        Random r = new Random(3);
        float[] mw = randomFloats(r, 8 * 4);
        // (x - 1)^2 / 4 → reshape [1, -1] → MatMul → Identity
        var m = model(List.of(
                node("Sub", "shift", List.of("x", "one"), List.of("a")),
                node("Pow", "sq", List.of("a", "two"), List.of("b")),
                node("Div", "quarter", List.of("b", "four"), List.of("c")),
                node("Reshape", "rs", List.of("c", "shape"), List.of("d")),
                node("MatMul", "mm", List.of("d", "mw"), List.of("e")),
                node("Identity", "id", List.of("e"), List.of("y"))),
                List.of(tensor("one", new long[0], new float[] {1}), tensor("two", new long[0], new float[] {2}),
                        tensor("four", new long[0], new float[] {4}), int64("shape", 1, -1),
                        tensor("mw", new long[] {8, 4}, mw)), 2, 2);
        Network net = read(m);
        double[] x = {0.5, -1, 2, 3, 0, 1, -2, 0.25};
        double[] got = ReferenceEvaluator.evaluate(net, x);
        for (int o = 0; o < 4; o++) {
            double want = 0;
            for (int i = 0; i < 8; i++) {
                want += (x[i] - 1) * (x[i] - 1) / 4 * mw[i * 4 + o];
            }
            assertEquals(want, got[o], 1e-9);
        }
        Node q = net.nodes().get(0);
        assertTrue(q.layer() instanceof Quadratic || q.layer() instanceof Square, q.toString());
    }

    @Test
    void convolutionStridePaddingAndBiasAreRead() {
        Random r = new Random(5);
        float[] w = randomFloats(r, 2 * 1 * 9);
        float[] b = randomFloats(r, 2);
        var m = model(List.of(node("Conv", "c", List.of("x", "w", "b"), List.of("y"),
                        ints("pads", 1, 1, 1, 1), ints("strides", 2, 2), ints("kernel_shape", 3, 3))),
                List.of(tensor("w", new long[] {2, 1, 3, 3}, w), tensor("b", new long[] {2}, b)), 1, 5);
        Network net = read(m);
        Conv2d conv = (Conv2d) net.nodes().get(0).layer();
        assertEquals(2, conv.stride());
        assertEquals(1, conv.padding());
        assertArrayEquals(doubles(b), conv.bias());
        assertEquals(new Shape(2, 3, 3), net.output().shape());
    }

    // ---- helpers: hand-built ONNX graphs ----

    static Network read(OnnxIr.ModelProto m) {
        return OnnxImporter.read(m.toByteArray(), "test");
    }

    static OnnxIr.ModelProto model(List<OnnxIr.NodeProto> nodes, List<OnnxIr.TensorProto> inits, int channels, int size) {
        OnnxIr.GraphProto.Builder g = OnnxIr.GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInitializer(inits);
        g.addInput(valueInfo("x", 1, channels, size, size));
        g.addOutput(OnnxIr.ValueInfoProto.newBuilder().setName("y"));
        return OnnxIr.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OnnxIr.OperatorSetIdProto.newBuilder().setVersion(13)).build();
    }

    static OnnxIr.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxIr.TensorShapeProto.Builder s = OnnxIr.TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(OnnxIr.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxIr.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxIr.TypeProto.newBuilder().setTensorType(OnnxIr.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s)))
                .build();
    }

    static OnnxIr.NodeProto node(String op, String name, List<String> in, List<String> out, OnnxIr.AttributeProto... attrs) {
        return OnnxIr.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static OnnxIr.AttributeProto ints(String name, long... v) {
        OnnxIr.AttributeProto.Builder a = OnnxIr.AttributeProto.newBuilder().setName(name).setType(OnnxIr.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static OnnxIr.AttributeProto intAttr(String name, long v) {
        return OnnxIr.AttributeProto.newBuilder().setName(name).setType(OnnxIr.AttributeProto.AttributeType.INT).setI(v).build();
    }

    static OnnxIr.TensorProto tensor(String name, long[] dims, float[] v) {
        OnnxIr.TensorProto.Builder t = OnnxIr.TensorProto.newBuilder().setName(name).setDataType(1);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float x : v) {
            t.addFloatData(x);
        }
        return t.build();
    }

    static OnnxIr.TensorProto int64(String name, long... v) {
        OnnxIr.TensorProto.Builder t = OnnxIr.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    static float[] randomFloats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextGaussian() * 0.5);
        }
        return f;
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
