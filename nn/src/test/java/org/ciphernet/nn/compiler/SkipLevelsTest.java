package org.ciphernet.nn.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.GlobalAvgPool;
import org.ciphernet.nn.model.Layer;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.ciphernet.nn.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

/**
 * Skips cost no level on the critical path: a network with identity, projected or shared-source
 * skips is exactly as deep as the same network without them, whenever the skip's source has
 * levels to spare (it always has: it sits above the addition). The levels that cannot be saved,
 * for quadratic activations whose sign changes between channels, are explained in
 * {@link #aPerChannelSignChangeCostsALevelAfterEachSkip}.
 */
class SkipLevelsTest {
    private static final Path MODELS = Path.of("..", "testdata", "models");

    /** The depth the compiler's level passes give (what {@link Compiler} sizes the parameters for). */
    static int depth(Network net) {
        Lowering.Result lowered = Lowering.lower(net, true, true);
        List<IrNode> nodes = new ArrayList<>(lowered.nodes());
        IrNode out = Fusion.fuse(nodes, lowered.output());
        Scheduler.schedule(nodes, Set.of());
        return out.depth;
    }

    @Test
    void druckerZimermanVariantsAreAsDeepAsTheNetworkWithoutSkips() throws IOException {
        // three trained seeds each; resnet-shared seeds 1 and 2 have a negative quadratic coefficient
        // after a block (a free negation), and every variant has BN and quadratics to fuse
        for (String seed : List.of("", "-seed2", "-seed3")) {
            int none = depth(OnnxImporter.read(MODELS.resolve("resnet-none" + seed + ".onnx")));
            assertEquals(15, none, "stem (2) + 3 blocks × 4 + pooling and dense (1)");
            assertEquals(none, depth(OnnxImporter.read(MODELS.resolve("resnet-residual" + seed + ".onnx"))), "residual" + seed);
            assertEquals(none, depth(OnnxImporter.read(MODELS.resolve("resnet-shared" + seed + ".onnx"))), "shared" + seed);
        }
    }

    @Test
    void theCompiledPlanKeepsThatDepth() throws IOException {
        // scale reconciliation may insert alignments: none of them may land on the critical path
        HePlan shared = Compiler.compile(OnnxImporter.read(MODELS.resolve("resnet-shared.onnx")), CompileOptions.singleImage());
        assertEquals(15, shared.depth(), shared.report().toString());
        assertEquals(15, shared.parameters().maxLevel());
    }

    @Test
    void resNet20ShapesAreAsDeepAsWithoutSkips() {
        assertEquals(depth(resNet20(Skips.NONE, Act.SQUARE)), depth(ExampleNetworks.resNet20Shaped(1)), "the example network");
        for (Act act : List.of(Act.SQUARE, Act.QUADRATIC, Act.NEGATIVE_QUADRATIC)) {
            int none = depth(resNet20(Skips.NONE, act));
            assertEquals(2 + 9 * 4 + 1, none, act.name());
            assertEquals(none, depth(resNet20(Skips.RESIDUAL, act)), "residual, " + act);
            assertEquals(none, depth(resNet20(Skips.SHARED, act)), "shared source, " + act);
        }
    }

    @Test
    void aPerChannelSignChangeCostsALevelAfterEachSkip() {
        // A quadratic whose a changes sign between channels cannot move its scaling before the
        // square: +|a|·y² on some slots and −|a|·y² on others needs a per-slot sign, itself a
        // plaintext product (one level). Without skips the scaling fuses into the next convolution.
        // An activation read by two branches (the next block and a skip), or whose output goes
        // through an addition before the next convolution, leaves it nothing to fuse into: moving
        // it past the addition would multiply the skip by 1/a, unbounded in magnitude. So it costs
        // one level per such activation: residual skips, after each of the 9 blocks; shared-source
        // skips, at the stem (read by four branches) and at the end of each of the 3 stages.
        int none = depth(resNet20(Skips.NONE, Act.MIXED_QUADRATIC));
        assertEquals(2 + 9 * 4 + 1, none);
        assertEquals(none + 9, depth(resNet20(Skips.RESIDUAL, Act.MIXED_QUADRATIC)));
        assertEquals(none + 1 + 3, depth(resNet20(Skips.SHARED, Act.MIXED_QUADRATIC)));
    }

