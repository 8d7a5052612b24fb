package org.ciphernet.nn.model;

import java.util.SplittableRandom;

/**
 * Published HE-CNN architectures with random weights, for timing and tests: CryptoNets for MNIST
 * and a ResNet-20-shaped network with x² activations and shared-source skips for 32×32×3 images.
 * Weights are drawn from a seeded generator and each convolution is rescaled so that its outputs on
 * a calibration image stay within [−1, 1], which keeps x² activations from vanishing or exploding
 * on that image (trained networks get the same effect from batch-norm and a range penalty).
 *
 * <p>Random x² networks are badly conditioned: on another image an activation 10 % above its
 * calibrated range grows doubly exponentially through the squares, and the deep ResNet-20-shaped
 * network overflows doubles in plaintext. Check such networks on {@link #calibrationImage}.
 */
public final class ExampleNetworks {
    private ExampleNetworks() {
    }

    /** The image (values in [0, 1)) the networks made with this seed were calibrated on. */
    public static double[] calibrationImage(Shape input, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9e3779b97f4a7c15L);
        double[] image = new double[input.size()];
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextDouble();
        }
        return image;
    }

    /**
     * CryptoNets (Gilad-Bachrach et al. 2016) as in LoLa: conv 5×5 stride 2, padding 1, 5 maps on
     * 28×28 → x² → dense 845→100 → x² → dense 100→10.
     */
    public static Network cryptoNets(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Calibrated b = new Calibrated("cryptonets", new Shape(1, 28, 28), seed);
        b.conv("conv1", 1, 5, 5, 2, 1, rnd);
        b.builder.layer("act1", new Square());
        b.builder.layer("flatten", new Flatten());
        b.dense("fc1", 845, 100, rnd);
        b.builder.layer("act2", new Square());
        b.dense("fc2", 100, 10, rnd);
        return b.builder.build();
    }

    /**
     * A ResNet-20-shaped network for 32×32×3 inputs: a 3×3 stem (16 maps) and x², then 3 stages of
     * 3 blocks (conv–x²–conv–x²) with 16, 32 and 64 channels (the first convolution of stages 2
     * and 3 has stride 2), each stage ending with a shared-source skip that adds the stem output,
     * projected by average pooling and a 1×1 convolution where shapes differ; global average
     * pooling and dense 64→10.
     */
    public static Network resNet20Shaped(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Calibrated b = new Calibrated("resnet20-shared-source", new Shape(3, 32, 32), seed);
        b.conv("stem", 3, 16, 3, 1, 1, rnd);
        b.builder.layer("stem.act", new Square());
        String prev = "stem.act";
        int[] channels = {16, 32, 64};
        int in = 16;
        for (int s = 0; s < 3; s++) {
            int c = channels[s];
            for (int k = 0; k < 3; k++) {
                String p = "s" + (s + 1) + "b" + (k + 1);
                b.builder.layer(p + ".conv1", b.convLayer(p + ".conv1", k == 0 ? in : c, c, 3, k == 0 && s > 0 ? 2 : 1, 1, rnd, prev), prev);
                b.builder.layer(p + ".act1", new Square());
                b.conv(p + ".conv2", c, c, 3, 1, 1, rnd);
                b.builder.layer(p + ".act2", new Square());
                prev = p + ".act2";
            }
            String skip = "stem.act";
            if (s > 0) {
                int f = 1 << s;
                b.builder.layer("proj" + (s + 1) + ".pool", new AvgPool2d(f, f), "stem.act");
                b.conv("proj" + (s + 1) + ".conv", 16, c, 1, 1, 0, rnd);
                skip = "proj" + (s + 1) + ".conv";
            }
            b.builder.add("s" + (s + 1) + ".skip", prev, skip);
            prev = "s" + (s + 1) + ".skip";
            in = c;
        }
        b.builder.layer("gap", new GlobalAvgPool(), prev);
        b.dense("fc", 64, 10, rnd);
        return b.builder.build();
    }

    /** A builder that rescales each linear layer to outputs within [−1, 1] on a calibration image. */
    private static final class Calibrated {
        final Network.Builder builder;
        final double[] image;
        final String name;
        final Shape inputShape;
        String last = Network.INPUT;

        Calibrated(String name, Shape input, long seed) {
            this.builder = Network.builder(name, input);
            this.name = name;
            this.inputShape = input;
            image = calibrationImage(input, seed);
        }

        void conv(String node, int in, int out, int k, int stride, int pad, SplittableRandom rnd) {
            builder.layer(node, convLayer(node, in, out, k, stride, pad, rnd, null));
        }

        Conv2d convLayer(String node, int in, int out, int k, int stride, int pad, SplittableRandom rnd, String from) {
            double[] w = new double[out * in * k * k];
            double[] bias = new double[out];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextDouble() * 2 - 1;
            }
            for (int i = 0; i < out; i++) {
                bias[i] = (rnd.nextDouble() * 2 - 1) * 0.1;
            }
            Conv2d raw = Conv2d.of(in, out, k, stride, pad, w, bias);
            double m = maxAbs(raw, node, from);
            for (int i = 0; i < w.length; i++) {
                w[i] /= m;
            }
            for (int i = 0; i < out; i++) {
                bias[i] /= m;
            }
            return Conv2d.of(in, out, k, stride, pad, w, bias);
        }

        void dense(String node, int in, int out, SplittableRandom rnd) {
            double[] w = new double[in * out];
            double[] bias = new double[out];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextDouble() * 2 - 1;
            }
            Dense raw = new Dense(in, out, w, bias);
            double m = maxAbs(raw, node, null);
            for (int i = 0; i < w.length; i++) {
                w[i] /= m;
            }
            builder.layer(node, new Dense(in, out, w, bias));
        }

        /** The largest output magnitude of a layer appended to the network built so far. */
        private double maxAbs(Layer layer, String node, String from) {
            Network probe;
            Network.Builder copy = Network.builder(name, inputShape);
            Network sofar = null;
            try {
                sofar = builder.build();
            } catch (IllegalStateException e) {
                // no layers yet
            }
            if (sofar != null) {
                for (Node n : sofar.nodes()) {
                    copy.layer(n.name(), n.layer(), n.inputs().toArray(String[]::new));
                }
            }
            if (from != null) {
                copy.layer(node, layer, from);
            } else {
                copy.layer(node, layer);
            }
            probe = copy.build();
            double m = 0;
            for (double v : ReferenceEvaluator.evaluate(probe, image)) {
                m = Math.max(m, Math.abs(v));
            }
            return m == 0 ? 1 : m;
        }
    }
}
