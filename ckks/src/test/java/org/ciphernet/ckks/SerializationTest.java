package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SerializationTest {
    private final CkksTestKit kit = CkksTestKit.n13();
    private final Serialization io = new Serialization(kit.ctx);

    @Test
    void parametersRoundTrip() {
        for (CkksParameters p : List.of(CkksParameters.presetN13Depth3(), CkksParameters.presetN14Depth7(),
                // a published sparse setting (h = 192 at N = 2^16; reading parameters builds no tables)
                CkksParameters.builder().logN(16).qBits(List.of(60, 40)).pBits(List.of(61)).sparseSecret(192).build(),
                // and an opted-out one keeps its opt-out
                CkksParameters.builder().logN(13).qBits(List.of(48, 40)).pBits(List.of(50)).sparseSecret(64)
                        .security(SecurityLevel.NONE_INSECURE).build())) {
            // read at the parameters' own level (the default reader refuses the opted-out one)
            assertEquals(p, Serialization.readParameters(Serialization.write(p), Serialization.DEFAULT_MAX_CONTEXT_BYTES,
                    p.security()));
        }
    }

    @Test
    void parametersBelowTheReadersLevelAreRefusedBeforeTheyAreBuilt() {
        // Anyone can write bytes that say NONE_INSECURE (fingerprint and CRC32C are not keyed):
        // the default reader refuses them, naming the level and the way to opt in.
        CkksParameters weak = CkksParameters.builder().logN(13).qBits(List.of(48, 40)).pBits(List.of(50)).sigma(1e-9)
                .security(SecurityLevel.NONE_INSECURE).build();
        byte[] bytes = Serialization.write(weak);
        CkksException e = assertThrows(CkksException.InsecureParametersException.class, () -> Serialization.readParameters(bytes));
        assertTrue(e.getMessage().contains("NONE_INSECURE") && e.getMessage().contains("CLASSICAL_128"), e.getMessage());
        assertThrows(CkksException.InsecureParametersException.class,
                () -> Serialization.readParameters(bytes, Serialization.DEFAULT_MAX_CONTEXT_BYTES, SecurityLevel.CLASSICAL_192));
        assertEquals(weak, Serialization.readParameters(bytes, Serialization.DEFAULT_MAX_CONTEXT_BYTES, SecurityLevel.NONE_INSECURE));
        // a reader asking for 192 bits refuses 128-bit parameters
        byte[] p128 = Serialization.write(CkksParameters.presetN13Depth3());
        assertThrows(CkksException.InsecureParametersException.class,
                () -> Serialization.readParameters(p128, Serialization.DEFAULT_MAX_CONTEXT_BYTES, SecurityLevel.CLASSICAL_192));
    }

    @Test
    void secretKeysAreRecognisedByTheirHeaderAlone() {
        byte[] secret = io.write(kit.keys.secretKey());
        org.junit.jupiter.api.Assertions.assertTrue(Serialization.isSecretKey(secret));
        org.junit.jupiter.api.Assertions.assertTrue(Serialization.isSecretKey(java.util.Arrays.copyOf(secret, 6)), "six bytes suffice");
        org.junit.jupiter.api.Assertions.assertFalse(Serialization.isSecretKey(java.util.Arrays.copyOf(secret, 5)));
        org.junit.jupiter.api.Assertions.assertFalse(Serialization.isSecretKey(io.write(kit.keys.publicKey())));
        Ciphertext ct = kit.encryptor.encrypt(kit.encoder.encode(new double[] {1}));
        org.junit.jupiter.api.Assertions.assertFalse(Serialization.isSecretKey(io.write(ct)));
        byte[] other = secret.clone();
        other[0] ^= 1; // another magic
        org.junit.jupiter.api.Assertions.assertFalse(Serialization.isSecretKey(other));
    }

    @Test
    void buffersAreReadInPlaceFromTheirPositionAndLeftThere() {
        GaloisKeys gk = kit.keys.galoisKeys(new int[] {1, 5}, true);
        Ciphertext ct = kit.encryptor.encrypt(kit.encoder.encode(new double[] {1, 2}));
        byte[][] blobs = {io.write(gk), io.write(kit.rk), io.write(kit.keys.publicKey()), io.write(ct),
            io.write(kit.keys.secretKey())};
        for (byte[] blob : blobs) {
            // a direct buffer, the object at offset 11, garbage after it (the limit ends the object)
            ByteBuffer direct = ByteBuffer.allocateDirect(blob.length + 20);
            direct.position(11).put(blob).put(new byte[9]).position(11).limit(11 + blob.length);
            java.util.function.Function<ByteBuffer, byte[]> reread = switch (blob[5]) {
                case 7 -> b -> io.write(io.readGaloisKeys(b));
                case 6 -> b -> io.write(io.readRelinearizationKey(b));
                case 5 -> b -> io.write(io.readPublicKey(b));
                case 3, 4 -> b -> io.write(io.readCiphertext(b));
                default -> b -> {
                    assertTrue(Serialization.isSecretKey(b));
                    return io.write(io.readSecretKey(blob));
                };
            };
            assertArrayEquals(blob, reread.apply(direct), "type " + blob[5]);
            assertEquals(11, direct.position());
            if (blob[5] != 8) { // one flipped bit in the buffer is caught as in an array
                direct.put(11 + blob.length / 2, (byte) (direct.get(11 + blob.length / 2) ^ 1));
                assertThrows(CkksException.SerializationException.class, () -> reread.apply(direct), "type " + blob[5]);
            }
        }
        assertFalse(Serialization.isSecretKey(ByteBuffer.wrap(blobs[0])));
    }

    @Test
    void secretKeyRoundTripsAndDecrypts() {
        SplittableRandom rnd = new SplittableRandom(22);
        double[] v = CkksTestKit.random(rnd, kit.encoder.slots(), 1);
        Ciphertext ct = kit.encryptor.encrypt(kit.encoder.encode(v));
        byte[] bytes = io.write(kit.keys.secretKey());
        assertEquals(14 + kit.ctx.degree() + 4, bytes.length, "one byte per coefficient after the header, then the CRC32C");
        SecretKey back = io.readSecretKey(bytes);
        assertEquals(kit.keys.secretKey().poly(), back.poly());
        double[] got = kit.encoder.decode(new Decryptor(kit.ctx, back).decrypt(ct));
        org.junit.jupiter.api.Assertions.assertArrayEquals(kit.decrypt(ct), got, "the same decryption, bit for bit");
        assertTrue(CkksTestKit.bits(v, got) > 20);
        // a new generator on the kept key makes keys that work with the old ciphertexts
        KeyGenerator kg = KeyGenerator.fromSecretKey(kit.ctx, back);
        Ciphertext fresh = Encryptor.withPublicKey(kit.ctx, kg.publicKey()).encrypt(kit.encoder.encode(v));
        assertTrue(CkksTestKit.bits(v, kit.decrypt(fresh)) > 20);

        byte[] bad = bytes.clone();
        bad[14 + 5] = 2;
        assertCrcFailure(() -> io.readSecretKey(bad), "secret key");
        CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                () -> io.readSecretKey(reseal(bad)));
        assertTrue(e.getMessage().contains("coefficient 5"), e.getMessage());
        byte[] flipped = bytes.clone();
        flipped[14 + 5] ^= 1; // 0 <-> 1: still a ternary coefficient, caught only by the CRC32C
        assertCrcFailure(() -> io.readSecretKey(flipped), "secret key");
        assertThrows(CkksException.SerializationException.class, () -> io.readSecretKey(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(CkksException.SerializationException.class, () -> io.readPublicKey(bytes), "type is checked");
        assertEquals("SecretKey[redacted]", back.toString());
    }

    @Test
    void ciphertextsPlaintextsAndKeysRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(21);
        double[] v = CkksTestKit.random(rnd, kit.encoder.slots(), 1);
        Plaintext pt = kit.encoder.encode(v);
        Plaintext pt2 = io.readPlaintext(io.write(pt));
        assertEquals(pt.poly(), pt2.poly());
        assertEquals(pt.scale(), pt2.scale());

        Ciphertext full = kit.encryptor.encrypt(pt);
        Ciphertext back = io.readCiphertext(io.write(full));
        assertEquals(full.part(0), back.part(0));
        assertEquals(full.part(1), back.part(1));
        assertEquals(full.level(), back.level());

        Ciphertext three = kit.eval.multiply(full, full);
        assertEquals(3, io.readCiphertext(io.write(three)).size());

        Ciphertext seeded = kit.symmetric.encrypt(pt);
        byte[] seededBytes = io.write(seeded);
        assertTrue(seededBytes.length < io.write(kit.eval.negate(kit.eval.negate(seeded))).length * 0.51,
                "a seeded ciphertext takes about half the bytes");
        Ciphertext seededBack = io.readCiphertext(seededBytes);
        assertEquals(seeded.part(1), seededBack.part(1), "c1 regenerated from its seed");
        assertTrue(CkksTestKit.bits(v, kit.decrypt(seededBack)) > 25);

        PublicKey pk = kit.keys.publicKey();
        PublicKey pkBack = io.readPublicKey(io.write(pk));
        assertEquals(pk.a(), pkBack.a());
        assertEquals(pk.b(), pkBack.b());

        RelinearizationKey rk2 = io.readRelinearizationKey(io.write(kit.rk));
        Ciphertext r1 = kit.eval.relinearize(three, kit.rk);
        Ciphertext r2 = kit.eval.relinearize(three, rk2);
        assertEquals(r1.part(0), r2.part(0));
        assertEquals(r1.part(1), r2.part(1));

        GaloisKeys gk = kit.keys.galoisKeys(new int[] {1, 5}, true);
        GaloisKeys gk2 = io.readGaloisKeys(io.write(gk));
        assertEquals(gk.steps(), gk2.steps());
        assertTrue(gk2.hasConjugation());
        Ciphertext a = kit.eval.rotate(full, 5, gk);
        Ciphertext b = kit.eval.rotate(full, 5, gk2);
        assertEquals(a.part(0), b.part(0));
        assertEquals(a.part(1), b.part(1));
    }

    @Test
    void corruptedBytesGiveClearErrors() {
        byte[] good = io.write(kit.encryptor.encrypt(kit.encoder.encode(new double[] {1, 2})));
        assertEquals(2, io.readCiphertext(good).size());

        byte[] magic = good.clone();
        magic[0] ^= 1;
        assertMessage(magic, "magic");
        byte[] version = good.clone();
        version[4] = 9;
        assertMessage(version, "version 9");
        // each field's own check, behind the CRC32C: resealed (valid checksum over the bad field)
        // the parser names the field; as corrupted in transport (old checksum) the CRC32C catches it
        byte[] type = good.clone();
        type[5] = 2; // a plaintext header
        assertMessage(reseal(type), "type");
        assertCrcFailure(() -> io.readCiphertext(type), "ciphertext");
        byte[] level = good.clone();
        level[14] = 99;
        assertMessage(reseal(level), "level 99");
        assertCrcFailure(() -> io.readCiphertext(level), "ciphertext");
        byte[] size = good.clone();
        size[23] = 7;
        assertMessage(reseal(size), "2 or 3 parts");
        assertCrcFailure(() -> io.readCiphertext(size), "ciphertext");
        byte[] residue = good.clone();
        Arrays.fill(residue, 24, 24 + 6, (byte) 0xFF); // first residue = 2^48 - 1 >= q0
        assertMessage(reseal(residue), "not below its prime");
        assertCrcFailure(() -> io.readCiphertext(residue), "ciphertext");
        for (int cut : new int[] {0, 3, 13, 17, 20, good.length / 2, good.length - 1}) {
            assertMessage(Arrays.copyOf(good, cut), "truncated"); // a short header, or the CRC32C: "…truncated…"
        }
        for (int cut : new int[] {20, good.length / 2, good.length - 1}) {
            assertMessage(reseal(Arrays.copyOf(good, cut)), "truncated");
            assertCrcFailure(() -> io.readCiphertext(Arrays.copyOf(good, cut)), "ciphertext");
        }
        assertMessage(reseal(Arrays.copyOf(good, good.length + 5)), "trailing");
        assertCrcFailure(() -> io.readCiphertext(Arrays.copyOf(good, good.length + 5)), "ciphertext");
        // another context's fingerprint
        byte[] other = good.clone();
        other[6] ^= 0x40;
        assertThrows(CkksException.ParameterMismatchException.class, () -> io.readCiphertext(reseal(other)));
        assertCrcFailure(() -> io.readCiphertext(other), "ciphertext");
        assertThrows(CkksException.SerializationException.class, () -> io.readPlaintext(good));
    }

    @Test
    void everyObjectCarriesACrc32cOverItsWholeContent() {
        Plaintext pt = kit.encoder.encode(new double[] {1, 2});
        Ciphertext full = kit.encryptor.encrypt(pt);
        GaloisKeys gk = kit.keys.galoisKeys(new int[] {1, 2}, new int[] {3, 1}, true);
        record Case(String name, byte[] bytes, org.junit.jupiter.api.function.ThrowingConsumer<byte[]> read) {}
        List<Case> cases = List.of(
                new Case("parameters", Serialization.write(kit.ctx.parameters()), Serialization::readParameters),
                new Case("plaintext", io.write(pt), io::readPlaintext),
                new Case("ciphertext", io.write(full), io::readCiphertext),
                new Case("ciphertext", io.write(kit.eval.multiply(full, full)), io::readCiphertext),
                new Case("ciphertext", io.write(kit.symmetric.encrypt(pt)), io::readCiphertext),
                new Case("public key", io.write(kit.keys.publicKey()), io::readPublicKey),
                new Case("relinearization key", io.write(kit.rk), io::readRelinearizationKey),
                new Case("Galois keys", io.write(gk), io::readGaloisKeys),
                new Case("secret key", io.write(kit.keys.secretKey()), io::readSecretKey));
        SplittableRandom rnd = new SplittableRandom(13);
        for (Case c : cases) {
            byte[] good = c.bytes();
            assertEquals(Serialization.VERSION, good[4]);
            assertDoesNotThrow(() -> c.read().accept(good), c.name());
            // every bit after the magic and the version (which have their own messages): the type, the
            // fingerprint, the first fields and the trailer exhaustively, the body at random places
            List<Integer> positions = new java.util.ArrayList<>();
            for (int i = 5; i < Math.min(good.length, 40); i++) {
                positions.add(i);
            }
            for (int i = Math.max(40, good.length - 8); i < good.length; i++) {
                positions.add(i);
            }
            for (int k = 0; k < 24 && good.length > 40; k++) {
                positions.add(40 + rnd.nextInt(good.length - 40));
            }
            for (int i : positions) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] bad = good.clone();
                    bad[i] ^= (byte) (1 << bit);
                    assertCrcFailure(() -> c.read().accept(bad), c.name());
                }
            }
        }
    }

    @Test
    void hugeLengthFieldsDoNotAllocate() {
        byte[] good = io.write(kit.keys.galoisKeys(new int[] {1}, false));
        byte[] huge = good.clone();
        huge[14] = (byte) 0xFF;
        huge[15] = (byte) 0xFF;
        huge[16] = (byte) 0xFF;
        huge[17] = (byte) 0x3F; // 2^30 - 1 steps claimed
        assertThrows(CkksException.SerializationException.class, () -> io.readGaloisKeys(reseal(huge)));
        byte[] many = good.clone();
        many[14] = (byte) 0xFF;
        many[15] = (byte) 0x07; // 2047 steps claimed: allowed count, but the bytes are not there
        CkksException e = assertThrows(CkksException.SerializationException.class, () -> io.readGaloisKeys(reseal(many)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        byte[] params = Serialization.write(CkksParameters.presetN13Depth3());
        params[15] = (byte) 0xFF; // prime count
        assertThrows(CkksException.SerializationException.class, () -> Serialization.readParameters(reseal(params)));
        byte[] insecure = Serialization.write(CkksParameters.presetN13Depth3());
        insecure[17] = 60; // a 60-bit first prime breaks the 214-bit bound: named as insecure
        assertThrows(CkksException.InsecureParametersException.class, () -> Serialization.readParameters(reseal(insecure)));
        assertCrcFailure(() -> Serialization.readParameters(insecure), "parameters");
    }

    private void assertMessage(byte[] bytes, String fragment) {
        CkksException e = assertThrows(CkksException.SerializationException.class, () -> io.readCiphertext(bytes));
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void parametersWithWrongFingerprintAreRejected() {
        byte[] p = Serialization.write(CkksParameters.presetN13Depth3());
        p[7] ^= 1;
        CkksException e = assertThrows(CkksException.SerializationException.class, () -> Serialization.readParameters(reseal(p)));
        assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
        assertCrcFailure(() -> Serialization.readParameters(p), "parameters");
        assertArrayEquals(Serialization.write(CkksParameters.presetN13Depth3()),
                Serialization.write(CkksParameters.presetN13Depth3()));
    }

    /** The bytes with their CRC32C trailer recomputed: what a writer would have produced for them. */
    static byte[] reseal(byte[] bytes) {
        byte[] r = bytes.clone();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(r, 0, r.length - 4);
        java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(r.length - 4, (int) crc.getValue());
        return r;
    }

    static void assertCrcFailure(org.junit.jupiter.api.function.Executable read, String object) {
        CkksException e = assertThrows(CkksException.SerializationException.class, read);
        assertEquals(object + " bytes fail their CRC32C check: corrupted, truncated or extended in transport or storage",
                e.getMessage());
    }
}
