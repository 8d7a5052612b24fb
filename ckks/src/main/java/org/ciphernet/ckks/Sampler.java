package org.ciphernet.ckks;

import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/** Draws the random polynomials of RLWE from a {@link Prng}. */
final class Sampler {
    private Sampler() {}

    /**
     * A uniform polynomial over the given primes, drawn directly in NTT form (the NTT is a bijection
     * on each limb, and independent uniform limbs are uniform modulo the product by the CRT).
     */
    static RnsPoly uniform(RingContext ring, int[] primes, Prng prng) {
        RnsPoly p = ring.zero(primes, true);
        for (int i = 0; i < primes.length; i++) {
            long q = ring.modulus(primes[i]).value();
            long[] limb = p.limb(i);
            for (int j = 0; j < limb.length; j++) {
                limb[j] = prng.nextLong(q);
            }
        }
        return p;
    }

    /** Signed small coefficients of a ternary secret: uniform in {-1, 0, 1}, or exactly h nonzero. */
    static long[] ternary(int n, SecretDistribution distribution, int h, Prng prng) {
        long[] s = new long[n];
        if (distribution == SecretDistribution.UNIFORM_TERNARY) {
            for (int i = 0; i < n; i++) {
                s[i] = prng.nextInt(3) - 1;
            }
        } else {
            int placed = 0;
            while (placed < h) {
                int i = prng.nextInt(n);
                if (s[i] == 0) {
                    s[i] = (prng.nextLong() & 1) == 0 ? 1 : -1;
                    placed++;
                }
            }
        }
        return s;
    }

    /** Uniform ternary coefficients (the ephemeral u of public-key encryption). */
    static long[] ternary(int n, Prng prng) {
        return ternary(n, SecretDistribution.UNIFORM_TERNARY, 0, prng);
    }

    /**
     * Rounded Gaussian coefficients of standard deviation sigma, truncated at
     * {@link SecurityBounds#GAUSSIAN_TAIL_SIGMAS} = 6 sigma (Box–Muller on 53-bit uniform doubles). The
     * security check assumes this cut (see {@code SecurityBounds}).
     */
    static long[] gaussian(int n, double sigma, Prng prng) {
        long[] e = new long[n];
        double bound = SecurityBounds.GAUSSIAN_TAIL_SIGMAS * sigma;
        int i = 0;
        while (i < n) {
            double u1 = prng.nextDouble();
            double u2 = prng.nextDouble();
            if (u1 == 0) {
                continue;
            }
            double r = Math.sqrt(-2 * Math.log(u1)) * sigma;
            double a = r * Math.cos(2 * Math.PI * u2);
            double b = r * Math.sin(2 * Math.PI * u2);
            if (Math.abs(a) <= bound) {
                e[i++] = Math.round(a);
            }
            if (i < n && Math.abs(b) <= bound) {
                e[i++] = Math.round(b);
            }
        }
        return e;
    }

    /** The RNS polynomial (coefficient form) of small signed coefficients over the given primes. */
    static RnsPoly fromSmall(RingContext ring, int[] primes, long[] coefficients) {
        RnsPoly p = ring.zero(primes, false);
        for (int i = 0; i < primes.length; i++) {
            Modulus m = ring.modulus(primes[i]);
            long[] limb = p.limb(i);
            for (int j = 0; j < limb.length; j++) {
                limb[j] = ModArith.reduce(coefficients[j], m);
            }
        }
        return p;
    }
}
