package org.ciphernet.nn;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.ckks.fuzz.BlobFuzzing;
import org.ciphernet.ckks.fuzz.BlobFuzzing.Mutation;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing of the nn wire formats (issue 13 part 2; plan files, issue 14): valid
 * {@link EncryptedTensor} (single-image query and answer, batched query), {@link EvaluationKeys}
 * (single-image and batched plans) and plan-file ({@link HePlan#toBytes()}, both modes) blobs of the tiny network of {@link WireSafetyTest} at N = 2^10 (insecure parameters, for speed)
 * are mutated (bit flips, byte overwrites, runs, truncation, extension, insertion, deletion, header
 * bytes and the count fields set to hostile values; 30 % then "resealed" with a recomputed CRC32C,
 * as a careless or hostile writer would, to reach the parser's own checks) and read back.
 *
 * <p>Each read is <b>detected</b> (a {@link CkksException}: the CRC, the header checks, or the
 * ckks reader of an inner object), or <b>accepted</b>, and then writing it again must give exactly
 * the bytes read, which for bytes not resealed must be the original ones (otherwise corruption went
 * through). Anything else fails the property: another exception type, any {@link Error} such as
 * {@code OutOfMemoryError}, a read slower than the per-blob timeout (a hang) or one allocating more
 * than {@value #MAX_ALLOCATION_MIB} MiB. A summary line per type is printed. The mutations, the
 * guarded reads and their classification are {@link BlobFuzzing}'s.
 *
 * <p>Budget: {@code ciphernet.fuzz.tries} blobs in total, split evenly over the types (default
 * {@value #DEFAULT_TRIES}, a few seconds in CI); {@code ciphernet.fuzz.timeoutMs} per read. A long
 * run, from the repository root:
 * <pre>
 * nice -n 10 mvn -B -q -ntp -pl nn -am test -Dtest=WireFormatFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dciphernet.fuzz.tries=100000
 * </pre>
 */
@AddLifecycleHook(WireFormatFuzzTest.Budget.class)
class WireFormatFuzzTest {
    static final int DEFAULT_TRIES = 1_500;
    static final int MAX_ALLOCATION_MIB = 64;

    /** The object types fuzzed. */
    enum Kind implements BlobFuzzing.Type {
        TENSOR_QUERY("encrypted tensor, single-image query"),
        TENSOR_ANSWER("encrypted tensor, single-image answer"),
        TENSOR_BATCHED("encrypted tensor, batched query (4 cts)"),
        KEYS_SINGLE("evaluation keys, single-image plan"),
        KEYS_BATCHED("evaluation keys, batched plan"),
        PLAN_SINGLE("plan file, single-image"),
        PLAN_BATCHED("plan file, batched");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    /** Offsets of the int fields of the headers: tensor images, count, first length; keys' first block length. */
    static final int TENSOR_IMAGES = WireSafetyTest.IMAGES_AT;
    static final int[] TENSOR_INTS = {4, TENSOR_IMAGES, TENSOR_IMAGES + 4, TENSOR_IMAGES + 8};
    static final int[] KEY_INTS = {4, 8 + KeyIdentifier.BYTES + 9 + 1};
    /** Plan files: the version and the length of the network's name. */
    static final int[] PLAN_INTS = {4, 8};

    /**
     * The formats: edits aim at the first 64 bytes (the nn header and the first inner header) and
     * the int fields above; bytes long enough for a header and trailer are resealed.
     */
    static final BlobFuzzing.Format TENSOR_FORMAT = new BlobFuzzing.Format(64, TENSOR_INTS, b -> b.length >= 12,
            WireSafetyTest::reseal);
    static final BlobFuzzing.Format KEYS_FORMAT = new BlobFuzzing.Format(64, KEY_INTS, b -> b.length >= 12,
            WireSafetyTest::reseal);
    static final BlobFuzzing.Format PLAN_FORMAT = new BlobFuzzing.Format(64, PLAN_INTS, b -> b.length >= 12,
            WireSafetyTest::reseal);

    /** The valid blobs and their read-then-write functions, made once (reproducible keys). */
    static final class Fixtures {
        static final Fixtures INSTANCE = new Fixtures();
        final Map<Kind, byte[]> blobs = new EnumMap<>(Kind.class);
        final Map<Kind, Function<byte[], byte[]>> readWrite = new EnumMap<>(Kind.class);

        private Fixtures() {
            HePlan single = WireSafetyTest.single();
            HeClient sc = HeClient.reproducible(single.clientSpec(), single.context(), WireSafetyTest.SEED_A);
            Serialization ss = sc.serialization();
            HePlan batched = WireSafetyTest.batched();
            HeClient bc = HeClient.reproducible(batched.clientSpec(), batched.context(), WireSafetyTest.SEED_A);
            Serialization bs = bc.serialization();
            EncryptedTensor query = sc.encrypt(WireSafetyTest.IMAGE);
            EncryptedTensor answer;
            try (HeServer server = new HeServer(single, sc.evaluationKeys())) {
                answer = server.infer(query);
            }
            blobs.put(Kind.TENSOR_QUERY, query.toBytes(ss));
            blobs.put(Kind.TENSOR_ANSWER, answer.toBytes(ss));
            blobs.put(Kind.TENSOR_BATCHED, bc.encryptBatch(new double[][] {WireSafetyTest.IMAGE, WireSafetyTest.IMAGE, {0, 1, 0, 1}})
                    .toBytes(bs));
            blobs.put(Kind.KEYS_SINGLE, sc.evaluationKeys().toBytes(ss));
            blobs.put(Kind.KEYS_BATCHED, bc.evaluationKeys().toBytes(bs));
            readWrite.put(Kind.TENSOR_QUERY, b -> EncryptedTensor.fromBytes(b, ss).toBytes(ss));
            readWrite.put(Kind.TENSOR_ANSWER, b -> EncryptedTensor.fromBytes(b, ss).toBytes(ss));
            readWrite.put(Kind.TENSOR_BATCHED, b -> EncryptedTensor.fromBytes(b, bs).toBytes(bs));
            readWrite.put(Kind.KEYS_SINGLE, b -> EvaluationKeys.fromBytes(b, ss).toBytes(ss));
            readWrite.put(Kind.KEYS_BATCHED, b -> EvaluationKeys.fromBytes(b, bs).toBytes(bs));
            blobs.put(Kind.PLAN_SINGLE, single.toBytes());
            blobs.put(Kind.PLAN_BATCHED, batched.toBytes());
            readWrite.put(Kind.PLAN_SINGLE, b -> HePlan.fromBytes(b, SecurityLevel.NONE_INSECURE).toBytes());
            readWrite.put(Kind.PLAN_BATCHED, b -> HePlan.fromBytes(b, SecurityLevel.NONE_INSECURE).toBytes());
            for (Kind k : Kind.values()) {
                if (!Arrays.equals(blobs.get(k), readWrite.get(k).apply(blobs.get(k)))) {
                    throw new IllegalStateException(k + " does not round-trip");
                }
            }
        }

        BlobFuzzing.Format format(Kind k) {
            return k.name().startsWith("TENSOR") ? TENSOR_FORMAT : k.name().startsWith("PLAN") ? PLAN_FORMAT : KEYS_FORMAT;
        }
    }

    /**
     * The common edits, header bytes (version, kind, fingerprint, key id, relinearization flag) set to
     * chosen values, and the 4-byte fields (version, image count, ciphertext count, a block length)
     * set to hostile values.
     */
    @Provide
    Arbitrary<Mutation> mutations() {
        return BlobFuzzing.mutations(Tuple.of(2, BlobFuzzing.headerBytes(4, 48, 0, 1, 2, 3, 127, 128, 255)),
                Tuple.of(3, BlobFuzzing.intFields(Integer.MAX_VALUE, 100_000_000, 65_537, 4_097, 513, 512, 5, 3, 2, 1, 0, -1,
                        Integer.MIN_VALUE)));
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void tensorQuery(@ForAll("mutations") Mutation m) {
        check(Kind.TENSOR_QUERY, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void tensorAnswer(@ForAll("mutations") Mutation m) {
        check(Kind.TENSOR_ANSWER, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void tensorBatched(@ForAll("mutations") Mutation m) {
        check(Kind.TENSOR_BATCHED, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void keysSingle(@ForAll("mutations") Mutation m) {
        check(Kind.KEYS_SINGLE, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void keysBatched(@ForAll("mutations") Mutation m) {
        check(Kind.KEYS_BATCHED, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void planSingle(@ForAll("mutations") Mutation m) {
        check(Kind.PLAN_SINGLE, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void planBatched(@ForAll("mutations") Mutation m) {
        check(Kind.PLAN_BATCHED, m);
    }

    // ---- classification -------------------------------------------------------------------------

    /** Typed: any {@link CkksException} (the CRC, the header checks, or the ckks reader of an inner object). */
    private static final BlobFuzzing<Kind> FUZZ = new BlobFuzzing<>(Kind.class, "nn", 40, MAX_ALLOCATION_MIB,
            t -> t instanceof CkksException, WireFormatFuzzTest::canonical);

    /**
     * What reading and writing again must give: the bytes themselves. (A plan file's version field
     * edited from 4 to 3 or 2, older forms the reader still takes, leaves the input shape that
     * version 4 appends as bytes after the end: refused, never read as another plan. When version
     * 3 was the newest, an edit to 2 was another form of the same plan; {@code PlanFileTest} reads
     * the older versions.)
     */
    static byte[] canonical(byte[] b) {
        return b;
    }

    private static void check(Kind kind, Mutation m) {
        Fixtures f = Fixtures.INSTANCE;
        FUZZ.check(kind, f.blobs.get(kind), f.readWrite.get(kind), m, f.format(kind));
    }

    @AfterContainer
    static void summary() {
        FUZZ.printSummary();
    }

    /** Sets each property's tries to its share of {@code ciphernet.fuzz.tries}, rounded up. */
    static final class Budget extends BlobFuzzing.Budget {
        Budget() {
            super(DEFAULT_TRIES, Kind.values().length);
        }
    }
}
