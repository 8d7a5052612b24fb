package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, the plan as a shippable program: a plan file read back is the same program (same
 * bytes, same fingerprint, the same answers bit for bit), corrupted or truncated files and
 * insecure parameters are refused, the fingerprint covers the weights, and a server refuses
 * evaluation keys made for another plan, naming both fingerprints. Also checks the layering: the
 * runtime side of {@code nn} imports nothing from the compiler.
 */
class PlanFileTest {
    static final byte[] SEED = new byte[32];

    @Test
    void aPlanReadBackIsTheSameProgramAndGivesTheSameAnswers() {
        for (Network net : List.of(TestNetworks.residual(4), TestNetworks.stridedStack(5), TestNetworks.quadraticSkips(5))) {
            for (CompileOptions options : List.of(CompileOptions.singleImage(), CompileOptions.batched())) {
                HePlan plan = Compiler.compile(net, options);
                byte[] bytes = plan.toBytes();
                HePlan loaded = HePlan.fromBytes(bytes);
                assertArrayEquals(bytes, loaded.toBytes(), "writing a plan read back gives the same bytes");
                assertEquals(plan.fingerprint(), loaded.fingerprint());
                assertEquals(plan.report().toString(), loaded.report().toString());
                assertEquals(answer(plan, net), answer(loaded, net), net.name() + " " + options.mode());
            }
        }
    }

    /** Version 1 files (no ModDown counts) are still read: the same program, one ModDown per key switch. */
    @Test
    void version1PlanFilesAreStillRead() {
        Network net = TestNetworks.residual(4);
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
        assertTrue(plan.report().modDowns() < plan.report().keySwitches(), plan.report().toString());
        HePlan old = HePlan.fromBytes(PlanFile.write(plan, 1));
        assertEquals(plan.fingerprint(), old.fingerprint());
        for (PlanReport.Row r : old.report().rows()) {
            assertEquals(r.keySwitches(), r.modDowns(), r.layers());
        }
        assertArrayEquals(plan.toBytes(), HePlan.fromBytes(plan.toBytes()).toBytes());
    }

