package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ring.RnsPoly;

/**
 * Decryption that is safe to publish: the decrypted phase {@code c0 + c1·s} plus a fresh Gaussian
 * {@code z} of standard deviation σ in every coefficient, as OpenFHE's {@code NOISE_FLOODING_DECRYPT}.
 * Against the passive key-recovery attack of Li and Micciancio ("On the security of homomorphic
 * encryption on approximate numbers", Eurocrypt 2021): without flooding, a decrypted result
 * {@code m + e} together with its ciphertext gives a linear equation in the secret key, and a few of
 * them give the key.
 *
 * <p><b>Sizing and what it promises.</b> {@link #sigmaFor} returns
 * {@code σ = √(12·τ) · 2^(s/2) · t} for an error estimate {@code t} (the largest coefficient of the
 * ciphertext's error), {@code τ} decryptions the adversary may see and {@code s} bits of
 * statistical security: Li, Micciancio, Schultz and Sorrell, "Securing approximate homomorphic
 * encryption using differential privacy" (Crypto 2022), Corollary 2, in the form OpenFHE uses (its
 * {@code CKKS_NOISE_FLOODING.md}: the √(2n) factor of the paper dropped, the game being played in
 * the coefficient embedding). Under that analysis, a passive adversary who sees up to τ flooded
 * decryptions of ciphertexts whose errors are at most {@code t} (IND-CPA-D, bit security in the
 * sense of Micciancio–Walter) succeeds with advantage at most about {@code 2^-s}. The promise is
 * only as good as {@code t}: it must bound the error of every ciphertext decrypted this way
 * (OpenFHE measures it in a separate noise-estimation run under another key; the nn compiler does
 * the same, see its plan report). Decoded values lose about {@code log2(σ·√(N/2)/Δ)} bits of
 * precision below the scale (the flooding's standard deviation in a slot).
 *
 * <p>Randomness from a {@link java.security.SecureRandom}-seeded AES-CTR generator, or (tests only) a
 * seed. Thread-safe.
 */
public final class FloodingDecryptor {
    private final CkksContext context;
    private final Decryptor decryptor;
    private final double log2Sigma;
    private final Prng prng;

    private FloodingDecryptor(CkksContext context, SecretKey sk, double log2Sigma, Prng prng) {
        this.context = Objects.requireNonNull(context, "context");
        this.decryptor = new Decryptor(context, sk);
        NoiseFlooding.checkSigma(log2Sigma);
        this.log2Sigma = log2Sigma;
        this.prng = prng;
    }

    /**
     * A flooding decryptor with randomness from {@code SecureRandom}.
     *
     * @param log2Sigma {@code log2} of the flooding standard deviation per coefficient (see {@link #sigmaFor})
     */
    public static FloodingDecryptor create(CkksContext context, SecretKey sk, double log2Sigma) {
        return new FloodingDecryptor(context, sk, log2Sigma, Prng.fromSecureRandom());
    }

    /** REPRODUCIBLE MODE: the flooding is a function of {@code seed}. For tests only (a published seed voids the promise). */
    public static FloodingDecryptor reproducible(CkksContext context, SecretKey sk, double log2Sigma, byte[] seed) {
        return new FloodingDecryptor(context, sk, log2Sigma, Prng.reproducibleFromSeed(seed));
    }

    /**
     * {@code log2 σ} for {@code σ = √(12·τ) · 2^(s/2) · t} (see the class comment).
     *
     * @param log2ErrorBound {@code log2 t}, the largest error coefficient of the ciphertexts to decrypt
     * @param statisticalBits s, at least 1 (OpenFHE's default is 30)
     * @param queries τ, the number of flooded decryptions an adversary may see, at least 1
     */
    public static double sigmaFor(double log2ErrorBound, int statisticalBits, long queries) {
        if (statisticalBits < 1 || statisticalBits > 128) {
            throw new IllegalArgumentException("statistical security must be 1 to 128 bits, got " + statisticalBits);
        }
        if (queries < 1) {
            throw new IllegalArgumentException("the number of queries must be positive, got " + queries);
        }
        if (!Double.isFinite(log2ErrorBound)) {
            throw new IllegalArgumentException("the error bound must be finite, got 2^" + log2ErrorBound);
        }
        return log2ErrorBound + statisticalBits / 2.0 + 0.5 * (Math.log(12.0 * queries) / Math.log(2));
    }

    /** {@code log2} of the flooding standard deviation per coefficient. */
    public double log2Sigma() {
        return log2Sigma;
    }

    /** The standard deviation the flooding adds to the real part of each decoded slot: {@code σ·√(N/2)/Δ}. */
    public double slotDeviation(double scale) {
        return Math.pow(2, log2Sigma) * Math.sqrt(context.degree() / 2.0) / scale;
    }

    /**
     * The plaintext of ct plus a fresh flooding term (same level and scale).
     *
     * @throws CkksException.ScaleOverflowException if the flooding does not fit the decoding headroom
     */
    public Plaintext decrypt(Ciphertext ct) {
        Plaintext pt = decryptor.decrypt(ct);
        context.checkFits(Math.scalb(1.0, (int) Math.ceil(log2Sigma) + 4) + ct.scale(), ct.level(),
                String.format("decryption flooding of 2^%.1f (with 16σ of room) over a message at scale 2^%.1f", log2Sigma,
                        Math.log(ct.scale()) / Math.log(2)));
        long[] z;
        synchronized (prng) {
            z = NoiseFlooding.wideGaussian(context.degree(), Math.pow(2, log2Sigma), prng);
        }
        int[] q = context.levelPrimes(ct.level());
        RnsPoly zp = Sampler.fromSmall(context.ring(), q, z);
        context.ring().toNtt(zp);
        RnsPoly m = pt.poly().copy();
        context.ring().add(m, zp, m);
        return new Plaintext(m, pt.level(), pt.scale(), pt.fingerprint());
    }

    @Override
    public String toString() {
        return String.format("FloodingDecryptor[σ = 2^%.1f]", log2Sigma);
    }
}
