package org.ciphernet.nn.compiler;

import java.util.Objects;
import java.util.Optional;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.nn.FloodingOptions;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.Mode;

/**
 * What the compiler may choose. The single-image defaults pick 128-bit-secure parameters just deep
 * enough for the network, with a scale of 2^40 if the ring allows it (down to 2^30 for deep
 * networks) and 10 bits of headroom for the output values (|output| < 2^9). With these defaults
 * every prime stays below 2^50, where the vectorized double-precision kernels apply; above it the
 * arithmetic falls back to the much slower scalar 128-bit path. The batched defaults use a scale of
 * 2^30 and {@code smallPrimes}: every prime stays near 2^30, where the weighted sums that make up a
 * batched network take the split-weight kernel (two exact fused multiply-adds per term), and the
 * output's headroom is one more 30-bit prime, which the plan leaves unused, instead of a wider
 * first prime.
 *
 * @param mode single-image (rotations) or batched (one image per slot)
 * @param security the security level parameters must meet
 * @param maxScaleBits the preferred scale, log2
 * @param minScaleBits the smallest scale the chooser may fall back to, log2
 * @param integerBits bits of the output magnitude above the scale (the first prime is scale + this)
 * @param parameters explicit parameters instead of choosing them (checked against the network)
 * @param im2col whether the client may lay the input out as convolution patches (single-image mode)
 * @param maxKeyBytes memory allowed for Galois keys: when the exact step set needs more, keys are
 *     made for ±powers of two (and the most used steps that still fit) and other rotations are
 *     composed from them at run time
 * @param smallPrimes keep every prime below 2^32 (scale at most 2^31): the first prime has the
 *     scale's size and the integer bits are carried by {@code ceil((integerBits + 1) / scale)}
 *     extra primes, so the output is decrypted at that level instead of level 0
 * @param inputRange the values an input may take, as declared by the caller; empty for the default
 *     of {@link InputRange#ofHeadroom} (see {@link #effectiveInputRange()})
 * @param flooding noise flooding of the outputs for circuit privacy and safe decryption (off by
 *     default; see {@link FloodingOptions})
 * @param stridedLayout how single-image plans lay out the outputs of strided convolutions and
 *     poolings: the cheaper by estimated cost (the default), or one forced ({@link StridedLayout})
 */
