package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The security check of {@link CkksParameters} (issue 13, part 1): every insecure or unpublished
 * setting is refused at a checked level with a message naming the parameter, its value and the bound,
 * and is accepted only with the explicit {@link SecurityLevel#NONE_INSECURE} opt-out. Building
 * parameters builds no tables, so even N = 2^16 cases are cheap.
 */
class ParameterSecurityTest {

    /** A refused case: parameters built at a given level, and what the message must name. */
    private record Case(String name, SecurityLevel level, Function<SecurityLevel, CkksParameters.Builder> build,
            List<String> messageNames) {}

    /** An N = 2^13 chain as in the issue's report: the 128-bit preset's primes, log QP = 214. */
    private static CkksParameters.Builder n13() {
        return CkksParameters.builder().logN(13).qBits(List.of(46, 40, 40, 40)).pBits(List.of(48)).logScale(40);
    }

    /** A chain of exactly {@code logQp} bits at ring degree 2^logN: 60-bit primes and one remainder prime. */
    private static CkksParameters.Builder chain(int logN, int logQp) {
        List<Integer> q = new ArrayList<>(Collections.nCopies(logQp / 60 - 1, 60));
        int rest = logQp % 60;
        List<Integer> p = rest == 0 ? List.of(60) : List.of(60, rest);
        if (rest != 0 && rest < logN + 3) { // keep every prime within [logN + 3, 61]
            q.set(0, 60 - (logN + 3 - rest));
            p = List.of(60, logN + 3);
        }
        return CkksParameters.builder().logN(logN).qBits(q).pBits(p).logScale(40);
    }

    private static List<Case> refusedCases() {
        SecurityLevel c128 = SecurityLevel.CLASSICAL_128;
        return List.of(
                new Case("sigma = 1e-9 (no noise)", c128, l -> n13().sigma(1e-9).security(l),
                        List.of("sigma = 1.0E-9", "3.19")),
                new Case("sigma just below 3.19", c128, l -> n13().sigma(Math.nextDown(3.19)).security(l),
                        List.of("sigma = " + Math.nextDown(3.19), "below 3.19")),
                new Case("sigma = 3.18", c128, l -> n13().sigma(3.18).security(l), List.of("sigma = 3.18", "3.19")),
                new Case("sparse h = 1 at N = 2^13", c128, l -> n13().sparseSecret(1).security(l),
                        List.of("Hamming weight h = 1", "N = 2^13", "h = 192")),
                new Case("sparse h = 2 at N = 2^13", c128, l -> n13().sparseSecret(2).security(l),
                        List.of("Hamming weight h = 2", "h = 192")),
                new Case("sparse h = 64 at N = 2^13", c128, l -> n13().sparseSecret(64).security(l),
                        List.of("Hamming weight h = 64", "h = 192")),
                new Case("sparse h = 64 at N = 2^16 (small h, published ring)", c128,
                        l -> chain(16, 1000).sparseSecret(64).security(l), List.of("Hamming weight h = 64", "h = 192")),
                new Case("sparse h = 191 at N = 2^16", c128, l -> chain(16, 1000).sparseSecret(191).security(l),
                        List.of("Hamming weight h = 191", "h = 192")),
                new Case("sparse h = 192 at N = 2^14 (no published ring)", c128,
                        l -> CkksParameters.builder().logN(14).qBits(List.of(50, 40)).pBits(List.of(50)).sparseSecret(192)
                                .security(l),
                        List.of("h = 192 at N = 2^14", "no published CLASSICAL_128 bound")),
                new Case("sparse h = 192 at N = 2^16, log QP 1551 > 1550", c128,
                        l -> chain(16, 1551).sparseSecret(192).security(l),
                        List.of("log2(Q·P) ≈ 1551", "exceeds 1550", "h = 192")),
                new Case("sparse h = 192 at N = 2^15, log QP 769 > 768", c128,
                        l -> chain(15, 769).sparseSecret(192).security(l), List.of("log2(Q·P) ≈ 769", "exceeds 768")),
                new Case("sparse h = 192 at N = 2^16 for 192 bits (no published sparse bound)", SecurityLevel.CLASSICAL_192,
                        l -> chain(16, 1000).sparseSecret(192).security(l),
                        List.of("Hamming weight h = 192", "no published CLASSICAL_192 bound")),
                new Case("sparse h = 192 at N = 2^16 for 256 bits", SecurityLevel.CLASSICAL_256,
                        l -> chain(16, 600).sparseSecret(192).security(l),
                        List.of("Hamming weight h = 192", "no published CLASSICAL_256 bound")),
                new Case("N = 2^9 at 128 bits (no published ring degree)", c128,
                        l -> CkksParameters.builder().logN(9).qBits(List.of(20)).pBits(List.of(20)).logScale(15).security(l),
                        List.of("N = 2^9", "2^10 … 2^17")),
                new Case("N = 2^9 at 192 bits", SecurityLevel.CLASSICAL_192,
                        l -> CkksParameters.builder().logN(9).qBits(List.of(14)).pBits(List.of(14)).logScale(12).security(l),
                        List.of("no published CLASSICAL_192 bound", "N = 2^9")),
                new Case("N = 2^11 at 128 bits", c128,
                        l -> CkksParameters.builder().logN(11).qBits(List.of(20, 14)).pBits(List.of(20)).logScale(14)
                                .security(l),
                        List.of("N = 2^11", "2^12", "53 bits")),
                new Case("N = 2^10 at 128 bits", c128,
                        l -> CkksParameters.builder().logN(10).qBits(List.of(13)).pBits(List.of(13)).logScale(12).security(l),
                        List.of("N = 2^10", "2^12", "26 bits")),
                new Case("uniform secret, log QP 215 > 214 at N = 2^13", c128,
                        l -> n13().qBits(List.of(47, 40, 40, 40)).security(l), List.of("log2(Q·P) ≈ 215", "214 bits")),
                // the 2018 standard's bounds, above the 2024 guidelines' estimate, are refused (issue 13)
                new Case("uniform secret, log QP 218 (the 2018 bound) at N = 2^13", c128,
                        l -> chain(13, 218).security(l), List.of("log2(Q·P) ≈ 218", "214 bits", "N = 2^13")),
                new Case("uniform secret, log QP 438 (the 2018 bound) at N = 2^14", c128,
                        l -> chain(14, 438).security(l), List.of("log2(Q·P) ≈ 438", "430 bits", "N = 2^14")),
                new Case("uniform secret, log QP 880 (the old preset) at N = 2^15", c128,
                        l -> chain(15, 880).security(l), List.of("log2(Q·P) ≈ 880", "868 bits", "N = 2^15")),
                new Case("uniform secret, log QP 107 > 106 at N = 2^12", c128,
                        l -> CkksParameters.builder().logN(12).qBits(List.of(47, 30)).pBits(List.of(30)).logScale(30)
                                .security(l),
                        List.of("log2(Q·P) ≈ 107", "106 bits")),
                new Case("uniform secret, log QP 152 (the 2018 bound) at N = 2^13 for 192 bits", SecurityLevel.CLASSICAL_192,
                        l -> chain(13, 152).security(l), List.of("log2(Q·P) ≈ 152", "147 bits")),
                new Case("uniform secret, log QP 476 (the 2018 bound) at N = 2^15 for 256 bits", SecurityLevel.CLASSICAL_256,
                        l -> chain(15, 476).security(l), List.of("log2(Q·P) ≈ 476", "462 bits")),
                new Case("uniform secret, log QP 1200 > 1199 at N = 2^16 for 192 bits", SecurityLevel.CLASSICAL_192,
                        l -> chain(16, 1200).security(l), List.of("log2(Q·P) ≈ 1200", "1199")));
    }

    @TestFactory
    Stream<DynamicTest> eachInsecureSettingIsRefusedAndAcceptedOnlyWithTheOptOut() {
        return refusedCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            CkksException.InsecureParametersException e = assertThrows(CkksException.InsecureParametersException.class,
                    () -> c.build().apply(c.level()).build(), c.name());
            for (String name : c.messageNames()) {
                assertTrue(e.getMessage().contains(name), "message should name '" + name + "': " + e.getMessage());
            }
            assertTrue(e.getMessage().contains("opt out explicitly with SecurityLevel.NONE_INSECURE"), e.getMessage());
            CkksParameters optedOut = c.build().apply(SecurityLevel.NONE_INSECURE).build();
            assertEquals(SecurityLevel.NONE_INSECURE, optedOut.security());
        }));
    }

    @Test
    void theIssuesTwoReportsAreRefusedAt128Bits() {
        // issue 13: sigma = 1e-9 and h = 1 at N = 2^13, CLASSICAL_128, were accepted without an opt-out
        assertThrows(CkksException.InsecureParametersException.class, () -> n13().sigma(1e-9).build());
        assertThrows(CkksException.InsecureParametersException.class, () -> n13().sparseSecret(1).build());
        assertEquals(SecurityLevel.CLASSICAL_128, n13().build().security(), "the default level is 128-bit");
    }

    @Test
    void publishedSparseSettingsAreAccepted() {
        CkksParameters n16 = chain(16, 1550).sparseSecret(192).build();
        assertEquals(1550, n16.logQp());
        assertEquals(SecretDistribution.SPARSE_TERNARY, n16.secret());
        assertEquals(192, n16.hammingWeight());
        // Lattigo's own N16QP1546H192H32 residual chain and special primes
        CkksParameters lattigo = CkksParameters.builder().logN(16).qBits(List.of(60, 40, 40, 40, 40, 40, 40, 40, 40, 40))
                .pBits(List.of(61, 61, 61, 61, 61)).logScale(40).sparseSecret(192).build();
        assertEquals(725, lattigo.logQp());
        assertEquals(768, chain(15, 768).sparseSecret(192).build().logQp());
    }

    @Test
    void errorWidthAtAndAboveTheStandardIsAccepted() {
        assertEquals(3.19, n13().sigma(3.19).build().sigma());
        assertEquals(CkksParameters.DEFAULT_SIGMA, n13().build().sigma());
        assertEquals(3.2, CkksParameters.DEFAULT_SIGMA, "the default stays 3.2");
        assertEquals(8.0, n13().sigma(8.0).build().sigma(), "a wider error is at least as hard");
        // structural errors stay IllegalArgumentException, even with the opt-out
        for (double bad : new double[] {0, -1, Double.NaN, 65, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> n13().sigma(bad).security(SecurityLevel.NONE_INSECURE).build());
        }
    }

    @Test
    void defaultsPresetsAndForDepthPass() {
        for (CkksParameters p : List.of(CkksParameters.presetN13Depth3(), CkksParameters.presetN14Depth7(),
                CkksParameters.presetN15Depth17(), CkksParameters.builder().qBits(List.of(50, 40)).pBits(List.of(50)).build())) {
            assertEquals(SecurityLevel.CLASSICAL_128, p.security());
            assertEquals(SecretDistribution.UNIFORM_TERNARY, p.secret());
            assertEquals(CkksParameters.DEFAULT_SIGMA, p.sigma());
            assertTrue(p.logQp() <= SecurityLevel.CLASSICAL_128.maxLogQp(p.logN()));
        }
        for (int logN = 12; logN <= 16; logN++) {
            for (int depth = 1; depth <= 3; depth++) {
                int logQp = 0;
                try {
                    logQp = CkksParameters.forDepth(logN, depth, 30, 10, 2).logQp();
                } catch (CkksException.InsecureParametersException e) {
                    // only a chain beyond the table may be refused, and the message says so
                    assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
                }
                assertTrue(logQp <= SecurityLevel.CLASSICAL_128.maxLogQp(logN));
            }
        }
    }

    @Test
    void securityTablesCoverPublishedRingDegreesOnly() {
        for (SecurityLevel level : List.of(SecurityLevel.CLASSICAL_128, SecurityLevel.CLASSICAL_192,
                SecurityLevel.CLASSICAL_256)) {
            for (int logN = 10; logN <= 17; logN++) {
                assertTrue(level.hasBound(logN), level + " 2^" + logN);
            }
            assertFalse(level.hasBound(9));
            assertFalse(level.hasBound(18));
            CkksException e = assertThrows(CkksException.InsecureParametersException.class, () -> level.maxLogQp(9));
            assertTrue(e.getMessage().contains("N = 2^9") && e.getMessage().contains(level.toString()), e.getMessage());
        }
        // 2024 guidelines (ePrint 2024/463, Table 5.2) for N = 2^16 and 2^17
        assertEquals(1747, SecurityLevel.CLASSICAL_128.maxLogQp(16));
        assertEquals(3523, SecurityLevel.CLASSICAL_128.maxLogQp(17));
        assertEquals(1199, SecurityLevel.CLASSICAL_192.maxLogQp(16));
        assertEquals(2411, SecurityLevel.CLASSICAL_192.maxLogQp(17));
        assertEquals(929, SecurityLevel.CLASSICAL_256.maxLogQp(16));
        assertEquals(1866, SecurityLevel.CLASSICAL_256.maxLogQp(17));
        assertTrue(SecurityLevel.NONE_INSECURE.hasBound(5));
        assertEquals(Integer.MAX_VALUE, SecurityLevel.NONE_INSECURE.maxLogQp(5));
    }

    @Test
    void uniformBoundIsTheSmallerOfTheTwoPublishedTables() {
        // HomomorphicEncryption.org standard v1.1 (2018), ternary secret, classical, N = 2^10 … 2^15
        int[][] standard = {{27, 54, 109, 218, 438, 881}, {19, 37, 75, 152, 305, 611}, {14, 29, 58, 118, 237, 476}};
        // Bossuat et al. 2024 (ePrint 2024/463, Table 5.2), ternary secret, classical, N = 2^10 … 2^17 (0: none)
        int[][] guidelines = {{26, 53, 106, 214, 430, 868, 1747, 3523}, {0, 36, 73, 147, 297, 597, 1199, 2411},
                {0, 27, 56, 114, 230, 462, 929, 1866}};
        int[][] expected = {{26, 53, 106, 214, 430, 868, 1747, 3523}, {19, 36, 73, 147, 297, 597, 1199, 2411},
                {14, 27, 56, 114, 230, 462, 929, 1866}};
        List<SecurityLevel> levels = List.of(SecurityLevel.CLASSICAL_128, SecurityLevel.CLASSICAL_192,
                SecurityLevel.CLASSICAL_256);
        for (int l = 0; l < levels.size(); l++) {
            SecurityLevel level = levels.get(l);
            for (int logN = 10; logN <= 17; logN++) {
                int i = logN - 10;
                int s = i < standard[l].length ? standard[l][i] : 0;
                int g = guidelines[l][i];
                assertEquals(s, level.standard2018MaxLogQp(logN), level + " 2018, 2^" + logN);
                assertEquals(g, level.guidelines2024MaxLogQp(logN), level + " 2024, 2^" + logN);
                int min = s == 0 ? g : g == 0 ? s : Math.min(s, g);
                assertEquals(min, level.maxLogQp(logN), level + " 2^" + logN);
                assertEquals(expected[l][i], level.maxLogQp(logN), level + " 2^" + logN);
            }
        }
        // every preset sits at or below the new bound, and the old 2018 chains are refused
        assertEquals(214, CkksParameters.presetN13Depth3().logQp());
        assertEquals(430, CkksParameters.presetN14Depth7().logQp());
        assertEquals(868, CkksParameters.presetN15Depth17().logQp());
        assertEquals(3, CkksParameters.presetN13Depth3().maxLevel());
        assertEquals(7, CkksParameters.presetN14Depth7().maxLevel());
        assertEquals(17, CkksParameters.presetN15Depth17().maxLevel());
    }

    @Test
    void publishedSparseTableIsExactlyTheCitedPoints() {
        assertEquals(List.of(List.of(15, 192, 768), List.of(16, 192, 1550)),
                SecurityBounds.SPARSE_128.stream().map(b -> List.of(b.logN(), b.hammingWeight(), b.maxLogQp())).toList());
        assertTrue(SecurityBounds.sparseBound(16, 192, SecurityLevel.CLASSICAL_128).isPresent());
        assertTrue(SecurityBounds.sparseBound(16, 192, SecurityLevel.CLASSICAL_192).isEmpty());
        assertTrue(SecurityBounds.sparseBound(16, 193, SecurityLevel.CLASSICAL_128).isEmpty());
    }

    @Test
    void theGaussianSamplerCutsAtSixSigmaAsTheCheckAssumes() {
        assertEquals(6.0, SecurityBounds.GAUSSIAN_TAIL_SIGMAS);
        double sigma = 3.2;
        long[] e = Sampler.gaussian(1 << 16, sigma, Prng.reproducibleFromSeed(new byte[Prng.SEED_BYTES]));
        long max = 0;
        double sumSq = 0;
        for (long x : e) {
            max = Math.max(max, Math.abs(x));
            sumSq += (double) x * x;
        }
        assertTrue(max <= Math.round(6 * sigma), "max |e| = " + max);
        double sd = Math.sqrt(sumSq / e.length);
        assertTrue(Math.abs(sd - Math.sqrt(sigma * sigma + 1.0 / 12)) < 0.1, "sample deviation " + sd);
    }
}