    private enum Skips { NONE, RESIDUAL, SHARED }

    private enum Act { SQUARE, QUADRATIC, NEGATIVE_QUADRATIC, MIXED_QUADRATIC }

    /**
     * A ResNet-20 shape (the topology; a quarter of the width, 8×8×3 images so that the test is
     * fast): stem conv and activation, 3 stages of 3 blocks (conv–act–conv–act, 4/8/16 channels, the first convolution of stages 2 and 3 with stride
     * 2), global average pooling and dense 16→10. Residual skips add each block's input before its
     * second activation (projected by a strided 1×1 convolution where shapes change); shared-source
     * skips add the stem's output after each stage (through average pooling and a 1×1 convolution
     * where shapes differ).
     */
    private static Network resNet20(Skips skips, Act act) {
        SplittableRandom r = new SplittableRandom(7);
        Network.Builder b = Network.builder("resnet20-" + skips + "-" + act, new Shape(3, 8, 8));
        b.layer("stem", conv(r, 3, 4, 3, 1, 1)).layer("stem.act", activation(act, 4, r));
        String prev = "stem.act";
        int in = 4;
        int[] channels = {4, 8, 16};
        for (int s = 0; s < 3; s++) {
            int c = channels[s];
            for (int k = 0; k < 3; k++) {
                String p = "s" + s + "b" + k;
                int stride = k == 0 && s > 0 ? 2 : 1;
                int cin = k == 0 ? in : c;
                b.layer(p + ".conv1", conv(r, cin, c, 3, stride, 1), prev).layer(p + ".act1", activation(act, c, r));
                b.layer(p + ".conv2", conv(r, c, c, 3, 1, 1));
                if (skips == Skips.RESIDUAL) {
                    String skip = prev;
                    if (stride != 1 || cin != c) {
                        b.layer(p + ".proj", conv(r, cin, c, 1, stride, 0), prev);
                        skip = p + ".proj";
                    }
                    b.add(p + ".add", p + ".conv2", skip);
                }
                b.layer(p + ".act2", activation(act, c, r));
                prev = p + ".act2";
            }
            if (skips == Skips.SHARED) {
                String source = "stem.act";
                if (s > 0) {
                    b.layer("src" + s + ".pool", new AvgPool2d(1 << s, 1 << s), "stem.act").layer("src" + s + ".conv", conv(r, 4, c, 1, 1, 0));
                    source = "src" + s + ".conv";
                }
                b.add("s" + s + ".skip", prev, source);
                prev = "s" + s + ".skip";
            }
            in = c;
        }
        return b.layer("gap", new GlobalAvgPool(), prev).layer("fc", new Dense(16, 10, random(r, 160), random(r, 10))).build();
    }

    private static Layer activation(Act act, int channels, SplittableRandom r) {
        if (act == Act.SQUARE) {
            return new Square();
        }
        double[] a = new double[channels];
        for (int i = 0; i < channels; i++) {
            double m = 0.1 + r.nextDouble();
            a[i] = switch (act) {
                case NEGATIVE_QUADRATIC -> -m;
                case MIXED_QUADRATIC -> i % 2 == 0 ? m : -m;
                default -> m;
            };
        }
        return new Quadratic(a, random(r, channels), random(r, channels));
    }

    private static Conv2d conv(SplittableRandom r, int in, int out, int k, int stride, int pad) {
        return Conv2d.of(in, out, k, stride, pad, random(r, out * in * k * k), random(r, out));
    }

    private static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }
}
