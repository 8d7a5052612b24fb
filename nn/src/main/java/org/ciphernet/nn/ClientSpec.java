package org.ciphernet.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
 * @param inputRange the values an input may take (see {@link InputRange}); client-side policy, not
 *     part of the {@link #fingerprint()}
 * @param flooding the plan's noise flooding, if any: with server flooding the evaluation keys
 *     carry the public key, with safe decryption the client floods what it decrypts
 */
public record ClientSpec(String network, Mode mode, CkksParameters parameters, int inputSize, int[] inputGather,
        int[] outputSlots, int outputLevel, double outputScale, double inputScale, int inputLevel, List<Integer> rotationSteps,
        List<Integer> rotationLevels, boolean relinearization, InputRange inputRange,
        Optional<FloodingBudget> flooding) {
    /** Copies the arrays. */
    public ClientSpec {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(inputRange, "inputRange");
        Objects.requireNonNull(flooding, "flooding");
        inputGather = inputGather.clone();
        outputSlots = outputSlots.clone();
        rotationSteps = List.copyOf(rotationSteps);
        rotationLevels = List.copyOf(rotationLevels);
        if (rotationLevels.size() != rotationSteps.size()) {
            throw new IllegalArgumentException(rotationSteps.size() + " rotation steps but " + rotationLevels.size() + " levels");
        }
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

    /**
     * The plan's fingerprint: the first 8 bytes of a SHA-256 over a canonical encoding of everything
     * client and server must agree on (network name, mode, parameter fingerprint, input and output
     * layout, levels, scales, key steps and levels, relinearization). Two processes that compile
     * the same model with the same options get the same value; encrypted tensors carry it, so a
     * server refuses a query for another plan and a client an answer from another plan. Server-side
     * flooding (circuit privacy, its statistical bits) is included when the plan floods: client and
     * server must agree on it, since the client then sends the public key. The input range and safe
     * decryption are client-side policy and are left out.
     */
    public long fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF("ciphernet-plan-v1");
            out.writeUTF(network);
            out.writeUTF(mode.name());
            out.writeLong(parameters.fingerprint());
            out.writeInt(inputSize);
            writeInts(out, inputGather);
            writeInts(out, outputSlots);
            out.writeInt(outputLevel);
            out.writeLong(Double.doubleToLongBits(outputScale));
            out.writeLong(Double.doubleToLongBits(inputScale));
            out.writeInt(inputLevel);
            writeInts(out, rotationSteps.stream().mapToInt(Integer::intValue).toArray());
            writeInts(out, rotationLevels.stream().mapToInt(Integer::intValue).toArray());
            out.writeBoolean(relinearization);
            if (flooding.isPresent() && flooding.get().serverLog2Sigma().isPresent()) {
                // only for plans that flood, so the fingerprints of all other plans are unchanged
                out.writeUTF("circuit-privacy");
                out.writeInt(flooding.get().options().circuitPrivacyBits());
            }
            out.flush();
            return ByteBuffer.wrap(md.digest(bytes.toByteArray())).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fingerprint as 16 hex digits. */
    public String fingerprintHex() {
        return HexFormat.of().toHexDigits(fingerprint());
    }

    private static void writeInts(DataOutputStream out, int[] v) throws IOException {
        out.writeInt(v.length);
        for (int x : v) {
            out.writeInt(x);
        }
    }
}
