package org.ciphernet.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.SecurityLevel;
import org.junit.jupiter.api.Test;

class TowerReuseTest {
    private static CkksParameters chain(int logN, int q0, int scale, int levels, int p) {
        List<Integer> q = new java.util.ArrayList<>(List.of(q0));
        q.addAll(Collections.nCopies(levels, scale));
        return CkksParameters.builder().logN(logN).qBits(q).pBits(List.of(p)).logScale(scale).security(SecurityLevel.NONE_INSECURE).build();
    }

    @Test
    void scalingPrimesPairUpAndTheFirstStays() {
        TowerReuse t = TowerReuse.of(chain(14, 25, 25, 6, 25));
        assertEquals(7, t.qPrimes());
        assertEquals(4, t.towerQPrimes()); // the first prime and three tower primes of 50 bits
        assertEquals(50, t.towerPrimeBits());
        assertTrue(t.vectorPath() && t.fits());
        assertTrue(t.verdict().startsWith("pays: 7 → 4"), t.verdict());
        assertEquals(1 + 4, TowerReuse.of(chain(14, 24, 24, 7, 24)).towerQPrimes()); // an odd count keeps one single prime
    }

    @Test
    void scalesAbove25BitsLeaveTheVectorPathAndAbove30BitsTheModuli() {
        TowerReuse thirty = TowerReuse.of(chain(14, 30, 30, 6, 30));
        assertFalse(thirty.vectorPath());
        assertTrue(thirty.fits());
        assertTrue(thirty.verdict().contains("leave the vector path"), thirty.verdict());
        assertTrue(TowerReuse.of(chain(14, 30, 30, 2, 30)).fits()); // 60 bits: below 2^61
        assertFalse(TowerReuse.of(chain(14, 31, 31, 2, 31)).fits()); // 62 bits
        TowerReuse forty = TowerReuse.of(chain(15, 50, 40, 15, 50));
        assertFalse(forty.fits());
        assertEquals(1 + 8, forty.towerQPrimes());
        assertTrue(forty.verdict().contains("80-bit"), forty.verdict());
    }
}
