package org.ciphernet.nn.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.NoSecureParametersException;
import org.junit.jupiter.api.Test;

/** The parameter chooser on its own: whatever it returns passes the security check. */
class ParameterChooserTest {
    @Test
    void chosenParametersPassTheSecurityCheckAtEveryLevel() {
        // the chooser builds through CkksParameters' validation, so what it returns passes the check
        // (uniform ternary secret, sigma 3.2, log QP within the level's published bound, N >= 2^12)
        for (org.ciphernet.ckks.SecurityLevel level : List.of(org.ciphernet.ckks.SecurityLevel.CLASSICAL_128,
                org.ciphernet.ckks.SecurityLevel.CLASSICAL_192, org.ciphernet.ckks.SecurityLevel.CLASSICAL_256)) {
            int chosen = 0;
            for (boolean small : new boolean[] {false, true}) {
                CompileOptions o = small ? CompileOptions.singleImage().withSecurity(level).withScaleBits(24, 30).withSmallPrimes(true)
                        : CompileOptions.singleImage().withSecurity(level);
                for (int depth : new int[] {1, 2, 4, 8, 16, 24, 40}) {
                    for (int slots : new int[] {1, 4096, 32768}) {
                        CkksParameters p;
                        try {
                            p = ParameterChooser.choose(depth, slots, o).orElseThrow();
                        } catch (NoSecureParametersException e) {
                            continue;
                        }
                        chosen++;
                        assertEquals(level, p.security());
                        assertEquals(org.ciphernet.ckks.SecretDistribution.UNIFORM_TERNARY, p.secret());
                        assertEquals(CkksParameters.DEFAULT_SIGMA, p.sigma());
                        assertTrue(p.logN() >= 12 && level.hasBound(p.logN()), "N = 2^" + p.logN());
                        assertTrue(p.logQp() <= level.maxLogQp(p.logN()), p.toString());
                        assertEquals(p, new CkksParameters(p.logN(), p.qBits(), p.pBits(), p.logScale(), p.secret(),
                                p.hammingWeight(), p.sigma(), p.security()));
                    }
                }
            }
            assertTrue(chosen > 0, level + ": some depth must fit");
        }
    }
}
