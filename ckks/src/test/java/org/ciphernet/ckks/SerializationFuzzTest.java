package org.ciphernet.ckks;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import org.ciphernet.ckks.fuzz.BlobFuzzing;
import org.ciphernet.ckks.fuzz.BlobFuzzing.Mutation;

/**
 * Fuzzing of {@link Serialization} (issue 13): valid blobs of every CKKS object type, made once
 * with reproducible keys at N = 2^10, are mutated (bit flips, byte overwrites, runs of random
 * bytes, truncation, extension, insertion, deletion, header fields; some then "resealed" with a
 * recomputed CRC32C, as a writer would, to reach the parser's own checks) and read back.
 *
 * <p>Every read is classified (by {@link BlobFuzzing}, which also makes the mutations):
 * <ul>
 *   <li><b>detected</b>: a {@link CkksException.SerializationException}, a
 *       {@link CkksException.ParameterMismatchException}, or an
 *       {@link CkksException.InsecureParametersException} (parameters whose fields were changed and
 *       resealed, refused by the security check);</li>
 *   <li><b>accepted</b>: the object is read; writing it again must give exactly the bytes read
 *       (every accepted encoding is canonical), and for bytes corrupted without resealing those
 *       must be the original bytes (else the corruption went through: a silent wrong answer);</li>
 *   <li><b>failure</b>: any other exception (an {@code IllegalArgumentException}, an
 *       {@code ArrayIndexOutOfBoundsException}), any {@link Error} such as
 *       {@code OutOfMemoryError}, a read above the time limit (a hang) or one that allocates more
 *       than {@value #MAX_ALLOCATION_MIB} MiB (the blobs are below 1 MiB), or an accepted read that
 *       fails the rule above.</li>
 * </ul>
 * A summary line per type is printed: tries, detected, accepted-identical, accepted-resealed,
 * failures, the largest allocation and the slowest read.
 *
 * <p>Budget: {@code ciphernet.fuzz.tries} mutated blobs in total, split evenly over the types
 * (default {@value #DEFAULT_TRIES}, a few seconds, for CI); {@code ciphernet.fuzz.timeoutMs} per
 * read (default {@value BlobFuzzing#DEFAULT_TIMEOUT_MS}). A long run, from the repository root:
 * <pre>
 * nice -n 10 mvn -B -q -ntp -pl ckks -am test -Dtest=SerializationFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dciphernet.fuzz.tries=100000
 * </pre>
 * jqwik chooses a random seed per run and prints it with any failure (rerun with
 * {@code @Property(seed = "...")}).
 */
@AddLifecycleHook(SerializationFuzzTest.Budget.class)
class SerializationFuzzTest {
    static final int DEFAULT_TRIES = 6_500;
    static final int MAX_ALLOCATION_MIB = 128;

    /** The object types fuzzed, each with its valid blob and its read-then-write. */
    enum Kind implements BlobFuzzing.Type {
        PARAMETERS("parameters"),
        PLAINTEXT_TOP("plaintext, level 3"),
        PLAINTEXT_LOW("plaintext, level 1"),
        CIPHERTEXT_TOP("ciphertext, 2 parts, level 3"),
        CIPHERTEXT_LOW("ciphertext, 2 parts, level 0"),
        CIPHERTEXT_THREE_PARTS("ciphertext, 3 parts, level 2"),
        CIPHERTEXT_SEEDED_TOP("seeded ciphertext, level 3"),
        CIPHERTEXT_SEEDED_LOW("seeded ciphertext, level 1"),
        PUBLIC_KEY("public key"),
        RELINEARIZATION_KEY("relinearization key"),
        GALOIS_KEYS("Galois keys, levels 3/1/0 + conjugation"),
        SECRET_KEY("secret key"),
        /** Version 2 has no integrity check: a changed key that parses is expected, and counted apart. */
        SECRET_KEY_V2_LEGACY("secret key v2, legacy reader");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public boolean verified() {
            return this != SECRET_KEY_V2_LEGACY;
        }
    }

    /** The valid blobs and readers, made once (reproducible keys). */
    static final class Fixtures {
        static final Fixtures INSTANCE = new Fixtures();
        final Map<Kind, byte[]> blobs = new EnumMap<>(Kind.class);
        final Map<Kind, Function<byte[], byte[]>> readWrite = new EnumMap<>(Kind.class);

