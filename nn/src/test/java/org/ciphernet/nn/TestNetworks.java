package org.ciphernet.nn;

import java.util.SplittableRandom;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.BatchNorm;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.GlobalAvgPool;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;

/** Small random networks covering every layer and option; weights keep activations near [−1, 1]. */
final class TestNetworks {
    private TestNetworks() {
    }

    static double[] random(SplittableRandom r, int n, double bound) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * bound;
        }
        return v;
    }

    static Conv2d conv(SplittableRandom r, int in, int out, int k, int stride, int pad) {
        double bound = 1.0 / (in * k * k);
        return Conv2d.of(in, out, k, stride, pad, random(r, out * in * k * k, 2 * bound), random(r, out, 0.1));
    }

    static Dense dense(SplittableRandom r, int in, int out) {
        return new Dense(in, out, random(r, in * out, 2.0 / in), random(r, out, 0.1));
    }

    static double[] image(Shape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[s.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        return x;
    }

    /** conv (stride 2, padding) → BN → per-channel quadratic → avgpool → flatten → dense. */
    static Network convBnQuadPoolDense(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("conv-bn-quad-pool-dense", new Shape(2, 8, 8))
                .layer("conv", conv(r, 2, 3, 3, 2, 1))
                .layer("bn", new BatchNorm(new double[] {1.2, 0.8, 1.0}, new double[] {0.1, -0.1, 0}, new double[] {0.05, 0, -0.05},
                        new double[] {0.5, 1.5, 1.0}, 1e-5))
                .layer("quad", new Quadratic(new double[] {0.5, 0.25, -0.3}, new double[] {0.5, 1, 0.2}, new double[] {0.1, 0, -0.2}))
                .layer("pool", new AvgPool2d(2, 2))
                .layer("flatten", new Flatten())
                .layer("fc", dense(r, 12, 5))
                .build();
    }

    /** A per-channel quadratic with a = 0 on one channel (not rewritable as a shifted square). */
    static Network quadraticWithZero(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("quadratic-a0", new Shape(2, 4, 4))
                .layer("conv", conv(r, 2, 2, 3, 1, 1))
                .layer("quad", new Quadratic(new double[] {0.5, 0}, new double[] {0.3, 1.2}, new double[] {0.1, -0.1}))
                .layer("flatten", new Flatten())
                .layer("fc", dense(r, 32, 4))
                .build();
    }

    /**
     * Shared-source skips (Drucker &amp; Zimerman): the stem output is added at the end of both
     * stages, directly in the first (Dirac convolution) and through avgpool + 1×1 conv in the second
     * (stride 2, more channels).
     */
    static Network sharedSource(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Conv2d plain = conv(r, 4, 4, 3, 1, 1);
        Conv2d dirac = Conv2d.dirac(4, 3, random(r, 4, 0.5), random(r, 4, 1), plain.weights(), plain.bias());
        return Network.builder("shared-source", new Shape(2, 8, 8))
                .layer("stem", conv(r, 2, 4, 3, 1, 1))
                .layer("stem.act", new Square())
                .layer("s1.conv", dirac)
                .layer("s1.act", new Square())
                .add("s1.skip", "s1.act", "stem.act")
                .layer("s2.conv", conv(r, 4, 8, 3, 2, 1))
                .layer("s2.act", new Square())
                .layer("proj.pool", new AvgPool2d(2, 2), "stem.act")
                .layer("proj.conv", conv(r, 4, 8, 1, 1, 0))
                .add("s2.skip", "s2.act", "proj.conv")
                .layer("gap", new GlobalAvgPool())
                .layer("fc", dense(r, 8, 3))
                .build();
    }

    /** Reference residual blocks: each block adds its own input. */
    static Network residual(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("residual", new Shape(1, 6, 6))
                .layer("stem", conv(r, 1, 3, 3, 1, 1))
                .layer("stem.act", new Square())
                .layer("b1.conv", conv(r, 3, 3, 3, 1, 1))
                .layer("b1.act", new Quadratic(new double[] {0.3}, new double[] {0.5}, new double[] {0}))
                .add("b1.skip", "b1.act", "stem.act")
                .layer("b2.conv", conv(r, 3, 3, 3, 1, 1))
                .layer("b2.act", new Square())
                .add("b2.skip", "b2.act", "b1.skip")
                .layer("flatten", new Flatten())
                .layer("fc", dense(r, 108, 4))
                .build();
    }

    /**
     * Drucker &amp; Zimerman-style skips with quadratic activations of both signs: a residual block
     * whose addition comes before a quadratic with a &lt; 0 (its scaling becomes a free negation),
     * then a shared-source addition after another negative quadratic. As deep as without skips.
     */
    static Network quadraticSkips(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("quadratic-skips", new Shape(1, 6, 6))
                .layer("stem", conv(r, 1, 3, 3, 1, 1))
                .layer("stem.act", new Quadratic(new double[] {0.4}, new double[] {0.5}, new double[] {0.1}))
                .layer("b1.conv1", conv(r, 3, 3, 3, 1, 1))
                .layer("b1.act1", new Quadratic(new double[] {0.3}, new double[] {0.5}, new double[] {0.05}))
                .layer("b1.conv2", conv(r, 3, 3, 3, 1, 1))
                .add("b1.add", "b1.conv2", "stem.act")
                .layer("b1.act2", new Quadratic(new double[] {-0.35}, new double[] {0.6}, new double[] {0.2}))
                .layer("b2.conv", conv(r, 3, 3, 3, 1, 1))
                .layer("b2.act", new Quadratic(new double[] {-0.5}, new double[] {0.4}, new double[] {-0.1}))
                .add("b2.skip", "b2.act", "stem.act")
                .layer("flatten", new Flatten())
                .layer("fc", dense(r, 108, 4))
                .build();
    }

    /**
     * Strided layers followed by more convolutions, on an odd-sized input (the multiplexed grid
     * must grow): conv stride 2 → BN → per-channel quadratic with a = 0 → conv → x² + skip →
     * avgpool stride 2 → 1×1 conv → x² → flatten → dense.
     */
    static Network stridedStack(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("strided-stack", new Shape(3, 7, 7))
                .layer("c1", conv(r, 3, 4, 3, 2, 1))
                .layer("bn", new BatchNorm(new double[] {1.1, 0.9, 1.0, 1.2}, new double[] {0.1, -0.1, 0, 0.05},
                        new double[] {0.05, 0, -0.05, 0.1}, new double[] {0.5, 1.5, 1.0, 0.8}, 1e-5))
                .layer("q", new Quadratic(new double[] {0.5, 0, 0.3, -0.2}, new double[] {0.5, 1, 0.2, 0.7}, new double[] {0.1, 0, -0.2, 0}))
                .layer("c2", conv(r, 4, 4, 3, 1, 1))
                .layer("a2", new Square())
                .add("skip", "a2", "q")
                .layer("pool", new AvgPool2d(2, 2))
                .layer("c3", conv(r, 4, 8, 1, 1, 0))
                .layer("a3", new Square())
                .layer("flatten", new Flatten())
                .layer("fc", dense(r, 32, 3))
                .build();
    }

    /**
     * An addition whose operands have different layouts: a flattened strided output (gapped when
     * multiplexed) plus a dense layer's output (packed), so one is moved to the other's slots.
     */
    static Network mixedLayoutAdd(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Network.builder("mixed-layout-add", new Shape(1, 4, 4))
                .layer("conv", conv(r, 1, 2, 3, 2, 1))
                .layer("act", new Square())
                .layer("flatten", new Flatten())
                .layer("fc1", dense(r, 8, 8))
                .add("sum", "fc1", "flatten")
                .layer("fc2", dense(r, 8, 3))
                .build();
    }
}
