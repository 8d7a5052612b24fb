package org.ciphernet.nn;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;

/**
 * Looks at intermediate encrypted tensors during an inference, for the per-step errors of a
 * {@link RunReport}. Only a party holding the secret key can build a useful one (tests, the
 * harness); a server in production runs without.
 */
@FunctionalInterface
public interface Inspector {
    /**
     * The largest absolute error of an encrypted tensor that should equal the output of model layer
     * {@code layer}, or empty if unknown.
     *
     * @param slots where each element of the layer's output (in flat C×H×W order) is: its slot in
     *     single-image mode, its ciphertext in batched mode
     */
    OptionalDouble maxError(String layer, EncryptedTensor value, int[] slots);

    /** An inspector that checks nothing. */
    static Inspector none() {
        return (layer, value, slots) -> OptionalDouble.empty();
    }

    /** Compares single-image tensors with the plaintext reference of the same image. */
    static Inspector against(HeClient client, Network net, double[] image) {
        Map<String, double[]> ref = ReferenceEvaluator.evaluateAll(net, image);
        return (layer, value, slots) -> {
            double[] expected = ref.get(layer);
            if (expected == null || layer.equals(Network.INPUT)) {
                return OptionalDouble.empty();
            }
            requireLength(layer, slots, expected.length);
            double[] got = client.decryptSlots(value.ciphertexts().get(0));
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - got[slots[i]]));
            }
            return OptionalDouble.of(worst);
        };
    }

    /** Compares packed tensors (image b at the plan's slots + b·stride) with the plaintext reference of every image. */
    static Inspector againstPacked(HeClient client, Network net, double[][] images) {
        List<Map<String, double[]>> refs = java.util.Arrays.stream(images).map(im -> ReferenceEvaluator.evaluateAll(net, im)).toList();
        int stride = client.spec().imageStride();
        return (layer, value, slots) -> {
            if (refs.get(0).get(layer) == null || layer.equals(Network.INPUT)) {
                return OptionalDouble.empty();
            }
            requireLength(layer, slots, refs.get(0).get(layer).length);
            double[] got = client.decryptSlots(value.ciphertexts().get(0));
            double worst = 0;
            for (int b = 0; b < images.length; b++) {
                double[] expected = refs.get(b).get(layer);
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(expected[i] - got[b * stride + slots[i]]));
                }
            }
            return OptionalDouble.of(worst);
        };
    }

    /** Compares batched tensors with the plaintext reference of every image. */
    static Inspector againstBatch(HeClient client, Network net, double[][] images) {
        List<Map<String, double[]>> refs = java.util.Arrays.stream(images).map(im -> ReferenceEvaluator.evaluateAll(net, im)).toList();
        return (layer, value, slots) -> {
            if (refs.get(0).get(layer) == null || layer.equals(Network.INPUT)) {
                return OptionalDouble.empty();
            }
            requireLength(layer, slots, refs.get(0).get(layer).length);
            double worst = 0;
            for (int e = 0; e < slots.length; e++) {
                double[] got = client.decryptSlots(value.ciphertexts().get(slots[e]));
                for (int b = 0; b < images.length; b++) {
                    worst = Math.max(worst, Math.abs(refs.get(b).get(layer)[e] - got[b]));
                }
            }
            return OptionalDouble.of(worst);
        };
    }

    /** Refuses a plan whose tap of a layer does not hold one position per value of the layer (another network's plan). */
    private static void requireLength(String layer, int[] slots, int values) {
        if (slots.length != values) {
            throw new IllegalArgumentException("the plan places " + slots.length + " values of layer " + layer + " but the network's "
                    + "layer has " + values + ": inspect with the network the plan was compiled from");
        }
    }
}
