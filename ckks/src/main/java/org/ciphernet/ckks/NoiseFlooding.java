package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Server-side noise flooding ("smudging") for circuit privacy: adds to a ciphertext a fresh
 * public-key encryption of zero, {@code (b·u + e0 + z, a·u + e1)}, whose extra term {@code z} is a
 * wide Gaussian of standard deviation σ (given as {@code log2 σ}) in every coefficient. The phase
 * {@code c0 + c1·s} of the result is the evaluated phase plus {@code z} plus a fresh-encryption term,
 * and the second part is re-randomized by {@code a·u + e1}.
 *
 * <p><b>What it promises.</b> Let {@code c} be the evaluation error of the phase (the part that
 * depends on the evaluator's inputs beyond the exact result) with Euclidean norm at most
 * {@code B} in the coefficient embedding. For the Gaussian {@code z} of width σ over {@code Z^N},
 * the Kullback–Leibler divergence between {@code c + z} and {@code z} is {@code ‖c‖²/(2σ²)} for the
 * continuous Gaussian (and no more after rounding, a post-processing), so by Pinsker's inequality
 * their statistical distance is at most {@code ‖c‖/(2σ)}. Choosing {@link #circuitPrivacySigma
 * σ = 2^s · B / 2} bounds it by {@code 2^-s} per ciphertext (the smudging lemma in its Gaussian form,
 * see Gentry's thesis, Stanford 2009, §21, and Asharov et al., "Multiparty computation with low
 * communication, computation and interaction via threshold FHE", Eurocrypt 2012, Lemma 2.1, for the
 * uniform form). Over {@code k} ciphertexts the distances add up: {@code k · 2^-s}. The second
 * part {@code a·u + e1} is pseudorandom under RLWE (computational, not statistical). The promise
 * holds only if {@code B} really bounds the error; the nn compiler measures it in a
 * noise-estimation run and states the margin it applies. The Gaussian is drawn with double-precision
 * Box–Muller (tails beyond about 8.5σ are cut, mass below 2^-50 per coefficient) and dithered to
 * integers, so every low bit of {@code z} is random.
 *
 * <p>Costs: no level; the flooding adds about {@code σ·√(N/2)/Δ} of standard deviation to each
 * decoded slot, so the precision drops by {@code log2(σ·√(N/2)/Δ)} bits below the scale.
 *
 * <p>Randomness from a {@link java.security.SecureRandom}-seeded AES-CTR generator, or (tests only) from a seed.
 * Thread-safe: calls on one instance are serialized on its generator.
 */
public final class NoiseFlooding {
    /** Largest supported {@code log2 σ}: the samples (up to about 9σ) must stay far below 2^63. */
    public static final double MAX_LOG2_SIGMA = 58;

    private final CkksContext context;
    private final RingContext ring;
    private final PublicKey publicKey;
    private final Prng prng;

    private NoiseFlooding(CkksContext context, PublicKey pk, Prng prng) {
        this.context = Objects.requireNonNull(context, "context");
        this.publicKey = Objects.requireNonNull(pk, "public key");
        this.ring = context.ring();
        this.prng = prng;
        context.check(pk.fingerprint(), "the public key");
    }

    /** Flooding with randomness from {@code SecureRandom}. */
    public static NoiseFlooding withPublicKey(CkksContext context, PublicKey pk) {
        return new NoiseFlooding(context, pk, Prng.fromSecureRandom());
    }

    /** REPRODUCIBLE MODE: flooding whose randomness is a function of {@code seed}. For tests only. */
    public static NoiseFlooding reproducible(CkksContext context, PublicKey pk, byte[] seed) {
        return new NoiseFlooding(context, pk, Prng.reproducibleFromSeed(seed));
    }

    /**
     * The flooding width {@code log2 σ} that bounds the statistical distance by {@code 2^-statisticalBits}
     * for an evaluation error of Euclidean norm at most {@code 2^log2ErrorNorm} (coefficients):
     * {@code σ = 2^s · B / 2} (see the class comment).
     */
    public static double circuitPrivacySigma(double log2ErrorNorm, int statisticalBits) {
        if (statisticalBits < 1 || statisticalBits > 128) {
            throw new IllegalArgumentException("statistical security must be 1 to 128 bits, got " + statisticalBits);
        }
        if (!Double.isFinite(log2ErrorNorm)) {
            throw new IllegalArgumentException("the error norm must be finite, got 2^" + log2ErrorNorm);
        }
        return log2ErrorNorm + statisticalBits - 1;
    }

    /**
     * A flooded copy of {@code ct} (same level, scale and message; 2 parts).
     *
     * @param log2Sigma {@code log2} of the flooding standard deviation per coefficient
     * @throws IllegalArgumentException if ct has 3 parts (relinearize first: an unrandomized c2 would leak)
     * @throws CkksException.ScaleOverflowException if the flooding would not fit the ciphertext's modulus
     */
    public Ciphertext flood(Ciphertext ct, double log2Sigma) {
        context.check(Objects.requireNonNull(ct, "ciphertext").fingerprint(), "the ciphertext");
        if (ct.size() != 2) {
            throw new IllegalArgumentException("flood a relinearized (2-part) ciphertext, got " + ct.size() + " parts");
        }
        checkSigma(log2Sigma);
        context.checkFits(Math.scalb(1.0, (int) Math.ceil(log2Sigma) + 4) + ct.scale(), ct.level(),
                String.format("flooding noise of 2^%.1f (with 16σ of room) over a message at scale 2^%.1f", log2Sigma,
                        Math.log(ct.scale()) / Math.log(2)));
        int[] q = context.levelPrimes(ct.level());
        int n = context.degree();
        double sigma = context.parameters().sigma();
        RnsPoly c0 = ring.zero(q, true);
        RnsPoly c1 = ring.zero(q, true);
        synchronized (prng) {
            RnsPoly u = Sampler.fromSmall(ring, q, Sampler.ternary(n, prng));
            ring.toNtt(u);
            ring.multiply(publicKey.b().copyPrefix(q.length), u, c0);
            ring.multiply(publicKey.a().copyPrefix(q.length), u, c1);
            long[] e0 = Sampler.gaussian(n, sigma, prng);
            long[] z = wideGaussian(n, Math.pow(2, log2Sigma), prng);
            for (int i = 0; i < n; i++) {
                e0[i] += z[i];
            }
            RnsPoly e0p = Sampler.fromSmall(ring, q, e0);
            RnsPoly e1p = Sampler.fromSmall(ring, q, Sampler.gaussian(n, sigma, prng));
            ring.toNtt(e0p);
            ring.toNtt(e1p);
            ring.add(c0, e0p, c0);
            ring.add(c1, e1p, c1);
        }
        ring.add(c0, ct.part(0), c0);
        ring.add(c1, ct.part(1), c1);
        return new Ciphertext(new RnsPoly[] {c0, c1}, ct.level(), ct.scale(), context.fingerprint());
    }

    static void checkSigma(double log2Sigma) {
        if (!(log2Sigma >= 0 && log2Sigma <= MAX_LOG2_SIGMA)) {
            throw new IllegalArgumentException("flooding width must be 2^0 to 2^" + (int) MAX_LOG2_SIGMA + ", got 2^" + log2Sigma);
        }
    }

    /**
     * {@code n} integers distributed as a centered Gaussian of standard deviation {@code sigma}
     * (any size up to 2^58), made integral by a randomized function of the real sample: randomized
     * rounding below 2^52, and uniform low bits below the double's resolution above it. Both are
     * post-processings of the continuous sample, so they do not weaken the divergence bounds the
     * callers rely on, and every low bit is random.
     */
    static long[] wideGaussian(int n, double sigma, Prng prng) {
        long[] out = new long[n];
        int i = 0;
        while (i < n) {
            double u1 = prng.nextDouble();
            double u2 = prng.nextDouble();
            if (u1 == 0) {
                continue;
            }
            double r = Math.sqrt(-2 * Math.log(u1)) * sigma;
            out[i++] = toInteger(r * Math.cos(2 * Math.PI * u2), prng);
            if (i < n) {
                out[i++] = toInteger(r * Math.sin(2 * Math.PI * u2), prng);
            }
        }
        return out;
    }

    private static long toInteger(double x, Prng prng) {
        double ulp = Math.ulp(x);
        if (ulp < 1) {
            double f = Math.floor(x);
            return (long) f + (prng.nextDouble() < x - f ? 1 : 0);
        }
        // x is an integer multiple of ulp ≥ 1: fill the bits below the double's resolution
        return (long) x + prng.nextLong((long) ulp);
    }

    @Override
    public String toString() {
        return "NoiseFlooding[N = 2^" + context.parameters().logN() + "]";
    }
}
