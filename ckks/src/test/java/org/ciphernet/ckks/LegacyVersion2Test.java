package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Format version 2 (no integrity check): refused by default with a message that says how to read
 * it, read by {@link Serialization#withUnverifiedVersion2()}, and written again as version 3. The
 * fixtures in {@code serialization-v2/} were written by the version-2 code (see their README).
 */
class LegacyVersion2Test {
    private static final CkksParameters PARAMS = CkksParameters.builder().logN(10).qBits(List.of(30, 25)).pBits(List.of(30))
            .logScale(25).security(SecurityLevel.NONE_INSECURE).build();
    private final CkksContext ctx = CkksContext.create(PARAMS);
    private final Serialization io = new Serialization(ctx);

    /** The fixtures' parameters are NONE_INSECURE (N = 2^10): read them with that explicit opt-in. */
    private static CkksParameters readInsecure(byte[] bytes) {
        return Serialization.readParameters(bytes, Serialization.DEFAULT_MAX_CONTEXT_BYTES, SecurityLevel.NONE_INSECURE);
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = LegacyVersion2Test.class.getResourceAsStream("/serialization-v2/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void version2IsRefusedByDefaultWithAMessageSayingHowToReadIt() throws IOException {
        byte[] sk = fixture("secret-key-v2.bin");
        assertEquals(2, sk[4], "a version-2 fixture");
        assertFalse(io.readsUnverifiedVersion2());
        CkksException e = assertThrows(CkksException.SerializationException.class, () -> io.readSecretKey(sk));
        assertTrue(e.getMessage().contains("format version 2 has no integrity check"), e.getMessage());
        assertTrue(e.getMessage().contains("withUnverifiedVersion2()"), e.getMessage());
        assertTrue(e.getMessage().contains("secret key"), e.getMessage());
        assertThrows(CkksException.SerializationException.class, () -> io.readCiphertext(fixture("ciphertext-v2.bin")));
    }

    @Test
    void version2SecretKeyAndCiphertextAreReadOnRequestAndRewrittenAsVersion3() throws IOException {
        Serialization legacy = io.withUnverifiedVersion2();
        assertTrue(legacy.readsUnverifiedVersion2());
        byte[] skV2 = fixture("secret-key-v2.bin");
        SecretKey sk = legacy.readSecretKey(skV2);
        // The key is the one the fixture ciphertext was made under: it decrypts it (the reproducible
        // generators draw differently since issue 13, so the key cannot be regenerated from its seed).
        Ciphertext ct = legacy.readCiphertext(fixture("ciphertext-v2.bin"));
        double[] got = new Encoder(ctx).decode(new Decryptor(ctx, sk).decrypt(ct));
        double[] want = {0.25, -0.5, 1};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-3, "slot " + i);
        }

        // written again: version 3, the same header and body plus the CRC32C trailer
        byte[] skV3 = io.write(sk);
        assertEquals(Serialization.VERSION, skV3[4]);
        assertEquals(skV2.length + 4, skV3.length);
        assertArrayEquals(Arrays.copyOfRange(skV2, 5, skV2.length), Arrays.copyOfRange(skV3, 5, skV2.length));
        assertEquals(sk.poly(), io.readSecretKey(skV3).poly());
        // the legacy reader still checks version-3 bytes, CRC32C included
        byte[] flipped = skV3.clone();
        flipped[20] ^= 1;
        SerializationTest.assertCrcFailure(() -> legacy.readSecretKey(flipped), "secret key");
        // and every other check of version 2 bytes: a coefficient of 2, a cut
        byte[] bad = skV2.clone();
        bad[14 + 3] = 2;
        assertThrows(CkksException.SerializationException.class, () -> legacy.readSecretKey(bad));
        assertThrows(CkksException.SerializationException.class, () -> legacy.readSecretKey(Arrays.copyOf(skV2, skV2.length - 1)));
        assertThrows(CkksException.SerializationException.class, () -> legacy.readSecretKey(Arrays.copyOf(skV2, skV2.length + 4)));
    }

    @Test
    void version2ParametersAreReadByDefaultBecauseTheirFingerprintBindsThem() throws IOException {
        byte[] v2 = fixture("parameters-v2.bin");
        assertEquals(PARAMS, readInsecure(v2));
        for (int i = 14; i < v2.length; i++) { // the fingerprint (a SHA-256 of every field) catches any change of the body
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = v2.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(CkksException.class, () -> readInsecure(bad), "byte " + i + " bit " + bit);
            }
        }
        byte[] v3 = Serialization.write(PARAMS);
        assertEquals(v2.length + 4, v3.length);
        assertArrayEquals(Arrays.copyOfRange(v2, 5, v2.length), Arrays.copyOfRange(v3, 5, v2.length));
    }
}