        private Fixtures() {
            CkksParameters params = CkksParameters.builder().logN(10).qBits(List.of(35, 25, 25, 25)).pBits(List.of(35))
                    .logScale(25).security(SecurityLevel.NONE_INSECURE).build();
            CkksContext ctx = CkksContext.create(params);
            byte[] seed = new byte[32];
            Arrays.fill(seed, (byte) 42);
            KeyGenerator kg = KeyGenerator.reproducible(ctx, seed);
            Encoder enc = new Encoder(ctx);
            Evaluator eval = new Evaluator(ctx, 1);
            Encryptor pkEnc = Encryptor.reproducibleWithPublicKey(ctx, kg.publicKey(), seed);
            Encryptor skEnc = Encryptor.reproducibleWithSecretKey(ctx, kg.secretKey(), seed);
            Serialization io = new Serialization(ctx);
            Serialization legacy = io.withUnverifiedVersion2();
            double[] v = new double[enc.slots()];
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.sin(i);
            }
            double scale = params.defaultScale();
            Plaintext top = enc.encode(v);
            Plaintext low = enc.encode(v, 1, scale);
            Ciphertext full = pkEnc.encrypt(top);

            blobs.put(Kind.PARAMETERS, Serialization.write(params));
            readWrite.put(Kind.PARAMETERS, b -> Serialization.write(Serialization.readParameters(b, Serialization.DEFAULT_MAX_CONTEXT_BYTES,
                    SecurityLevel.NONE_INSECURE))); // the fixture is N = 2^10, opted out
            blobs.put(Kind.PLAINTEXT_TOP, io.write(top));
            blobs.put(Kind.PLAINTEXT_LOW, io.write(low));
            readWrite.put(Kind.PLAINTEXT_TOP, b -> io.write(io.readPlaintext(b)));
            readWrite.put(Kind.PLAINTEXT_LOW, b -> io.write(io.readPlaintext(b)));
            blobs.put(Kind.CIPHERTEXT_TOP, io.write(full));
            blobs.put(Kind.CIPHERTEXT_LOW, io.write(eval.dropToLevel(full, 0)));
            blobs.put(Kind.CIPHERTEXT_THREE_PARTS, io.write(eval.multiply(eval.dropToLevel(full, 2), eval.dropToLevel(full, 2))));
            Ciphertext seededTop = skEnc.encrypt(top);
            Ciphertext seededLow = skEnc.encrypt(low);
            if (!seededTop.isSeeded() || !seededLow.isSeeded()) {
                throw new IllegalStateException("secret-key encryptions are expected to be seeded");
            }
            blobs.put(Kind.CIPHERTEXT_SEEDED_TOP, io.write(seededTop));
            blobs.put(Kind.CIPHERTEXT_SEEDED_LOW, io.write(seededLow));
            for (Kind k : List.of(Kind.CIPHERTEXT_TOP, Kind.CIPHERTEXT_LOW, Kind.CIPHERTEXT_THREE_PARTS,
                    Kind.CIPHERTEXT_SEEDED_TOP, Kind.CIPHERTEXT_SEEDED_LOW)) {
                readWrite.put(k, b -> io.write(io.readCiphertext(b)));
            }
            blobs.put(Kind.PUBLIC_KEY, io.write(kg.publicKey()));
            readWrite.put(Kind.PUBLIC_KEY, b -> io.write(io.readPublicKey(b)));
            blobs.put(Kind.RELINEARIZATION_KEY, io.write(kg.relinearizationKey()));
            readWrite.put(Kind.RELINEARIZATION_KEY, b -> io.write(io.readRelinearizationKey(b)));
            blobs.put(Kind.GALOIS_KEYS, io.write(kg.galoisKeys(new int[] {1, 3, 7}, new int[] {3, 1, 0}, true)));
            readWrite.put(Kind.GALOIS_KEYS, b -> io.write(io.readGaloisKeys(b)));
            byte[] sk = io.write(kg.secretKey());
            blobs.put(Kind.SECRET_KEY, sk);
            readWrite.put(Kind.SECRET_KEY, b -> io.write(io.readSecretKey(b)));
            // version 2: the same header and body without the trailer; written again as version 3
            byte[] v2 = Arrays.copyOf(sk, sk.length - 4);
            v2[4] = Serialization.LEGACY_VERSION_2;
            blobs.put(Kind.SECRET_KEY_V2_LEGACY, v2);
            readWrite.put(Kind.SECRET_KEY_V2_LEGACY, b -> io.write(legacy.readSecretKey(b)));
            for (Kind k : Kind.values()) {
                byte[] b = blobs.get(k);
                if (!Arrays.equals(asVersion3(b), readWrite.get(k).apply(b))) {
                    throw new IllegalStateException(k + " does not round-trip");
                }
            }
        }
    }

    // ---- mutations ------------------------------------------------------------------------------

    /**
     * The format: edits aim at the first 32 bytes (header and first fields); version-3 bytes long
     * enough for a header and trailer are resealed.
     */
    static final BlobFuzzing.Format FORMAT = new BlobFuzzing.Format(32, new int[0],
            b -> b.length >= 18 && b[4] == Serialization.VERSION, SerializationTest::reseal);

    /**
     * Version-2 bytes as the version-3 bytes of the same content (version byte 3, CRC32C
     * appended); other bytes unchanged. Readers write version 3, so this is what a canonical
     * version-2 input gives back.
     */
    static byte[] asVersion3(byte[] b) {
        if (b.length < 14 || b[4] != Serialization.LEGACY_VERSION_2) {
            return b;
        }
        byte[] v3 = Arrays.copyOf(b, b.length + 4);
        v3[4] = Serialization.VERSION;
        return SerializationTest.reseal(v3);
    }

    /** The common edits, and header fields (version at offset 4, type at 5, fingerprint, levels, counts) set to chosen values. */
    @Provide
    Arbitrary<Mutation> mutations() {
        return BlobFuzzing.mutations(Tuple.of(2, BlobFuzzing.headerBytes(4, 23, 0, 1, 2, 3, 4, 7, 8, 9, 127, 128, 255, -1)));
    }

    // ---- the properties: one per type -----------------------------------------------------------

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void parameters(@ForAll("mutations") Mutation m) {
        check(Kind.PARAMETERS, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void plaintextTop(@ForAll("mutations") Mutation m) {
        check(Kind.PLAINTEXT_TOP, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void plaintextLow(@ForAll("mutations") Mutation m) {
        check(Kind.PLAINTEXT_LOW, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void ciphertextTop(@ForAll("mutations") Mutation m) {
        check(Kind.CIPHERTEXT_TOP, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void ciphertextLow(@ForAll("mutations") Mutation m) {
        check(Kind.CIPHERTEXT_LOW, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void ciphertextThreeParts(@ForAll("mutations") Mutation m) {
        check(Kind.CIPHERTEXT_THREE_PARTS, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void ciphertextSeededTop(@ForAll("mutations") Mutation m) {
        check(Kind.CIPHERTEXT_SEEDED_TOP, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void ciphertextSeededLow(@ForAll("mutations") Mutation m) {
        check(Kind.CIPHERTEXT_SEEDED_LOW, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void publicKey(@ForAll("mutations") Mutation m) {
        check(Kind.PUBLIC_KEY, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void relinearizationKey(@ForAll("mutations") Mutation m) {
        check(Kind.RELINEARIZATION_KEY, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void galoisKeys(@ForAll("mutations") Mutation m) {
        check(Kind.GALOIS_KEYS, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void secretKey(@ForAll("mutations") Mutation m) {
        check(Kind.SECRET_KEY, m);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void secretKeyVersion2LegacyReader(@ForAll("mutations") Mutation m) {
        check(Kind.SECRET_KEY_V2_LEGACY, m);
    }

    // ---- classification -------------------------------------------------------------------------

    /**
     * Typed: bad bytes, another context's object, or parameters (from bytes whose fields were
     * changed and resealed) that the security check refuses, naming the parameter.
     */
    private static final BlobFuzzing<Kind> FUZZ = new BlobFuzzing<>(Kind.class, "ckks", 42, MAX_ALLOCATION_MIB,
            t -> t instanceof CkksException.SerializationException || t instanceof CkksException.ParameterMismatchException
                    || t instanceof CkksException.InsecureParametersException,
            SerializationFuzzTest::asVersion3);

    private static void check(Kind kind, Mutation m) {
        Fixtures f = Fixtures.INSTANCE;
        FUZZ.check(kind, f.blobs.get(kind), f.readWrite.get(kind), m, FORMAT);
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