    /**
     * Version 4 records the network's input shape; version 3 files, without it, are still read (an
     * empty shape, the same fingerprint); a shape that does not hold the input's values is refused.
     */
    @Test
    void theInputShapeIsRecordedAndVersion3PlansAreStillRead() {
        Network net = TestNetworks.residual(4);
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
        org.ciphernet.nn.model.Shape in = net.inputShape();
        assertEquals(List.of(in.channels(), in.height(), in.width()), plan.report().inputShape());
        assertEquals(plan.report().inputShape(), HePlan.fromBytes(plan.toBytes()).report().inputShape());
        HePlan v3 = HePlan.fromBytes(PlanFile.write(plan, 3));
        assertEquals(List.of(), v3.report().inputShape());
        assertEquals(plan.fingerprint(), v3.fingerprint());
        assertEquals(answer(plan, net), answer(v3, net));
        // a version-4 file whose shape claims another number of values (resealed, so that the CRC passes)
        byte[] bytes = plan.toBytes();
        int last = bytes.length - 4 - 4; // the width, before the CRC32C
        java.nio.ByteBuffer.wrap(bytes).putInt(last, in.width() + 1);
        CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                () -> HePlan.fromBytes(WireSafetyTest.reseal(bytes)));
        assertTrue(e.getMessage().contains("input shape"), e.getMessage());
        // the same file marked version 3: the shape's bytes are left after the end
        byte[] marked = plan.toBytes();
        java.nio.ByteBuffer.wrap(marked).putInt(4, 3);
        assertThrows(CkksException.SerializationException.class, () -> HePlan.fromBytes(WireSafetyTest.reseal(marked)));
    }

    /** The answer's ciphertext bytes, from a reproducible client and a server of the plan. */
    private static List<String> answer(HePlan plan, Network net) {
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED);
        Serialization ser = new Serialization(plan.context());
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            EncryptedTensor in = plan.mode() == Mode.BATCHED
                    ? client.encryptBatch(new double[][] {TestNetworks.image(net.inputShape(), 1), TestNetworks.image(net.inputShape(), 2)})
                    : client.encrypt(TestNetworks.image(net.inputShape(), 1));
            return server.infer(in).ciphertexts().stream().map(c -> java.util.HexFormat.of().formatHex(ser.write(c))).toList();
        }
    }

    @Test
    void corruptedTruncatedAndInsecurePlansAreRefused() {
        HePlan plan = WireSafetyTest.single();
        byte[] bytes = plan.toBytes();
        assertEquals(plan.fingerprint(), HePlan.fromBytes(bytes, SecurityLevel.NONE_INSECURE).fingerprint());
        CkksException insecure = assertThrows(CkksException.class, () -> HePlan.fromBytes(bytes));
        assertTrue(insecure.getMessage().contains("NONE_INSECURE") || insecure.getMessage().contains("secur"), insecure.getMessage());
        for (int pos = 0; pos < bytes.length * 8; pos += 997) {
            byte[] bad = bytes.clone();
            bad[pos / 8] ^= (byte) (1 << (pos % 8));
            CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                    () -> HePlan.fromBytes(bad, SecurityLevel.NONE_INSECURE));
            assertTrue(e.getMessage().contains("plan file"), e.getMessage());
        }
        for (int len : new int[] {0, 3, 11, bytes.length / 2, bytes.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(bytes, len);
            assertThrows(CkksException.SerializationException.class, () -> HePlan.fromBytes(cut, SecurityLevel.NONE_INSECURE));
        }
        // resealed after a change of a length (the network name's, after magic and version): the parser's
        // own checks refuse it, without allocating what it claims
        byte[] hostile = bytes.clone();
        java.nio.ByteBuffer.wrap(hostile).putInt(8, Integer.MAX_VALUE);
        assertThrows(CkksException.SerializationException.class,
                () -> HePlan.fromBytes(WireSafetyTest.reseal(hostile), SecurityLevel.NONE_INSECURE));
    }

    @Test
    void plansThatWouldMisbehaveWhenRunAreRefusedWhenBuilt() {
        HePlan plan = WireSafetyTest.single();
        List<PlanStep> steps = plan.steps();
        // a relinearization key not asked for although the plan squares
        assertThrows(IllegalArgumentException.class, () -> new HePlan(plan.name(), plan.mode(), plan.parameters(), plan.inputRange(),
                plan.inputGather(), steps, plan.keys(), false, plan.report()));
        // a single-image square left with 3 parts (the next step rotates)
        int sq = steps.stream().filter(s -> s.operation() instanceof Operation.Square).findFirst().orElseThrow().index();
        PlanStep s = steps.get(sq);
        List<PlanStep> threeParts = new java.util.ArrayList<>(steps);
        threeParts.set(sq, new PlanStep(sq, s.label(), s.inputs(), s.size(), s.levelIn(), s.levelOut(), s.scaleOut(), s.tap(),
                new Operation.Square(Operation.Square.Form.RESCALE_KEEP_THREE_PARTS)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HePlan(plan.name(), plan.mode(),
                plan.parameters(), plan.inputRange(), plan.inputGather(), threeParts, plan.keys(), true, plan.report()));
        assertTrue(e.getMessage().contains("must end relinearized"), e.getMessage());
        // a square that claims to keep its level
        List<PlanStep> level = new java.util.ArrayList<>(steps);
        level.set(sq, new PlanStep(sq, s.label(), s.inputs(), s.size(), s.levelIn(), s.levelIn(), s.scaleOut(), s.tap(), s.operation()));
        assertThrows(IllegalArgumentException.class, () -> new HePlan(plan.name(), plan.mode(), plan.parameters(), plan.inputRange(),
                plan.inputGather(), level, plan.keys(), true, plan.report()));
        // a Horner schedule whose giant steps would loop 2^32 times
        assertThrows(IllegalArgumentException.class, () -> new DiagonalSchedule(16, 16, 0, 1, 1, new int[] {0},
                new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, true, new int[][][] {{{0}}, {{0}}},
                new double[][][] {{{1}}, {{1}}}));
    }

    @Test
    void theFingerprintCoversTheWeightsAndKeysOfAnotherPlanAreRefused() {
        CompileOptions options = CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE);
        HePlan plan = Compiler.compile(WireSafetyTest.tiny("tiny", 0.5), options);
        HePlan other = Compiler.compile(WireSafetyTest.tiny("tiny", 0.7), options); // same layout, one weight differs
        assertEquals(plan.clientSpec().parameters(), other.clientSpec().parameters());
        assertEquals(plan.keys().steps(), other.keys().steps());
        assertNotEquals(plan.fingerprint(), other.fingerprint());
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        assertEquals(plan.fingerprint(), client.evaluationKeys().planFingerprint().getAsLong());
        MismatchedTensorException e = assertThrows(MismatchedTensorException.class, () -> new HeServer(other, client.evaluationKeys()));
        assertTrue(e.getMessage().contains(plan.fingerprintHex()) && e.getMessage().contains(other.fingerprintHex()), e.getMessage());
        // the keys' plan survives serialization
        Serialization ser = client.serialization();
        assertEquals(plan.fingerprint(), EvaluationKeys.fromBytes(client.evaluationKeys().toBytes(ser), ser).planFingerprint().getAsLong());
    }

    @Test
    void theRuntimeSideImportsNothingFromTheCompiler() throws IOException {
        Path main = Path.of("src", "main", "java", "org", "ciphernet", "nn");
        for (String pkg : List.of("", "runtime", "plan")) {
            try (Stream<Path> files = Files.list(main.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String code = line.strip();
                        if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                            continue; // documentation may name the compiler
                        }
                        assertFalse(code.contains("org.ciphernet.nn.compiler") || code.contains("org.ciphernet.nn.internal")
                                || code.matches(".*\\bCompiler\\.[a-z].*"), f + " uses the compiler: " + code);
                    }
                }
            }
        }
        try (Stream<Path> files = Files.list(main.resolve("plan"))) {
            for (Path f : files.toList()) {
                String src = Files.readString(f);
                assertFalse(src.contains("org.ciphernet.nn.runtime"), f + ": the plan does not know its runtimes");
                assertFalse(src.contains("import org.ciphernet.nn.HeServer"), f.toString());
            }
        }
    }

    /** Packed plans refuse a wrong stride in their file, and queries or answers claiming more images than a ciphertext holds. */
    @Test
    void packedPlansRefuseBadStridesAndTooManyImages() {
        Network net = TestNetworks.residual(4);
        HePlan plan = Compiler.compile(net, CompileOptions.packed());
        int k = plan.imagesPerCiphertext();
        assertTrue(k > 1);
        byte[] bytes = plan.toBytes();
        // the stride follows the magic, version, name (length and bytes) and mode
        int at = 4 + 4 + 4 + plan.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        assertEquals(plan.imageStride(), java.nio.ByteBuffer.wrap(bytes, at, 4).getInt());
        for (int stride : new int[] {0, -8, 3, plan.imageStride() / 2, 2 * plan.parameters().slots()}) {
            byte[] bad = bytes.clone();
            java.nio.ByteBuffer.wrap(bad, at, 4).putInt(stride);
            byte[] sealed = WireFormat.seal(java.util.Arrays.copyOf(bad, bad.length - 4), bad.length - 4);
            CkksException.SerializationException e = assertThrows(CkksException.SerializationException.class,
                    () -> HePlan.fromBytes(sealed), "stride " + stride);
            assertTrue(e.getMessage().contains("invalid plan"), e.getMessage());
        }
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        double[][] tooMany = new double[k + 1][];
        java.util.Arrays.fill(tooMany, TestNetworks.image(net.inputShape(), 1));
        assertThrows(IllegalArgumentException.class, () -> client.encryptBatch(tooMany));
        EncryptedTensor query = client.encryptBatch(new double[][] {TestNetworks.image(net.inputShape(), 1)});
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> server.infer(query.withImages(k + 1)));
            assertTrue(e.getMessage().contains("at most " + k), e.getMessage());
            EncryptedTensor answer = server.infer(query);
            assertThrows(IllegalArgumentException.class, () -> client.decryptBatch(answer.withImages(k + 1)));
            assertEquals(1, client.decryptBatch(answer).length);
        }
    }
}
