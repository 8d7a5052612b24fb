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
 * is laid out in the slots before encryption, where the outputs are, which evaluation keys to
 * generate, and the digest of the whole program (so the client's fingerprint is the plan's).
 *
 * @param network the network's name
 * @param mode single-image, packed or batched
 * @param parameters the CKKS parameters
 * @param input how images are encrypted
 * @param output where the outputs are
 * @param keys the evaluation keys to generate
 * @param inputRange the values an input may take (see {@link InputRange}); client-side policy, not
 *     part of the {@link #fingerprint()}
 * @param flooding the plan's noise flooding, if any: with server flooding the evaluation keys
 *     carry the public key, with safe decryption the client floods what it decrypts
 * @param programDigest the digest of the plan's program (steps, weights, levels, scales, layout)
 */
public record ClientSpec(String network, Mode mode, CkksParameters parameters, Input input, Output output, Keys keys,
        InputRange inputRange, Optional<FloodingBudget> flooding, long programDigest) {
    /** Checks for nulls. */
    public ClientSpec {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(inputRange, "inputRange");
        Objects.requireNonNull(flooding, "flooding");
        int stride = input.imageStride();
        if (mode == Mode.PACKED ? stride < 1 || Integer.bitCount(stride) != 1 || stride > parameters.slots() : stride != 0) {
            throw new IllegalArgumentException("an image stride of " + stride + " does not fit a " + mode + " plan");
        }
    }

    /**
     * How an image is encrypted.
     *
     * @param size the number of values of one image
     * @param gather for each slot of the encrypted vector, the image index it holds, or −1 for zero
     *     (the identity in batched mode, where slot b holds image b instead)
     * @param level the level images are encrypted at
     * @param scale the scale images are encoded at
     * @param imageStride packed plans: the slots between consecutive images (image j's gathered
     *     vector starts at slot j·stride); 0 in the other modes
     */
    public record Input(int size, int[] gather, int level, double scale, int imageStride) {
        /** Copies the gather. */
        public Input {
            gather = gather.clone();
        }

        /** The input of a plan that is not packed. */
        public Input(int size, int[] gather, int level, double scale) {
            this(size, gather, level, scale, 0);
        }

        @Override
        public int[] gather() {
            return gather.clone();
        }
    }

    /**
     * Where the outputs are.
     *
     * @param slots the slot (single-image mode) or ciphertext (batched mode) holding each output value
     * @param level the level of the result
     * @param scale the scale of the result
     */
    public record Output(int[] slots, int level, double scale) {
        /** Copies the slots. */
        public Output {
            slots = slots.clone();
        }

        @Override
        public int[] slots() {
            return slots.clone();
        }
    }

    /**
     * The evaluation keys a server needs.
     *
     * @param rotationSteps the rotation steps to generate Galois keys for
     * @param rotationLevels for each rotation step, the highest level its key is used at (the key
     *     is made for those levels only)
     * @param relinearization whether a relinearization key is needed
     */
    public record Keys(List<Integer> rotationSteps, List<Integer> rotationLevels, boolean relinearization) {
        /** Copies the lists. */
        public Keys {
            rotationSteps = List.copyOf(rotationSteps);
            rotationLevels = List.copyOf(rotationLevels);
            if (rotationLevels.size() != rotationSteps.size()) {
                throw new IllegalArgumentException(rotationSteps.size() + " rotation steps but " + rotationLevels.size() + " levels");
            }
        }
    }

    /** Packed plans: the slots between consecutive images of the encrypted vector; 0 in the other modes. */
    public int imageStride() {
        return input.imageStride();
    }

    /** The images one ciphertext (one evaluation) holds: k in a packed plan, the slots when batched, 1 for a single image. */
    public int imagesPerCiphertext() {
        return switch (mode) {
            case SINGLE_IMAGE -> 1;
            case PACKED -> parameters.slots() / input.imageStride();
            case BATCHED -> parameters.slots();
        };
    }

    /** The number of values of one image. */
    public int inputSize() {
        return input.size();
    }

    /** For each slot of the encrypted vector, the image index it holds, or −1. */
    public int[] inputGather() {
        return input.gather();
    }

    /** The level images are encrypted at. */
    public int inputLevel() {
        return input.level();
    }

    /** The scale images are encoded at. */
    public double inputScale() {
        return input.scale();
    }

    /** The slot (single image) or ciphertext (batched) of each output value. */
    public int[] outputSlots() {
        return output.slots();
    }

    /** The number of output values. */
    public int outputSize() {
        return output.slots.length;
    }

    /** The level of the result. */
    public int outputLevel() {
        return output.level();
    }

    /** The scale of the result. */
    public double outputScale() {
        return output.scale();
    }

    /** The rotation steps to generate Galois keys for. */
    public List<Integer> rotationSteps() {
        return keys.rotationSteps();
    }

    /** Per rotation step, the highest level its key is used at. */
    public List<Integer> rotationLevels() {
        return keys.rotationLevels();
    }

    /** Whether a relinearization key is needed. */
    public boolean relinearization() {
        return keys.relinearization();
    }

    /**
     * The plan's fingerprint: the first 8 bytes of a SHA-256 over a canonical encoding of everything
     * client and server must agree on: network name, mode, parameter fingerprint, input and output
     * layout, levels, scales, key steps and levels, relinearization, and the program's digest (every
     * step and weight). Two processes that compile the same model with the same options get the same
     * value; encrypted tensors and evaluation keys carry it, so a server refuses a query for another
     * plan and a client an answer from another plan. Server-side flooding (circuit privacy, its
     * statistical bits and the width of the server's noise) is included when the plan floods: client and server must agree on it, since
     * the client then sends the public key. The input range and safe decryption are client-side
     * policy and are left out.
     */
    public long fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF("ciphernet-plan-v2");
            out.writeUTF(network);
            out.writeUTF(mode.name());
            if (mode == Mode.PACKED) {
                out.writeInt(input.imageStride());
            }
            out.writeLong(parameters.fingerprint());
            out.writeInt(input.size());
            writeInts(out, input.gather);
            writeInts(out, output.slots);
            out.writeInt(output.level());
            out.writeLong(Double.doubleToLongBits(output.scale()));
            out.writeLong(Double.doubleToLongBits(input.scale()));
            out.writeInt(input.level());
            writeInts(out, keys.rotationSteps().stream().mapToInt(Integer::intValue).toArray());
            writeInts(out, keys.rotationLevels().stream().mapToInt(Integer::intValue).toArray());
            out.writeBoolean(keys.relinearization());
            out.writeLong(programDigest);
            if (flooding.isPresent() && flooding.get().serverLog2Sigma().isPresent()) {
                out.writeUTF("circuit-privacy");
                out.writeInt(flooding.get().options().circuitPrivacyBits());
                out.writeLong(Double.doubleToLongBits(flooding.get().serverLog2Sigma().getAsDouble())); // the server's flooding width
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
