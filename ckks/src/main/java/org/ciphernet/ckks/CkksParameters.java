package org.ciphernet.ckks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * CKKS parameters: ring degree, modulus chain as prime sizes, default scale, secret distribution,
 * error width and security level. Immutable; validated on construction. The primes themselves are
 * chosen deterministically from the sizes ({@link #qPrimes()}, {@link #pPrimes()}).
 *
 * <p>Security check. At a level other than {@link SecurityLevel#NONE_INSECURE} every parameter
 * that RLWE security depends on is compared with a published estimate, and anything no source covers
 * is refused with {@link CkksException.InsecureParametersException}, whose message names the
 * parameter, its value and the bound:
 * <ul>
 *   <li>ring degree: a bound must be published for N at the level (N = 2^10 … 2^17), and N ≥ 2^12;</li>
 *   <li>error: {@code sigma ≥ 3.19} (8/sqrt(2π), the width assumed by the HomomorphicEncryption.org
 *       standard and the 2024 guidelines' tables); errors are rounded Gaussians cut at 6·sigma, a
 *       fixed multiple (as in SEAL and Lattigo), so the bound is checked with sigma;</li>
 *   <li>uniform ternary secret: {@code log2(Q·P)} at most the {@link SecurityLevel} table entry
 *       (for each N the smaller of the HomomorphicEncryption.org standard v1.1, 2018, and the 2024
 *       guidelines of Bossuat et al., IACR ePrint 2024/463, Table 5.2; 128-bit: 106, 214, 430, 868,
 *       1747, 3523 bits for N = 2^12 … 2^17);</li>
 *   <li>sparse ternary secret: only the published 128-bit points, h = 192 at N = 2^15 with
 *       {@code log2(Q·P) ≤ 768} and at N = 2^16 with {@code log2(Q·P) ≤ 1550} (Lattigo's
 *       sparse-secret parameter sets, IACR ePrint 2022/024); the 2024 guidelines publish no sparse
 *       bound, and no other h, ring degree or level is accepted.</li>
 * </ul>
 * {@link SecurityLevel#NONE_INSECURE} skips all of these (for tests of arithmetic only). Structural
 * errors, refused even with the opt-out (log N outside [4, 17], prime sizes, scale, an h outside
 * [1, N], sigma outside (0, 64]), are {@link IllegalArgumentException}s. The sources and their exact
 * wording are cited in {@code SecurityBounds} and {@link SecurityLevel}.
 *
 * <p>Chain layout: {@code qBits.get(0)} is the first prime (it holds the message at the last
 * level, so it is larger than the scale by the bits of the integer part); the others are scaling
 * primes, one per level, chosen closest to {@code 2^bits}; {@code pBits} are the special primes of
 * hybrid key switching. The number of key-switching digits is {@code dnum = ceil(|Q| / |P|)}: Q's
 * primes are grouped in digits of |P| consecutive primes, and key-switching noise stays small
 * when P is at least as large as the largest digit. Primes below 2^50 use the vector fast path.
 *
 * @param logN          log2 of the ring degree, 12 … 17 (4 … 11 only for tests with
 *                      {@link SecurityLevel#NONE_INSECURE})
 * @param qBits         sizes of the primes of Q, first prime first
 * @param pBits         sizes of the special primes P (at least one)
 * @param logScale      log2 of the default scale
 * @param secret        secret distribution
 * @param hammingWeight nonzero secret coefficients for {@link SecretDistribution#SPARSE_TERNARY}, else 0
 * @param sigma         standard deviation of the error distribution (3.2 by default, at least 3.19
 *                      unless {@link SecurityLevel#NONE_INSECURE})
 * @param security      the security level checked
 */
public record CkksParameters(int logN, List<Integer> qBits, List<Integer> pBits, int logScale,
        SecretDistribution secret, int hammingWeight, double sigma, SecurityLevel security) {

    /**
     * The default error width, 3.2 (as SEAL and Lattigo), just above the 3.19 (8/sqrt(2π)) that the
     * security tables assume.
     */
    public static final double DEFAULT_SIGMA = 3.2;

    /** Validates the parameters (see the class comment). */
    public CkksParameters {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(security, "security");
        qBits = List.copyOf(qBits);
        pBits = List.copyOf(pBits);
        // structural checks first (refused at every level), then the security check
        if (logN < 4 || logN > 17) {
            throw new IllegalArgumentException("log2 N = " + logN + " outside [4, 17]");
        }
        if (qBits.isEmpty() || pBits.isEmpty()) {
            throw new IllegalArgumentException("the chain needs at least one prime in Q and one in P");
        }
        for (int b : qBits) {
            checkPrimeBits(b, logN);
        }
        for (int b : pBits) {
            checkPrimeBits(b, logN);
        }
        if (logScale < 10 || logScale > 60) {
            throw new IllegalArgumentException("log2 scale = " + logScale + " outside [10, 60]");
        }
        if (secret == SecretDistribution.SPARSE_TERNARY) {
            if (hammingWeight < 1 || hammingWeight > (1 << logN)) {
                throw new IllegalArgumentException("Hamming weight " + hammingWeight + " outside [1, N]");
            }
        } else if (hammingWeight != 0) {
            throw new IllegalArgumentException("a Hamming weight only applies to SPARSE_TERNARY secrets");
        }
        if (!(sigma > 0 && sigma <= 64)) {
            throw new IllegalArgumentException("error width sigma = " + sigma + " outside (0, 64]");
        }
        SecurityBounds.check(logN, totalBits(qBits) + totalBits(pBits), secret, hammingWeight, sigma, security);
    }

    private static void checkPrimeBits(int b, int logN) {
        if (b < logN + 3 || b > 61) {
            throw new IllegalArgumentException("prime size " + b + " bits outside [" + (logN + 3) + ", 61] for N = 2^" + logN);
        }
    }

    private static int totalBits(List<Integer> bits) {
        int t = 0;
        for (int b : bits) {
            t += b;
        }
        return t;
    }

    /** Ring degree N. */
    public int degree() {
        return 1 << logN;
    }

    /** Number of complex slots, N/2. */
    public int slots() {
        return 1 << (logN - 1);
    }

    /** The highest level: the number of scaling primes ({@code qBits.size() - 1}). */
    public int maxLevel() {
        return qBits.size() - 1;
    }

    /** The default scale {@code 2^logScale}. */
    public double defaultScale() {
        return Math.scalb(1.0, logScale);
    }

    /** Number of key-switching digits: {@code ceil(|Q| / |P|)}. */
    public int dnum() {
        return (qBits.size() + pBits.size() - 1) / pBits.size();
    }

    /** Approximate {@code log2(Q·P)}: the sum of the prime sizes. */
    public int logQp() {
        return totalBits(qBits) + totalBits(pBits);
    }

    /**
     * The primes of Q, first prime first: index i is the prime of level i, the primes a
     * {@link CkksContext} of these parameters uses. Chosen deterministically from the sizes on
     * first use (the first prime is the largest prime {@code ≡ 1 mod 2N} below {@code 2^qBits[0]},
     * scaling primes the primes closest to {@code 2^bits}, alternating above and below, all distinct)
     * and cached: no NTT tables are built, and equality, hash code and fingerprint are unaffected.
     */
    public List<Long> qPrimes() {
        return ChainPrimes.of(this).q();
    }

    /**
     * The special primes of P, in order, as a {@link CkksContext} of these parameters uses them:
     * the largest primes {@code ≡ 1 mod 2N} below {@code 2^bits}, distinct from Q's and from each
     * other. Cached like {@link #qPrimes()}.
     */
    public List<Long> pPrimes() {
        return ChainPrimes.of(this).p();
    }

    /**
     * {@code log2} of the product of the primes of Q at a level ({@code q_0 … q_level}), summed in
     * index order: the bits the level holds, the same value as {@link CkksContext#log2Modulus}.
     *
     * @throws IllegalArgumentException if the level is outside {@code [0, maxLevel]}
     */
    public double log2Modulus(int level) {
        checkLevel(level);
        List<Long> q = qPrimes();
        double s = 0;
        for (int i = 0; i <= level; i++) {
            s += Math.log(q.get(i)) / Math.log(2);
        }
        return s;
    }

    /**
     * The number of key-switching digits of a ciphertext at a level: Q's primes are grouped in
     * digits of |P| consecutive primes, and the digits with a prime at or below the level are
     * {@code level / |P| + 1}. A switching key made for levels up to {@code level} holds that many.
     *
     * @throws IllegalArgumentException if the level is outside {@code [0, maxLevel]}
     */
    public int digitCount(int level) {
        checkLevel(level);
        return digitCount(level, pBits.size());
    }

    /** {@link #digitCount(int)} for |P| = {@code alpha}, unchecked. */
    static int digitCount(int level, int alpha) {
        return level / alpha + 1;
    }

    /**
     * Bytes of key material one key-switching key made for ciphertexts up to {@code level} holds
     * in memory (one Galois key of {@link GaloisKeys}; at {@code maxLevel}, what
     * {@link RelinearizationKey#sizeInBytes()} reports): {@link #digitCount(int) digitCount(level)}
     * digits, each two polynomials (b and a) over the {@code level + 1} primes of {@code Q_level}
     * and the |P| special primes, N residues of 8 bytes per prime. Serialized keys differ (seeded
     * halves, headers).
     *
     * @throws IllegalArgumentException if the level is outside {@code [0, maxLevel]}
     */
    public long switchingKeyBytes(int level) {
        return (long) digitCount(level) * 2 * (level + 1 + pBits.size()) * degree() * Long.BYTES;
    }

    private void checkLevel(int level) {
        if (level < 0 || level > maxLevel()) {
            throw new IllegalArgumentException("level " + level + " outside [0, " + maxLevel() + "]");
        }
    }

    /**
     * A stable fingerprint of these parameters (the first 8 bytes of a SHA-256 over a canonical
     * encoding): objects carry it, and operations reject objects with different fingerprints.
     */
    public long fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("ciphernet-ckks-v1|" + logN + "|" + qBits + "|" + pBits + "|" + logScale + "|" + secret
                    + "|" + hammingWeight + "|" + Double.doubleToLongBits(sigma) + "|" + security)
                    .getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(md.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The fingerprint as 16 hex digits. */
    public String fingerprintHex() {
        return HexFormat.of().toHexDigits(fingerprint());
    }

    /** A builder with defaults: uniform ternary secret, sigma 3.2, 128-bit security. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parameters for a multiplicative depth: a first prime of {@code scaleBits + integerBits} bits,
     * {@code depth} scaling primes of {@code scaleBits}, and special primes as large as the first
     * prime, {@code ceil((depth + 1) / dnum)} of them.
     */
    public static CkksParameters forDepth(int logN, int depth, int scaleBits, int integerBits, int dnum) {
        if (depth < 1 || dnum < 1) {
            throw new IllegalArgumentException("depth and dnum must be positive");
        }
        List<Integer> q = new ArrayList<>();
        q.add(scaleBits + integerBits);
        for (int i = 0; i < depth; i++) {
            q.add(scaleBits);
        }
        int alpha = (q.size() + dnum - 1) / dnum;
        List<Integer> p = Collections.nCopies(alpha, Math.min(61, Math.max(scaleBits + integerBits, scaleBits + 1)));
        return builder().logN(logN).qBits(q).pBits(p).logScale(scaleBits).build();
    }

    /**
     * N = 2^13, depth 3, scale 2^40: Q = 46 + 3×40 bits, P = 48 bits; log QP = 214, the 128-bit bound
     * (see {@link SecurityLevel}; the 2018 standard allowed 218, so this preset had 48 + 3×40 and P = 50).
     * The first prime leaves 6 bits for the integer part at the last level, and P is still at least as
     * large as every prime of Q (each key-switching digit is one prime).
     */
    public static CkksParameters presetN13Depth3() {
        return builder().logN(13).qBits(List.of(46, 40, 40, 40)).pBits(List.of(48)).logScale(40).build();
    }

    /** N = 2^14, depth 7, scale 2^40: Q = 50 + 7×40 bits, P = 2×50 bits; log QP = 430, the 128-bit bound. */
    public static CkksParameters presetN14Depth7() {
        return builder().logN(14).qBits(List.of(50, 40, 40, 40, 40, 40, 40, 40)).pBits(List.of(50, 50))
                .logScale(40).build();
    }

    /**
     * N = 2^15, depth 17, scale 2^40: Q = 50 + 17×40 bits, P = 3×46 bits; log QP = 868, the 128-bit
     * bound (see {@link SecurityLevel}; the 2018 standard allowed 881, so P was 3×50). P (138 bits)
     * still exceeds the largest key-switching digit, three primes of Q (50 + 2×40 = 130 bits).
     */
    public static CkksParameters presetN15Depth17() {
        List<Integer> q = new ArrayList<>();
        q.add(50);
        q.addAll(Collections.nCopies(17, 40));
        return builder().logN(15).qBits(q).pBits(List.of(46, 46, 46)).logScale(40).build();
    }

    /** Builder of {@link CkksParameters}. */
    public static final class Builder {
        private int logN = 14;
        private List<Integer> qBits;
        private List<Integer> pBits;
        private int logScale = 40;
        private SecretDistribution secret = SecretDistribution.UNIFORM_TERNARY;
        private int hammingWeight;
        private double sigma = DEFAULT_SIGMA;
        private SecurityLevel security = SecurityLevel.CLASSICAL_128;

        private Builder() {}

        public Builder logN(int logN) {
            this.logN = logN;
            return this;
        }

        public Builder qBits(List<Integer> bits) {
            this.qBits = List.copyOf(bits);
            return this;
        }

        public Builder pBits(List<Integer> bits) {
            this.pBits = List.copyOf(bits);
            return this;
        }

        public Builder logScale(int logScale) {
            this.logScale = logScale;
            return this;
        }

        /**
         * Sparse ternary secret with {@code h} nonzero coefficients. At a checked level only the
         * published points are accepted (128-bit, h = 192 at N = 2^15 or 2^16, see the class comment).
         */
        public Builder sparseSecret(int h) {
            this.secret = SecretDistribution.SPARSE_TERNARY;
            this.hammingWeight = h;
            return this;
        }

        /** Error standard deviation (default 3.2; at least 3.19 at a checked level). */
        public Builder sigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        /**
         * The security level to check (default {@link SecurityLevel#CLASSICAL_128});
         * {@link SecurityLevel#NONE_INSECURE} disables the check, for tests of arithmetic only.
         */
        public Builder security(SecurityLevel security) {
            this.security = security;
            return this;
        }

        public CkksParameters build() {
            if (qBits == null || pBits == null) {
                throw new IllegalStateException("set qBits and pBits (or use CkksParameters.forDepth)");
            }
            return new CkksParameters(logN, qBits, pBits, logScale, secret, hammingWeight, sigma, security);
        }
    }
}
