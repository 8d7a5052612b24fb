package org.ciphernet.ckks;

import static org.ciphernet.ckks.fuzz.BlobFuzzing.allocatedByThisThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parameters read from bytes are bounded before any table is built: a 162-byte blob for N = 2^17
 * over 128 primes would take over a gigabyte of NTT tables and seconds to build.
 */
class ParameterBoundsTest {
    private static CkksParameters chain(int logN, int qCount, int pCount, int bits) {
        return new CkksParameters(logN, Collections.nCopies(qCount, bits), Collections.nCopies(pCount, bits), 30,
                SecretDistribution.UNIFORM_TERNARY, 0, CkksParameters.DEFAULT_SIGMA, SecurityLevel.NONE_INSECURE);
    }

    @Test
    void a162ByteParameterBombIsRefusedFastAndWithoutAllocating() {
        for (int logN : new int[] {17, 16}) {
            byte[] bomb = Serialization.write(chain(logN, 64, 64, 40));
            assertEquals(162, bomb.length - 4, "the 162-byte blob of the issue, plus the CRC32C trailer");
            Serialization.readParameters(bomb, Long.MAX_VALUE, SecurityLevel.NONE_INSECURE); // well-formed: only its size is refused
            long allocatedBefore = allocatedByThisThread();
            long start = System.nanoTime();
            CkksException e = assertThrows(CkksException.SerializationException.class, () -> Serialization.readParameters(bomb));
            long nanos = System.nanoTime() - start;
            long allocated = allocatedByThisThread() - allocatedBefore;
            String expected = logN == 17 ? "1,152 MiB" : "576 MiB";
            assertTrue(e.getMessage().contains("N = 2^" + logN + " with 128 primes would build a context of about " + expected),
                    e.getMessage());
            assertTrue(e.getMessage().contains("limit of 400 MiB"), e.getMessage());
            assertTrue(e.getMessage().contains("readParameters(bytes, maxContextBytes)"), e.getMessage());
            assertTrue(nanos < 200_000_000L, "refused in " + nanos / 1e6 + " ms");
            assertTrue(allocated < (1 << 20), "refusing allocated " + allocated + " bytes");
        }
    }

    @Test
    void theLimitCanBeRaisedExplicitly() {
        CkksParameters big = chain(17, 64, 64, 40);
        SecurityLevel none = SecurityLevel.NONE_INSECURE; // the chain is far beyond 128 bits at N = 2^17
        assertEquals(big, Serialization.readParameters(Serialization.write(big), 2L << 30, none));
        assertThrows(CkksException.SerializationException.class,
                () -> Serialization.readParameters(Serialization.write(big), CkksContext.estimatedTableBytes(big) - 1, none));
        assertEquals(big, Serialization.readParameters(Serialization.write(big), CkksContext.estimatedTableBytes(big), none));
        assertThrows(IllegalArgumentException.class, () -> Serialization.readParameters(Serialization.write(big), 0, none));
    }

    @Test
    void theDefaultCoversEveryPlanOfThisProject() {
        // the ResNet-20 plan: N = 2^16, depth 39 (40 primes of Q), 5 special primes
        List<Integer> q = new ArrayList<>();
        q.add(50);
        q.addAll(Collections.nCopies(39, 37));
        CkksParameters resnet = CkksParameters.builder().logN(16).qBits(q).pBits(Collections.nCopies(5, 50)).logScale(37).build();
        assertEquals(resnet, Serialization.readParameters(Serialization.write(resnet)));
        assertTrue(CkksContext.estimatedTableBytes(resnet) < 210L << 20, CkksContext.estimatedTableBytes(resnet) + " bytes");
        // the longest 128-bit chain at N = 2^16: 1747 bits in primes of 20 bits or more is 87 primes
        CkksParameters longest = CkksParameters.builder().logN(16).qBits(Collections.nCopies(64, 20))
                .pBits(Collections.nCopies(23, 20)).logScale(20).build();
        assertEquals(longest, Serialization.readParameters(Serialization.write(longest)));
        for (CkksParameters p : List.of(CkksParameters.presetN13Depth3(), CkksParameters.presetN14Depth7(),
                CkksParameters.presetN15Depth17())) {
            assertEquals(p, Serialization.readParameters(Serialization.write(p)));
        }
    }

    @Test
    void theEstimateIsAnUpperBoundOfWhatTheContextTakes() {
        CkksParameters p = chain(12, 10, 2, 40);
        Runtime rt = Runtime.getRuntime();
        long before = allocatedByThisThread();
        CkksContext ctx = CkksContext.create(p);
        long allocated = allocatedByThisThread() - before;
        long estimate = CkksContext.estimatedTableBytes(p);
        System.out.printf("context N = 2^12, 12 primes: allocated %,d bytes while building, estimate %,d%n", allocated, estimate);
        // building allocates the tables plus garbage (prime search, temporaries): at least the estimate's worth of
        // tables must be real, and the estimate must not be off by more than a small factor
        assertTrue(allocated > estimate / 2 && allocated < 4 * estimate, allocated + " vs " + estimate);
        assertEquals(12, ctx.ring().primeCount());
        assertTrue(rt.maxMemory() > 0);
    }
}
