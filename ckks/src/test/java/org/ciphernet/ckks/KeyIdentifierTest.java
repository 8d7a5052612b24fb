package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link KeyIdentifier}: deterministic per secret key and parameters, distinct otherwise, public form only. */
class KeyIdentifierTest {
    static CkksContext context(int firstPrimeBits) {
        return CkksContext.create(CkksParameters.builder().logN(10).qBits(List.of(firstPrimeBits, 25, 25)).pBits(List.of(35))
                .logScale(25).security(SecurityLevel.NONE_INSECURE).build());
    }

    @Test
    void sameKeySameIdentifierAcrossARestore() {
        CkksContext ctx = context(35);
        KeyGenerator kg = new KeyGenerator(ctx);
        KeyIdentifier id = KeyIdentifier.of(ctx, kg.secretKey());
        Serialization ser = new Serialization(ctx);
        SecretKey restored = ser.readSecretKey(ser.write(kg.secretKey()));
        assertEquals(id, KeyIdentifier.of(ctx, restored));
        assertEquals(id, KeyIdentifier.of(ctx, kg.secretKey()));
        assertEquals(id.hashCode(), KeyIdentifier.of(ctx, restored).hashCode());
        assertTrue(id.toString().matches("[0-9a-f]{32}"), id.toString());
        assertEquals(KeyIdentifier.BYTES, id.bytes().length);
    }

    @Test
    void otherKeysAndOtherParametersGiveOtherIdentifiers() {
        CkksContext ctx = context(35);
        KeyIdentifier a = KeyIdentifier.of(ctx, new KeyGenerator(ctx).secretKey());
        KeyIdentifier b = KeyIdentifier.of(ctx, new KeyGenerator(ctx).secretKey());
        assertNotEquals(a, b);
        // the same secret coefficients under other parameters: another identifier (the fingerprint is bound)
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 3);
        CkksContext other = context(36);
        SecretKey s1 = KeyGenerator.reproducible(ctx, seed).secretKey();
        SecretKey s2 = KeyGenerator.reproducible(other, seed).secretKey();
        assertNotEquals(KeyIdentifier.of(ctx, s1), KeyIdentifier.of(other, s2));
        // a key of other parameters is refused
        assertThrows(CkksException.ParameterMismatchException.class, () -> KeyIdentifier.of(ctx, s2));
    }

    @Test
    void bytesAreCopied() {
        byte[] raw = new byte[16];
        KeyIdentifier id = new KeyIdentifier(raw);
        raw[0] = 1;
        assertArrayEquals(new byte[16], id.bytes());
        id.bytes()[0] = 1;
        assertArrayEquals(new byte[16], id.bytes());
        assertThrows(IllegalArgumentException.class, () -> new KeyIdentifier(new byte[15]));
    }
}
