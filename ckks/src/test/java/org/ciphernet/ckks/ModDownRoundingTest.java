package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;
import org.junit.jupiter.api.Test;

/**
 * {@link KeySwitcher#modDown} is exact rounding to nearest, {@code ⌊x/P⌉ mod Q_ℓ}, checked against
 * BigInteger arithmetic with three special primes (the fast basis conversion alone is off by up to
 * |P| - 1 here), and the ModDown of {@code x + e} with e added inside equals the ModDown of the sum.
 */
class ModDownRoundingTest {
    private static final CkksParameters PARAMS = CkksParameters.builder().logN(6).qBits(List.of(40, 30, 30)).pBits(List.of(35, 36, 37))
            .logScale(30).security(SecurityLevel.NONE_INSECURE).build();

    /** The integers of a polynomial over {@code primes} (coefficient form), by CRT, in [0, product). */
    private static BigInteger[] crt(RingContext ring, RnsPoly p, int[] primes) {
        RnsPoly c = p.copy();
        ring.toCoefficients(c);
        BigInteger m = BigInteger.ONE;
        for (int i : primes) {
            m = m.multiply(BigInteger.valueOf(ring.modulus(i).value()));
        }
        BigInteger[] out = new BigInteger[p.degree()];
        for (int t = 0; t < out.length; t++) {
            BigInteger x = BigInteger.ZERO;
            for (int k = 0; k < primes.length; k++) {
                BigInteger qk = BigInteger.valueOf(ring.modulus(primes[k]).value());
                BigInteger hat = m.divide(qk);
                x = x.add(BigInteger.valueOf(c.limb(k)[t]).multiply(hat.modInverse(qk)).multiply(hat));
            }
            out[t] = x.mod(m);
        }
        return out;
    }

    private static BigInteger product(RingContext ring, int[] primes) {
        BigInteger m = BigInteger.ONE;
        for (int i : primes) {
            m = m.multiply(BigInteger.valueOf(ring.modulus(i).value()));
        }
        return m;
    }

    @Test
    void modDownRoundsToNearestExactly() {
        CkksContext ctx = CkksContext.create(PARAMS);
        RingContext ring = ctx.ring();
        KeySwitcher ks = ctx.keySwitcher();
        Random rnd = new Random(5);
        int n = ctx.degree();
        for (int level = 0; level <= ctx.maxLevel(); level++) {
            int[] qp = ctx.levelAndSpecialPrimes(level);
            int[] q = ctx.levelPrimes(level);
            BigInteger bigQ = product(ring, q);
            BigInteger bigP = product(ring, RingContext.range(ctx.qCount(), ctx.qCount() + ctx.pCount()));
            for (int trial = 0; trial < 20; trial++) {
                RnsPoly x = ring.zero(qp, false);
                for (int i = 0; i < qp.length; i++) {
                    long m = ring.modulus(qp[i]).value();
                    for (int t = 0; t < n; t++) {
                        x.limb(i)[t] = Math.floorMod(rnd.nextLong(), m);
                    }
                }
                long[] e = new long[n];
                for (int t = 0; t < n; t++) {
                    e[t] = rnd.nextInt(41) - 20;
                }
                BigInteger[] xs = crt(ring, x, qp);
                ring.toNtt(x);
                BigInteger[] plain = crt(ring, ks.modDown(x, level, LimbParallelism.SEQUENTIAL), q);
                BigInteger[] withE = crt(ring, ks.modDown(x, e, level, LimbParallelism.SEQUENTIAL), q);
                for (int t = 0; t < n; t++) {
                    assertEquals(roundDiv(xs[t], bigP).mod(bigQ), plain[t], "level " + level + " coefficient " + t);
                    assertEquals(roundDiv(xs[t].add(BigInteger.valueOf(e[t])), bigP).mod(bigQ), withE[t],
                            "with e, level " + level + " coefficient " + t);
                }
            }
        }
    }

    /** {@code x / p} rounded to nearest (p odd: no ties). */
    private static BigInteger roundDiv(BigInteger x, BigInteger p) {
        return x.add(p.shiftRight(1)).divide(p);
    }
}
