package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 part 3: counts checked against the plan, key identifiers, input range, query/answer
 * metadata and the integrity of the nn wire formats, on a tiny network at N = 2^10 (insecure
 * parameters, for speed only).
 */
class WireSafetyTest {
    static final byte[] SEED_A = new byte[32];
    static final byte[] SEED_B = seed(7);

    static byte[] seed(int v) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) v);
        return s;
    }

    /** flatten → dense 4→3 → x² → dense 3→2, input 1×2×2. */
    static Network tiny(String name, double w) {
        return Network.builder(name, new Shape(1, 2, 2))
                .layer("flatten", new Flatten())
                .layer("fc1", new Dense(4, 3, new double[] {w, 0.2, -0.1, 0.3, 0.1, -w, 0.2, 0.1, 0.3, 0.1, w, -0.2},
                        new double[] {0.1, 0, -0.1}))
                .layer("sq", new Square())
                .layer("fc2", new Dense(3, 2, new double[] {0.5, -0.25, 1, 0.3, 0.2, -0.4}, new double[] {0, 0.05}))
                .build();
    }

    static HePlan single() {
        return Compiler.compile(tiny("tiny", 0.5), CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE));
    }

    static HePlan batched() {
        return Compiler.compile(tiny("tiny", 0.5), CompileOptions.batched().withSecurity(SecurityLevel.NONE_INSECURE));
    }

    static final double[] IMAGE = {0.1, 0.5, 0.9, 0.3};

    /** Rewrites the trailing CRC32C so that a patched blob passes the integrity check. */
    static byte[] reseal(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b, b.length - 4, 4).putInt((int) c.getValue());
        return b;
    }

    /** Offset of the image count in an encrypted tensor: magic, version, kind, plan, key id. */
    static final int IMAGES_AT = 4 + 4 + 1 + 8 + KeyIdentifier.BYTES;

    @Test
    void countsAreCheckedBeforeAnythingIsAllocated() {
        HePlan plan = batched();
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        Serialization ser = client.serialization();
        int slots = plan.context().slots();
        EncryptedTensor query = client.encryptBatch(new double[][] {IMAGE, IMAGE});
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            EncryptedTensor answer = server.infer(query);
            byte[] bytes = answer.toBytes(ser);
            for (int images : new int[] {Integer.MAX_VALUE, 100_000_000, EncryptedTensor.MAX_IMAGES + 1, 0, -1}) {
                byte[] patched = bytes.clone();
                ByteBuffer.wrap(patched).putInt(IMAGES_AT, images);
                CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                        () -> EncryptedTensor.fromBytes(reseal(patched), ser));
                assertTrue(e.getMessage().contains(images + " images"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> answer.with(answer.ciphertexts(), answer.kind()).withImages(images));
            }
            // a count that passes the format's bound but not the plan's: one more image than slots
            EncryptedTensor tooMany = answer.withImages(slots + 1);
            IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> client.decryptBatch(tooMany));
            assertTrue(d.getMessage().contains((slots + 1) + " images"), d.getMessage());
            IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> server.infer(query.withImages(slots + 1)));
            assertTrue(s.getMessage().contains("at most " + slots), s.getMessage());
            assertEquals(2, client.decryptBatch(answer).length);
        }
        // single-image: exactly one image
        HePlan sp = single();
        HeClient sc = HeClient.reproducible(sp.clientSpec(), sp.context(), SEED_A);
        try (HeServer server = new HeServer(sp, sc.evaluationKeys())) {
            EncryptedTensor q = sc.encrypt(IMAGE);
            assertThrows(IllegalArgumentException.class, () -> server.infer(q.withImages(2)));
            EncryptedTensor a = server.infer(q);
            assertThrows(IllegalArgumentException.class, () -> sc.decrypt(a.withImages(4097)));
        }
    }

    @Test
    void keyIdentifierIsStablePublicAndBindsKeysToInputs() {
        HePlan plan = single();
        HeClient a = HeClient.create(plan.clientSpec(), plan.context());
        HeClient b = HeClient.create(plan.clientSpec(), plan.context());
        Serialization ser = a.serialization();
        // the owner restores the secret key in a later process: same identifier
        HeClient restored = HeClient.restore(plan.clientSpec(), plan.context(), ser.readSecretKey(ser.write(a.secretKey())));
        assertEquals(a.keyId(), restored.keyId());
        assertEquals(a.keyId(), KeyIdentifier.of(plan.context(), a.secretKey()));
        assertNotEquals(a.keyId(), b.keyId());
        assertEquals(32, a.keyId().toString().length());
        assertTrue(a.keyId().toString().matches("[0-9a-f]{32}"));
        assertEquals(a.keyId(), a.evaluationKeys().keyId());
        assertEquals(a.keyId(), a.encrypt(IMAGE).keyId());
        // a restored client decrypts what the server answered to the original client
        try (HeServer serverA = new HeServer(plan, EvaluationKeys.fromBytes(a.evaluationKeys().toBytes(ser), ser))) {
            EncryptedTensor answer = serverA.infer(EncryptedTensor.fromBytes(a.encrypt(IMAGE).toBytes(ser), ser));
            double[] want = ReferenceEvaluator.evaluate(tiny("tiny", 0.5), IMAGE);
            double[] got = restored.decrypt(EncryptedTensor.fromBytes(answer.toBytes(ser), ser));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-3);
            }
            // client A's keys with client B's input (same plan): refused, naming both identifiers
            MismatchedTensorException e = assertThrows(MismatchedTensorException.class, () -> serverA.infer(b.encrypt(IMAGE)));
            assertTrue(e.getMessage().contains("another key pair") && e.getMessage().contains(b.keyId().toString())
                    && e.getMessage().contains(a.keyId().toString()), e.getMessage());
            // client B cannot decrypt A's answer into garbage: refused
            MismatchedTensorException d = assertThrows(MismatchedTensorException.class, () -> b.decrypt(answer));
            assertTrue(d.getMessage().contains("this answer was made for another key pair (key id " + a.keyId() + ", yours is "
                    + b.keyId() + ")"), d.getMessage());
        }
    }

    @Test
    void tensorsSayWhatTheyAre() {
        HePlan plan = single();
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        EncryptedTensor query = client.encrypt(IMAGE);
        assertEquals(EncryptedTensor.Kind.QUERY, query.kind());
        assertEquals(plan.fingerprint(), query.planFingerprint());
        // the encrypted input given to decryption
        MismatchedTensorException notAnswer = assertThrows(MismatchedTensorException.class, () -> client.decrypt(query));
        assertTrue(notAnswer.getMessage().contains("this is an encrypted query, not an answer"), notAnswer.getMessage());
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            EncryptedTensor answer = server.infer(query);
            assertEquals(EncryptedTensor.Kind.ANSWER, answer.kind());
            assertEquals(query.keyId(), answer.keyId());
            MismatchedTensorException notQuery = assertThrows(MismatchedTensorException.class, () -> server.infer(answer));
            assertTrue(notQuery.getMessage().contains("not a query"), notQuery.getMessage());
        }
        // another plan (same parameters, other layout fingerprint): the server and the client refuse
        HePlan other = Compiler.compile(tiny("tiny-other", 0.7), CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE)
                .withParameters(plan.parameters()));
        assertNotEquals(plan.fingerprint(), other.fingerprint());
        HeClient otherClient = HeClient.reproducible(other.clientSpec(), other.context(), SEED_A);
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            MismatchedTensorException e = assertThrows(MismatchedTensorException.class, () -> server.infer(otherClient.encrypt(IMAGE)));
            assertTrue(e.getMessage().contains("another plan"), e.getMessage());
            EncryptedTensor answer = server.infer(query);
            assertThrows(MismatchedTensorException.class, () -> otherClient.decrypt(answer));
        }
    }

    @Test
    void planFingerprintIsDeterministic() {
        assertEquals(single().fingerprint(), single().fingerprint());
        assertEquals(batched().fingerprint(), batched().fingerprint());
        assertNotEquals(single().fingerprint(), batched().fingerprint());
        // the input range is client-side policy, not part of the fingerprint
        HePlan ranged = Compiler.compile(tiny("tiny", 0.5), CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE)
                .withInputRange(0, 1));
        assertEquals(single().fingerprint(), ranged.fingerprint());
    }

    @Test
    void inputsOutsideTheCompiledRangeAreRefusedOrClipped() {
        HePlan plan = single();
        assertEquals(new InputRange(-512, 512), plan.clientSpec().inputRange()); // 10 integer bits of headroom
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        double[] huge = IMAGE.clone();
        huge[2] = 1e9;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.encrypt(huge));
        assertTrue(e.getMessage().contains("[-512, 512]") && e.getMessage().contains("index 2"), e.getMessage());
        // a declared range [0, 1]: 1.5 refused; clipped when asked, and then it decrypts to the clipped image's logits
        HePlan unit = Compiler.compile(tiny("tiny", 0.5), CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE)
                .withInputRange(0, 1));
        HeClient uc = HeClient.reproducible(unit.clientSpec(), unit.context(), SEED_A);
        double[] over = {0.1, 1.5, 0.9, -0.2};
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> uc.encrypt(over));
        assertTrue(r.getMessage().contains("[0, 1]"), r.getMessage());
        try (HeServer server = new HeServer(unit, uc.evaluationKeys())) {
            double[] got = uc.decrypt(server.infer(uc.encrypt(over, HeClient.OutOfRange.CLIP)));
            double[] want = ReferenceEvaluator.evaluate(tiny("tiny", 0.5), new double[] {0.1, 1, 0.9, 0});
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-3);
            }
        }
        assertArrayEquals(new double[] {0.1, 1.5, 0.9, -0.2}, over); // the caller's array is not modified
        HePlan bp = batched();
        HeClient bc = HeClient.reproducible(bp.clientSpec(), bp.context(), SEED_A);
        assertThrows(IllegalArgumentException.class, () -> bc.encryptBatch(new double[][] {IMAGE, huge}));
    }

    @Test
    void wireFormatsAreVersionedAndIntegrityChecked() {
        HePlan plan = single();
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        Serialization ser = client.serialization();
        byte[] t = client.encrypt(IMAGE).toBytes(ser);
        byte[] k = client.evaluationKeys().toBytes(ser);
        assertArrayEquals(t, EncryptedTensor.fromBytes(t, ser).toBytes(ser));
        assertArrayEquals(k, EvaluationKeys.fromBytes(k, ser).toBytes(ser));
        // one flipped bit anywhere (sampled) is caught by the CRC32C, before parsing, naming the object
        for (int pos = 0; pos < t.length * 8; pos += 97) {
            byte[] bad = t.clone();
            bad[pos / 8] ^= (byte) (1 << (pos % 8));
            CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                    () -> EncryptedTensor.fromBytes(bad, ser));
            assertTrue(e.getMessage().contains("encrypted tensor"), e.getMessage());
        }
        for (int pos = 0; pos < k.length * 8; pos += 7919) {
            byte[] bad = k.clone();
            bad[pos / 8] ^= (byte) (1 << (pos % 8));
            CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                    () -> EvaluationKeys.fromBytes(bad, ser));
            assertTrue(e.getMessage().contains("evaluation keys"), e.getMessage());
        }
        // the old version 1 (no metadata, no CRC) is refused with a clear message
        byte[] v1 = t.clone();
        ByteBuffer.wrap(v1).putInt(4, 1);
        CkksException.SerializationException old = assertThrows(CkksException.SerializationException.class,
                () -> EncryptedTensor.fromBytes(v1, ser));
        assertTrue(old.getMessage().contains("version 1 is no longer read"), old.getMessage());
        CkksException.SerializationException empty = assertThrows(CkksException.SerializationException.class,
                () -> EvaluationKeys.fromBytes(new byte[0], ser));
        assertTrue(empty.getMessage().contains("evaluation keys"), empty.getMessage());
        // a relinearization flag other than 0 or 1 is refused (it would not re-serialize identically)
        byte[] flag = k.clone();
        flag[8 + KeyIdentifier.BYTES + 9] = 2; // after the key id and the plan fingerprint (a flag and 8 bytes)
        assertThrows(CkksException.SerializationException.class, () -> EvaluationKeys.fromBytes(reseal(flag), ser));
    }

    @Test
    void keysAreReadFromFilesMappedOrOnTheHeapAlike(@TempDir Path dir) throws IOException {
        HePlan plan = single();
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        Serialization ser = client.serialization();
        byte[] k = client.evaluationKeys().toBytes(ser);
        Path file = dir.resolve("evaluation.keys");
        Files.write(file, k);
        assertArrayEquals(k, EvaluationKeys.read(file, ser, 0).toBytes(ser), "mapped");
        assertArrayEquals(k, EvaluationKeys.read(file, ser, Long.MAX_VALUE).toBytes(ser), "on the heap");
        assertArrayEquals(k, EvaluationKeys.read(file, ser).toBytes(ser));
        // a view into a larger direct buffer, at an offset: parsed in place, its position left as it was
        ByteBuffer direct = ByteBuffer.allocateDirect(k.length + 13);
        direct.position(7).put(k).position(7).limit(7 + k.length);
        assertArrayEquals(k, EvaluationKeys.fromBytes(direct, ser).toBytes(ser));
        assertEquals(7, direct.position());
        // the keys read from a mapped file outlive the mapping: a server evaluates with them
        EvaluationKeys mapped = EvaluationKeys.read(file, ser, 0);
        try (HeServer server = new HeServer(plan, mapped)) {
            double[] expected = ReferenceEvaluator.evaluate(tiny("tiny", 0.5), IMAGE);
            double[] got = client.decrypt(server.infer(client.encrypt(IMAGE)));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-3);
            }
        }
        // corrupted and truncated files are refused by name, mapped or not
        byte[] bad = k.clone();
        bad[k.length / 2] ^= 4;
        Files.write(file, bad);
        for (long threshold : new long[] {0, Long.MAX_VALUE}) {
            CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                    () -> EvaluationKeys.read(file, ser, threshold));
            assertTrue(e.getMessage().contains("evaluation keys"), e.getMessage());
        }
        Files.write(file, Arrays.copyOf(k, k.length - 100));
        for (long threshold : new long[] {0, Long.MAX_VALUE}) {
            assertThrows(CkksException.SerializationException.class, () -> EvaluationKeys.read(file, ser, threshold));
        }
        Files.write(file, new byte[0]);
        assertThrows(CkksException.SerializationException.class, () -> EvaluationKeys.read(file, ser, 0));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> EvaluationKeys.read(dir.resolve("missing"), ser));
    }

    @Test
    void tensorsAreReadFromDirectBuffersAtAnOffset() {
        HePlan plan = batched();
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED_A);
        Serialization ser = client.serialization();
        byte[] t = client.encryptBatch(new double[][] {IMAGE, IMAGE}).toBytes(ser);
        ByteBuffer direct = ByteBuffer.allocateDirect(t.length + 5);
        direct.position(5).put(t).position(5);
        assertArrayEquals(t, EncryptedTensor.fromBytes(direct, ser).toBytes(ser));
        assertEquals(5, direct.position());
    }
}
