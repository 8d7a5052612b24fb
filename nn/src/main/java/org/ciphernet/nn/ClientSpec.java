package org.ciphernet.nn;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.ciphernet.ckks.CkksParameters;

/**
 * The part of a plan a client needs, and nothing about the weights: the parameters, how an image
 * is laid out in the slots before encryption, where the output is, and which evaluation keys to
 * generate.
 *
 * @param inputSize the number of values of one image
 * @param inputGather for each slot of the encrypted vector, the image index it holds, or −1 for zero
 *     (the identity in batched mode, where slot b holds image b instead)
 * @param outputSlots the slot (single-image mode) or ciphertext (batched mode) holding each output value
 * @param outputLevel the level of the result
 * @param outputScale the scale of the result
 * @param inputScale the scale images are encoded at
 * @param inputLevel the level images are encrypted at
 * @param rotationSteps the rotation steps to generate Galois keys for
 * @param rotationLevels for each rotation step, the highest level its key is used at (the key is
 *     made for those levels only)
 * @param relinearization whether a relinearization key is needed
 * @param flooding the plan's noise flooding, if any: with server flooding the evaluation keys
 *     carry the public key, with safe decryption the client floods what it decrypts
 */
public record ClientSpec(String network, Mode mode, CkksParameters parameters, int inputSize, int[] inputGather,
        int[] outputSlots, int outputLevel, double outputScale, double inputScale, int inputLevel, List<Integer> rotationSteps,
        List<Integer> rotationLevels, boolean relinearization, Optional<FloodingBudget> flooding) {
    /** Copies the arrays. */
    public ClientSpec {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(flooding, "flooding");
        inputGather = inputGather.clone();
        outputSlots = outputSlots.clone();
        rotationSteps = List.copyOf(rotationSteps);
        rotationLevels = List.copyOf(rotationLevels);
        if (rotationLevels.size() != rotationSteps.size()) {
            throw new IllegalArgumentException(rotationSteps.size() + " rotation steps but " + rotationLevels.size() + " levels");
        }
    }

    /** A specification without flooding. */
    public ClientSpec(String network, Mode mode, CkksParameters parameters, int inputSize, int[] inputGather, int[] outputSlots,
            int outputLevel, double outputScale, double inputScale, int inputLevel, List<Integer> rotationSteps,
            List<Integer> rotationLevels, boolean relinearization) {
        this(network, mode, parameters, inputSize, inputGather, outputSlots, outputLevel, outputScale, inputScale, inputLevel,
                rotationSteps, rotationLevels, relinearization, Optional.empty());
    }

    @Override
    public int[] inputGather() {
        return inputGather.clone();
    }

    @Override
    public int[] outputSlots() {
        return outputSlots.clone();
    }

    /** The number of output values. */
    public int outputSize() {
        return outputSlots.length;
    }
}
