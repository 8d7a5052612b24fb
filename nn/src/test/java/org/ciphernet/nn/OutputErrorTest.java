package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.compiler.OutputError;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

/**
 * The predicted output error of a plan bounds the error measured on real encrypted runs under the
 * user's own keys, on images of the range it was estimated for. Small insecure rings keep it fast;
 * the bound's validity does not depend on the security level.
 */
class OutputErrorTest {
    private static final int IMAGES = 6;

    /** The largest |decrypted − plaintext| output over a few images in [0, 1), under a fresh key pair. */
    private static double measured(Network net, HePlan plan) {
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[] {7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
            11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
        double worst = 0;
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            if (plan.mode() != Mode.SINGLE_IMAGE) {
                int n = Math.min(IMAGES, plan.imagesPerCiphertext());
                double[][] images = new double[n][];
                for (int i = 0; i < n; i++) {
                    images[i] = TestNetworks.image(net.inputShape(), 100 + i);
                }
                double[][] got = client.decryptBatch(server.infer(client.encryptBatch(images)));
                for (int i = 0; i < n; i++) {
                    worst = Math.max(worst, maxDiff(ReferenceEvaluator.evaluate(net, images[i]), got[i]));
                }
            } else {
                for (int i = 0; i < IMAGES; i++) {
                    double[] x = TestNetworks.image(net.inputShape(), 100 + i);
                    worst = Math.max(worst, maxDiff(ReferenceEvaluator.evaluate(net, x), client.decrypt(server.infer(client.encrypt(x)))));
                }
            }
        }
        return worst;
    }

    private static double maxDiff(double[] want, double[] got) {
        assertEquals(want.length, got.length);
        double d = 0;
        for (int i = 0; i < want.length; i++) {
            d = Math.max(d, Math.abs(got[i] - want[i]));
        }
        return d;
    }

    private static void boundsRealRuns(Network net, CompileOptions options) {
        HePlan plan = Compiler.compile(net, options.withSecurity(SecurityLevel.NONE_INSECURE).withInputRange(0, 1));
        double predicted = OutputError.predictedMax(plan);
        double real = measured(net, plan);
        System.out.printf("%s (%s): predicted output error %.3g, measured %.3g%n", net.name(), plan.mode(), predicted, real);
        assertTrue(real > 0, "an encrypted run has some error");
        assertTrue(predicted > real, "predicted " + predicted + " must exceed the measured " + real);
        // a bound, not a blanket: within a few bits of what real runs show
        assertTrue(predicted < 1e3 * real, "predicted " + predicted + " vs measured " + real);
        assertEquals(predicted, OutputError.predictedMax(plan), "deterministic");
        // from sample images like the real ones (other images than the measured ones), output slots only
        double[][] sample = new double[16][];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = TestNetworks.image(net.inputShape(), 200 + i);
        }
        double fromImages = OutputError.predictedMax(plan, sample);
        System.out.printf("%s (%s): predicted from sample images %.3g%n", net.name(), plan.mode(), fromImages);
        assertTrue(fromImages > real && fromImages < 1e3 * real, "predicted " + fromImages + " vs measured " + real);
        assertEquals(fromImages, OutputError.predictedMax(plan, sample), "deterministic");
    }

    @Test
    void packedBoundExceedsTheMeasuredError() {
        boundsRealRuns(TestNetworks.quadraticSkips(5), CompileOptions.packed());
    }

    @Test
    void singleImageBoundExceedsTheMeasuredError() {
        boundsRealRuns(TestNetworks.convBnQuadPoolDense(3), CompileOptions.singleImage());
    }

    @Test
    void batchedBoundExceedsTheMeasuredError() {
        boundsRealRuns(TestNetworks.quadraticWithZero(2), CompileOptions.batched());
    }

    @Test
    void aNarrowerRangeIsAcceptedAWiderOneRefused() {
        Network net = TestNetworks.quadraticWithZero(2);
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE).withInputRange(-1, 1));
        double narrow = OutputError.predictedMax(plan, new InputRange(0, 1));
        assertTrue(narrow > 0 && Double.isFinite(narrow));
        assertThrows(IllegalArgumentException.class, () -> OutputError.predictedMax(plan, new InputRange(0, 2)));
    }
}