public record CompileOptions(Mode mode, SecurityLevel security, int maxScaleBits, int minScaleBits, int integerBits,
        Optional<CkksParameters> parameters, boolean im2col, long maxKeyBytes, boolean smallPrimes, Optional<InputRange> inputRange,
        FloodingOptions flooding, StridedLayout stridedLayout) {
    /** Default Galois key budget: 8 GiB. */
    public static final long DEFAULT_MAX_KEY_BYTES = 8L << 30;

    /** Validates the options. */
    public CompileOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(inputRange, "inputRange");
        Objects.requireNonNull(flooding, "flooding");
        Objects.requireNonNull(stridedLayout, "stridedLayout");
        if (minScaleBits < 20 || maxScaleBits < minScaleBits || maxScaleBits > 55) {
            throw new IllegalArgumentException("scale bits must satisfy 20 ≤ min ≤ max ≤ 55, got " + minScaleBits + ", " + maxScaleBits);
        }
        if (integerBits < 1 || integerBits + maxScaleBits > 61) {
            throw new IllegalArgumentException("integer bits must be positive with scale + integer bits ≤ 61");
        }
        if (maxKeyBytes < 0) {
            throw new IllegalArgumentException("key budget must not be negative");
        }
        if (smallPrimes && maxScaleBits > 31) {
            throw new IllegalArgumentException("small primes need a scale of at most 2^31, got 2^" + maxScaleBits);
        }
    }

    /** Single-image defaults. */
    public static CompileOptions singleImage() {
        return new CompileOptions(Mode.SINGLE_IMAGE, SecurityLevel.CLASSICAL_128, 40, 30, 10, Optional.empty(), true,
                DEFAULT_MAX_KEY_BYTES, false, Optional.empty(), FloodingOptions.off(), StridedLayout.CHEAPEST);
    }

    /** Batched defaults: scale 2^30 and small primes. */
    public static CompileOptions batched() {
        return singleImage().withMode(Mode.BATCHED).withScaleBits(30, 30).withSmallPrimes(true);
    }

    /**
     * Packed defaults: the single-image ones, with as many images side by side in each ciphertext
     * as the largest tensor's footprint leaves room for (the compiler chooses; the plan's
     * {@link org.ciphernet.nn.HePlan#imagesPerCiphertext()} says how many). Layout variants are
     * compared by their cost per image.
     */
    public static CompileOptions packed() {
        return singleImage().withMode(Mode.PACKED);
    }

    /** With the given mode (single-image, packed or batched); the other options are kept. */
    public CompileOptions withMode(Mode m) {
        return new CompileOptions(m, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With the given security level (parameters must meet it; {@code NONE_INSECURE} only for tests and experiments). */
    public CompileOptions withSecurity(SecurityLevel s) {
        return new CompileOptions(mode, s, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With the scale chosen between 2^min and 2^max (the largest that fits). */
    public CompileOptions withScaleBits(int min, int max) {
        return new CompileOptions(mode, security, max, min, integerBits, parameters, im2col, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With the given bits of output magnitude above the scale. */
    public CompileOptions withIntegerBits(int bits) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, bits, parameters, im2col, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With explicit parameters instead of chosen ones (checked against the network and the security level). */
    public CompileOptions withParameters(CkksParameters p) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, Optional.of(p), im2col, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With the given memory budget for Galois keys (beyond it, rotations are composed from fewer keys). */
    public CompileOptions withMaxKeyBytes(long bytes) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, bytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /** With every prime below 2^32 (scale at most 2^31) or not. */
    public CompileOptions withSmallPrimes(boolean small) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, small, inputRange, flooding, stridedLayout);
    }

    /**
     * Whether the client may lay the input out as convolution patches for a first convolution
     * (single-image mode; the compiler then compares both layouts by estimated cost). With
     * {@code false} the input is always laid out flat.
     */
    public CompileOptions withIm2col(boolean allowed) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, allowed, maxKeyBytes, smallPrimes, inputRange, flooding, stridedLayout);
    }

    /**
     * Declares the range of input values (for example [0, 1] for pixels scaled by 1/255): clients
     * refuse (or, if asked, clip) values outside it. It is client-side policy and does not change
     * the plan's parameters or its fingerprint.
     */
    public CompileOptions withInputRange(double min, double max) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, smallPrimes,
                Optional.of(new InputRange(min, max)), flooding, stridedLayout);
    }

    /** The declared input range, or {@link InputRange#ofHeadroom}{@code (integerBits)} if none was declared. */
    public InputRange effectiveInputRange() {
        return inputRange.orElseGet(() -> InputRange.ofHeadroom(integerBits));
    }

    /** With the given noise flooding options. */
    public CompileOptions withFlooding(FloodingOptions f) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, smallPrimes,
                inputRange, f, stridedLayout);
    }

    /**
     * With circuit privacy: the server floods every output ciphertext so that what the client
     * decrypts is within statistical distance about {@code 2^-statisticalBits} per ciphertext of a
     * distribution independent of the weights beyond the outputs (see {@link FloodingOptions}).
     */
    public CompileOptions circuitPrivacy(int statisticalBits) {
        return withFlooding(flooding.withCircuitPrivacy(statisticalBits));
    }

    /**
     * With decryption safe to publish: the client floods at decryption for {@code statisticalBits}
     * of security against an adversary who sees up to {@code queries} decrypted results (see
     * {@link FloodingOptions}).
     */
    public CompileOptions safeDecryption(int statisticalBits, long queries) {
        return withFlooding(flooding.withSafeDecryption(statisticalBits, queries));
    }

    /**
     * With the given layout of strided layers (single-image mode; batched plans are always flat).
     * {@link StridedLayout#CHEAPEST} compares the flat and the multiplexed layouts by estimated
     * cost; the others force one, for tests and measurements.
     */
    public CompileOptions withStridedLayout(StridedLayout layout) {
        return new CompileOptions(mode, security, maxScaleBits, minScaleBits, integerBits, parameters, im2col, maxKeyBytes, smallPrimes,
                inputRange, flooding, layout);
    }

    /**
     * How a single-image plan lays out the outputs of strided convolutions and poolings.
     */
    public enum StridedLayout {
        /** The cheaper of {@link #FLAT} and {@link #MULTIPLEXED} by estimated cost (the default). */
        CHEAPEST,
        /** Every tensor packed densely: (c, y, x) at {@code (c·H + y)·W + x}. */
        FLAT,
        /**
         * Strided outputs kept on their input's grid with a larger gap (Lee et al., multiplexed
         * parallel convolutions), so a strided convolution has as few diagonals as an unstrided one.
         * Forced on every spatial layer, also when the network has no stride.
         */
        MULTIPLEXED
    }
}
