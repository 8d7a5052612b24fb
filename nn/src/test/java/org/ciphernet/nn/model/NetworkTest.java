package org.ciphernet.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The model: shape inference, every rejection path, and the reference evaluator's folded forms. */
class NetworkTest {
    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }

    @Test
    void unsupportedLayersNameTheirReplacement() {
        Network.Builder b = Network.builder("n", new Shape(1, 4, 4));
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class, () -> b.layer("r", Unsupported.relu()));
        assertTrue(e.getMessage().contains("'r' (Relu)") && e.getMessage().contains("Square"), e.getMessage());
        e = assertThrows(UnsupportedLayerException.class, () -> b.layer("m", Unsupported.maxPool()));
        assertTrue(e.getMessage().contains("AvgPool2d"), e.getMessage());
        e = assertThrows(UnsupportedLayerException.class, () -> b.layer("s", Unsupported.softmax()));
        assertTrue(e.getMessage().contains("argmax"), e.getMessage());
        e = assertThrows(UnsupportedLayerException.class, () -> b.layer("g", new Unsupported("Gelu")));
        assertTrue(e.getMessage().contains("Quadratic"), e.getMessage());
        e = assertThrows(UnsupportedLayerException.class, () -> b.layer("x", new Unsupported("TopK")));
        assertTrue(e.getMessage().contains("TopK"), e.getMessage());
    }

    @Test
    void shapeErrorsNameTheLayer() {
        Network.Builder b = Network.builder("n", new Shape(2, 6, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.layer("c", Conv2d.of(3, 1, 3, 1, 1, new double[27], new double[1])));
        assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("3 input channels"), e.getMessage());
        b.layer("c", Conv2d.of(2, 1, 3, 2, 0, new double[18], new double[1]));
        e = assertThrows(IllegalArgumentException.class, () -> b.add("a", "c", Network.INPUT));
        assertTrue(e.getMessage().contains("project"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.layer("c", new Square()), "duplicate name");
        assertThrows(IllegalArgumentException.class, () -> b.layer("d", new Square(), "nope"));
        assertThrows(IllegalArgumentException.class, () -> b.layer("e", new Dense(5, 2, new double[10], new double[2])));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.dirac(2, 3, new double[2], new double[2], new double[18], new double[2]),
                "Dirac weights count");
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(2, 3, 3, 1, 1, new double[54], new double[3],
                new double[3], new double[3]), "Dirac needs in = out");
        assertThrows(IllegalArgumentException.class, () -> Quadratic.of(Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(new double[] {1}, new double[] {0}, new double[] {0},
                new double[] {-1}, 0));
        assertEquals(new Shape(1, 2, 2), b.build().output().shape());
    }

    @Test
    void diracConvolutionEqualsItsFoldedForm() {
        SplittableRandom r = new SplittableRandom(1);
        double[] w = random(r, 3 * 3 * 9);
        double[] bias = random(r, 3);
        double[] alpha = random(r, 3);
        double[] beta = random(r, 3);
        Conv2d dirac = Conv2d.dirac(3, 3, alpha, beta, w, bias);
        Conv2d plain = Conv2d.of(3, 3, 3, 1, 1, dirac.effectiveWeights(), bias);
        Shape s = new Shape(3, 5, 5);
        double[] x = random(r, s.size());
        double[] a = ReferenceEvaluator.evaluate(Network.builder("d", s).layer("c", dirac).build(), x);
        double[] b = ReferenceEvaluator.evaluate(Network.builder("p", s).layer("c", plain).build(), x);
        assertArrayEquals(a, b, 1e-12);
    }

    @Test
    void batchNormQuadraticAndPoolingReference() {
        Shape s = new Shape(2, 2, 2);
        Network net = Network.builder("n", s)
                .layer("bn", new BatchNorm(new double[] {2, 1}, new double[] {1, 0}, new double[] {0.5, 0}, new double[] {4, 1}, 0))
                .layer("q", new Quadratic(new double[] {1, 0.5}, new double[] {0, 1}, new double[] {0, -1}))
                .layer("gap", new GlobalAvgPool())
                .build();
        double[] x = {0.5, 1.5, 2.5, 4.5, 1, 2, 3, 4};
        // bn: channel 0: 2·(x − 0.5)/2 + 1 = x + 0.5; channel 1: x
        // q: channel 0: y², channel 1: 0.5y² + y − 1
        double c0 = (1 + 4 + 9 + 25) / 4.0;
        double c1 = ((0.5 + 1 - 1) + (2 + 2 - 1) + (4.5 + 3 - 1) + (8 + 4 - 1)) / 4.0;
        assertArrayEquals(new double[] {c0, c1}, ReferenceEvaluator.evaluate(net, x), 1e-12);
    }
}
