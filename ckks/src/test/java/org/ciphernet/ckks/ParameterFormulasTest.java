package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The formulas {@link CkksParameters} offers without building a context (primes, bits per level,
 * key-switching digits, switching-key bytes) against what a {@link CkksContext} and generated keys
 * actually hold.
 */
class ParameterFormulasTest {
    /** N = 2^10, six primes of Q and three of P: digits of three primes, the last one partial at some levels. */
    private static CkksParameters threeSpecialPrimes() {
        return CkksParameters.builder().logN(10).qBits(List.of(40, 30, 30, 30, 30, 30)).pBits(List.of(40, 40, 40))
                .logScale(30).security(SecurityLevel.NONE_INSECURE).build();
    }

    @Test
    void primesAndBitsAreTheContexts() {
        for (CkksParameters params : List.of(threeSpecialPrimes(), CkksParameters.presetN13Depth3(),
                CkksParameters.presetN14Depth7(), CkksParameters.presetN15Depth17())) {
            CkksParameters fresh = copy(params); // equal, never used: the primes are chosen for it anew
            CkksContext ctx = CkksContext.create(params);
            List<Long> q = new ArrayList<>();
            for (int i = 0; i <= ctx.maxLevel(); i++) {
                q.add(ctx.qPrime(i));
            }
            List<Long> p = new ArrayList<>();
            for (int j = 0; j < params.pBits().size(); j++) {
                p.add(ctx.pPrime(j));
            }
            assertEquals(q, fresh.qPrimes());
            assertEquals(p, fresh.pPrimes());
            for (int l = 0; l <= params.maxLevel(); l++) {
                double bits = 0;
                for (int i = 0; i <= l; i++) {
                    bits += Math.log(q.get(i)) / Math.log(2);
                }
                assertEquals(bits, fresh.log2Modulus(l), 0.0, "level " + l);
                assertEquals(bits, ctx.log2Modulus(l), 0.0, "level " + l);
                assertEquals(ctx.keySwitcher().digitsAt(l), fresh.digitCount(l), "level " + l);
            }
            int top = params.maxLevel();
            assertEquals(params.dnum(), params.digitCount(top), "all digits at the top level");
            assertThrows(IllegalArgumentException.class, () -> params.log2Modulus(top + 1));
            assertThrows(IllegalArgumentException.class, () -> ctx.log2Modulus(-1));
            assertThrows(IllegalArgumentException.class, () -> params.digitCount(top + 1));
            assertThrows(IllegalArgumentException.class, () -> params.switchingKeyBytes(-1));
        }
    }

    @Test
    void digitCountsOfThreeSpecialPrimes() {
        CkksParameters params = threeSpecialPrimes();
        int[] expected = {1, 1, 1, 2, 2, 2};
        for (int l = 0; l < expected.length; l++) {
            assertEquals(expected[l], params.digitCount(l), "level " + l);
        }
    }

    @Test
    void switchingKeyBytesAreWhatAGeneratedKeyHolds() {
        CkksParameters params = threeSpecialPrimes();
        CkksContext ctx = CkksContext.create(params);
        KeyGenerator gen = KeyGenerator.reproducible(ctx, new byte[32]);
        int top = params.maxLevel();
        int[] steps = new int[top + 1];
        int[] levels = new int[top + 1];
        for (int l = 0; l <= top; l++) {
            steps[l] = l + 1;
            levels[l] = l;
        }
        GaloisKeys keys = gen.galoisKeys(steps, levels, false);
        int n = ctx.degree();
        for (int l = 0; l <= top; l++) {
            SwitchingKey key = keys.key(org.ciphernet.ntt.Galois.rotationElement(steps[l], n));
            assertEquals(l, key.maxLevel());
            assertEquals(params.digitCount(l), key.digits(), "digits at level " + l);
            long held = 0;
            for (int d = 0; d < key.digits(); d++) {
                for (long[] limb : key.b(d).limbs()) {
                    held += (long) limb.length * Long.BYTES;
                }
                for (int prime : ctx.levelAndSpecialPrimes(l)) {
                    held += (long) key.aLimb(d, prime).length * Long.BYTES;
                }
                assertEquals(l + 1 + params.pBits().size(), key.b(d).limbCount(), "primes of a digit at level " + l);
            }
            assertEquals(held, params.switchingKeyBytes(l), "level " + l);
            assertEquals(key.sizeInBytes(), params.switchingKeyBytes(l), "level " + l);
            // the formula nn priced keys with before it moved here
            long alpha = params.pBits().size();
            assertEquals((l / alpha + 1) * 2 * (l + 1 + alpha) * n * 8, params.switchingKeyBytes(l), "level " + l);
        }
        assertEquals(gen.relinearizationKey().key().sizeInBytes(), params.switchingKeyBytes(top), "relinearization key");
    }

    @Test
    void cachedPrimesLeaveValueSemanticsAlone() {
        CkksParameters a = CkksParameters.presetN14Depth7();
        CkksParameters b = copy(a);
        int hash = a.hashCode();
        long fingerprint = a.fingerprint();
        String text = a.toString();
        byte[] bytes = Serialization.write(a);
        List<Long> q = a.qPrimes();
        assertSame(q, a.qPrimes(), "chosen once");
        assertSame(a.pPrimes(), a.pPrimes(), "chosen once");
        assertThrows(UnsupportedOperationException.class, () -> q.add(2L));
        assertEquals(hash, a.hashCode());
        assertEquals(fingerprint, a.fingerprint());
        assertEquals(text, a.toString());
        assertArrayEquals(bytes, Serialization.write(a));
        assertEquals(a, b);
        assertEquals(b, a);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotSame(a, b);
        assertEquals(q, b.qPrimes());
    }

    private static CkksParameters copy(CkksParameters p) {
        return new CkksParameters(p.logN(), new ArrayList<>(p.qBits()), new ArrayList<>(p.pBits()), p.logScale(), p.secret(),
                p.hammingWeight(), p.sigma(), p.security());
    }
}
