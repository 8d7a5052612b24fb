package org.ciphernet.ntt.internal.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ciphernet.ntt.Primes;
import org.junit.jupiter.api.Test;

/** Which primes take the split-weight sums, and the bounds that keep them exact. */
class SplitWeightSumsTest {
    private static final int N = 1 << 14;

    @Test
    void scalePrimesNearTwoToThirtyTakeTheSplitWithLongRuns() {
        long q = Primes.closestTo(30, N, 1, List.of()).get(0);
        SplitWeightSums s = SplitWeightSums.forModulus(q);
        assertNotNull(s);
        assertEquals(15, s.splitBits());
        assertTrue(s.termsPerFold() >= 128, "terms per fold " + s.termsPerFold());
    }

    @Test
    void theSplitStopsWhereItNoLongerPays() {
        assertNotNull(SplitWeightSums.forModulus(Primes.generate(32, N, 1, List.of()).get(0)));
        assertNull(SplitWeightSums.forModulus(Primes.generate(34, N, 1, List.of()).get(0)));
        assertNull(SplitWeightSums.forModulus(Primes.closestTo(40, N, 1, List.of()).get(0)));
    }

    @Test
    void boundsKeepEveryPartialSumAndTheFoldWithinTwoToFiftyTwo() {
        for (int bits = 3; bits <= 34; bits++) {
            long q = bits < 4 ? 5 : Primes.generate(bits, 2, 1, List.of()).get(0);
            SplitWeightSums s = SplitWeightSums.forModulus(q);
            if (s == null) {
                continue;
            }
            int h = s.splitBits();
            // worst case: a start just below q plus termsPerFold terms of the largest magnitude
            double worst = q + s.termsPerFold() * SplitWeightSums.termBound(q, h);
            assertTrue(worst <= DoubleModMath.LIMIT, "q=" + q);
            assertTrue((q / 2.0 + 1) * (Math.pow(2, h) + 1) <= DoubleModMath.LIMIT, "fold q=" + q);
            // the high half of the largest weight is within the bound the terms assume
            long y = (q - 1) / 2;
            long yh = (y + (1L << (h - 1))) >> h;
            long ylow = y - (yh << h);
            assertTrue(Math.abs((double) (q - 1) * yh) <= SplitWeightSums.termBound(q, h));
            assertTrue(ylow >= -(1L << (h - 1)) && ylow < (1L << (h - 1)));
            long yn = -y;
            long ynh = (yn + (1L << (h - 1))) >> h;
            assertTrue(Math.abs((double) (q - 1) * ynh) <= SplitWeightSums.termBound(q, h));
        }
    }
}
