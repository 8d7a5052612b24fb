package org.ciphernet.ckks;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * Fuzzing of {@link Serialization} (issue 13): valid blobs of every CKKS object type, made once
 * with reproducible keys at N = 2^10, are mutated (bit flips, byte overwrites, runs of random
 * bytes, truncation, extension, insertion, deletion, header fields; some then "resealed" with a
 * recomputed CRC32C, as a writer would, to reach the parser's own checks) and read back.
 *
 * <p>Every read is classified:
 * <ul>
 *   <li><b>detected</b>: a {@link CkksException.SerializationException} or
 *       {@link CkksException.ParameterMismatchException};</li>
 *   <li><b>accepted</b>: the object is read; writing it again must give exactly the bytes read
 *       (every accepted encoding is canonical), and for bytes corrupted without resealing those
 *       must be the original bytes (else the corruption went through: a silent wrong answer);</li>
 *   <li><b>failure</b>: any other exception (an {@code IllegalArgumentException}, an
 *       {@code ArrayIndexOutOfBoundsException}, even an {@code InsecureParametersException}, which
 *       mutated parameters cannot reach past the fingerprint), any {@link Error} such as
 *       {@code OutOfMemoryError}, a read above the time limit (a hang) or one that allocates more
 *       than {@value #MAX_ALLOCATION_MIB} MiB (the blobs are below 1 MiB), or an accepted read that
 *       fails the rule above.</li>
 * </ul>
 * A summary line per type is printed: tries, detected, accepted-identical, accepted-resealed,
 * failures, the largest allocation and the slowest read.
 *
 * <p>Budget: {@code ciphernet.fuzz.tries} mutated blobs in total, split evenly over the types
 * (default {@value #DEFAULT_TRIES}, a few seconds, for CI); {@code ciphernet.fuzz.timeoutMs} per
 * read (default {@value #DEFAULT_TIMEOUT_MS}). A long run, from the repository root:
 * <pre>
 * nice -n 10 mvn -B -q -ntp -pl ckks -am test -Dtest=SerializationFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dciphernet.fuzz.tries=100000
 * </pre>
 * jqwik chooses a random seed per run and prints it with any failure (rerun with
 * {@code @Property(seed = "...")}).
 */
@AddLifecycleHook(value = SerializationFuzzTest.Budget.class, propagateTo = PropagationMode.DIRECT_DESCENDANTS)
class SerializationFuzzTest {
    static final int DEFAULT_TRIES = 6_500;
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    static final int MAX_ALLOCATION_MIB = 128;
    private static final int TRIES = Integer.getInteger("ciphernet.fuzz.tries", DEFAULT_TRIES);
    private static final long TIMEOUT_MS = Long.getLong("ciphernet.fuzz.timeoutMs", DEFAULT_TIMEOUT_MS);

    /** The object types fuzzed, each with its valid blob and its read-then-write. */
    enum Kind {
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

        boolean verified() {
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

    /** Where an edit applies: in the first 32 bytes (header and first fields), the last 8, or anywhere. */
    record Position(int zone, int value) {
        int resolve(int length) {
            if (length == 0) {
                return 0;
            }
            int v = Math.floorMod(value, switch (zone) {
                case 0 -> Math.min(32, length);
                case 1 -> Math.min(8, length);
                default -> length;
            });
            return zone == 1 ? length - 1 - v : v;
        }
    }

    /** One edit of a blob. */
    sealed interface Edit {
        byte[] apply(byte[] b);
    }

    record FlipBits(Position at, int mask) implements Edit {
        public byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            byte[] r = b.clone();
            r[at.resolve(b.length)] ^= (byte) mask;
            return r;
        }
    }

    record Overwrite(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b) {
            byte[] r = b.clone();
            int p = at.resolve(b.length);
            for (int i = 0; i < bytes.length && p + i < r.length; i++) {
                r[p + i] = bytes[i];
            }
            return r;
        }
    }

    /** Truncation to a fraction of the length, or by a few bytes. */
    record Truncate(int keepPermille, int cutFew, boolean few) implements Edit {
        public byte[] apply(byte[] b) {
            int keep = few ? Math.max(0, b.length - cutFew) : (int) ((long) b.length * keepPermille / 1000);
            return Arrays.copyOf(b, keep);
        }
    }

    record Extend(byte[] bytes) implements Edit {
        public byte[] apply(byte[] b) {
            byte[] r = Arrays.copyOf(b, b.length + bytes.length);
            System.arraycopy(bytes, 0, r, b.length, bytes.length);
            return r;
        }
    }

    record Insert(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b) {
            int p = at.resolve(b.length + 1);
            byte[] r = new byte[b.length + bytes.length];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(bytes, 0, r, p, bytes.length);
            System.arraycopy(b, p, r, p + bytes.length, b.length - p);
            return r;
        }
    }

    record Delete(Position at, int count) implements Edit {
        public byte[] apply(byte[] b) {
            int p = at.resolve(b.length);
            int c = Math.min(count, b.length - p);
            byte[] r = new byte[b.length - c];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(b, p + c, r, p, b.length - p - c);
            return r;
        }
    }

    /** A header field set to a chosen value: version (offset 4), type (5), a fingerprint byte, a level or count. */
    record HeaderField(int offset, int value) implements Edit {
        public byte[] apply(byte[] b) {
            if (offset >= b.length) {
                return b;
            }
            byte[] r = b.clone();
            r[offset] = (byte) value;
            return r;
        }
    }

    /** Edits applied in order, then the CRC32C trailer recomputed (for version-3 bytes) or not. */
    record Mutation(List<Edit> edits, boolean reseal) {
        Input apply(byte[] original) {
            byte[] b = original;
            for (Edit e : edits) {
                b = e.apply(b);
            }
            boolean resealed = reseal && b.length >= 18 && b[4] == Serialization.VERSION;
            return new Input(resealed ? SerializationTest.reseal(b) : b, resealed);
        }
    }

    /** Mutated bytes, and whether their CRC32C was recomputed. */
    record Input(byte[] bytes, boolean resealed) {}

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

    private static Arbitrary<Position> positions() {
        return Combinators.combine(Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(1, 1),
                Tuple.of(6, 2)), Arbitraries.integers().between(0, Integer.MAX_VALUE)).as(Position::new);
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    private static Arbitrary<Edit> edits() {
        Arbitrary<Edit> flip = Combinators.combine(positions(), Arbitraries.integers().between(1, 255)).as(FlipBits::new);
        Arbitrary<Edit> singleBit = Combinators.combine(positions(), Arbitraries.integers().between(0, 7))
                .as((p, bit) -> new FlipBits(p, 1 << bit));
        Arbitrary<Edit> overwrite = Combinators.combine(positions(), bytes(1, 1)).as(Overwrite::new);
        Arbitrary<Edit> run = Combinators.combine(positions(), bytes(2, 64)).as(Overwrite::new);
        Arbitrary<Edit> truncate = Combinators.combine(Arbitraries.integers().between(0, 999), Arbitraries.integers().between(1, 40),
                Arbitraries.of(true, false)).as(Truncate::new);
        Arbitrary<Edit> extend = bytes(1, 16).map(Extend::new);
        Arbitrary<Edit> insert = Combinators.combine(positions(), bytes(1, 16)).as(Insert::new);
        Arbitrary<Edit> delete = Combinators.combine(positions(), Arbitraries.integers().between(1, 16)).as(Delete::new);
        Arbitrary<Edit> field = Combinators.combine(Arbitraries.integers().between(4, 23),
                Arbitraries.of(0, 1, 2, 3, 4, 7, 8, 9, 127, 128, 255, -1)).as(HeaderField::new);
        return Arbitraries.frequencyOf(Tuple.of(5, singleBit), Tuple.of(3, flip),
                Tuple.of(4, overwrite), Tuple.of(2, run), Tuple.of(2, truncate),
                Tuple.of(1, extend), Tuple.of(1, insert), Tuple.of(1, delete),
                Tuple.of(2, field));
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(edits().list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 9))
                .as((e, r) -> new Mutation(e, r < 3)); // 30 % resealed
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

    /** Counts per type. */
    static final class Stats {
        long tries;
        long detected;
        long acceptedIdentical;
        long acceptedResealed;
        long acceptedUnverified;
        long failures;
        long maxAllocated;
        long maxNanos;

        synchronized String line(Kind k) {
            return String.format("fuzz %-42s %,8d tries: %,8d detected, %,6d accepted-identical, %,6d accepted-resealed, "
                    + "%s%d failures (max %.1f MiB allocated, slowest %.1f ms)", k.label, tries, detected, acceptedIdentical,
                    acceptedResealed, k.verified() ? "" : String.format("%,d accepted-unverified (no check in v2), ", acceptedUnverified),
                    failures, maxAllocated / 1048576.0, maxNanos / 1e6);
        }
    }

    private static final Map<Kind, Stats> STATS = new EnumMap<>(Kind.class);
    private static ExecutorService worker = newWorker();

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "serialization-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    /** What one read gave: the bytes written again, or the throwable, and its cost. */
    private record Outcome(byte[] rewritten, Throwable thrown, long allocated, long nanos) {}

    private static synchronized Stats stats(Kind k) {
        return STATS.computeIfAbsent(k, x -> new Stats());
    }

    private static void check(Kind kind, Mutation m) {
        Fixtures f = Fixtures.INSTANCE;
        byte[] original = f.blobs.get(kind);
        byte[] expected = asVersion3(original);
        Input in = m.apply(original);
        byte[] input = in.bytes();
        Function<byte[], byte[]> readWrite = f.readWrite.get(kind);
        Stats s = stats(kind);
        String failure = null;
        Outcome o = null;
        Future<Outcome> future = worker.submit(() -> {
            long a0 = ParameterBoundsTest.allocatedByThisThread();
            long t0 = System.nanoTime();
            try {
                byte[] out = readWrite.apply(input);
                return new Outcome(out, null, ParameterBoundsTest.allocatedByThisThread() - a0, System.nanoTime() - t0);
            } catch (Throwable t) {
                return new Outcome(null, t, ParameterBoundsTest.allocatedByThisThread() - a0, System.nanoTime() - t0);
            }
        });
        try {
            o = future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            failure = "hang: no answer within " + TIMEOUT_MS + " ms";
        } catch (InterruptedException | ExecutionException e) {
            failure = "the fuzz worker failed: " + e;
        }
        synchronized (s) {
            s.tries++;
            if (o != null) {
                s.maxAllocated = Math.max(s.maxAllocated, o.allocated());
                s.maxNanos = Math.max(s.maxNanos, o.nanos());
                if (o.allocated() > (long) MAX_ALLOCATION_MIB << 20) {
                    failure = "allocated " + o.allocated() + " bytes for a " + input.length + "-byte blob";
                } else if (o.thrown() != null) {
                    // typed: bad bytes, another context's object, or parameters (from bytes whose fields were
                    // changed and resealed) that the security check refuses, naming the parameter
                    if (o.thrown() instanceof CkksException.SerializationException
                            || o.thrown() instanceof CkksException.ParameterMismatchException
                            || o.thrown() instanceof CkksException.InsecureParametersException) {
                        s.detected++;
                    } else {
                        failure = "untyped or unexpected " + o.thrown();
                    }
                } else if (!Arrays.equals(o.rewritten(), asVersion3(input))) {
                    failure = "accepted, but writing it again gives other bytes (a non-canonical encoding)";
                } else if (Arrays.equals(o.rewritten(), expected)) {
                    s.acceptedIdentical++; // unchanged content (an edit that changed nothing, or v2 form of parameters)
                } else if (in.resealed()) {
                    s.acceptedResealed++; // a valid object another writer could have made: not corruption
                } else if (!kind.verified()) {
                    s.acceptedUnverified++; // the reason version 2 is refused by default
                } else {
                    failure = "corrupted bytes accepted: a silent wrong answer";
                }
            }
            if (failure != null) {
                s.failures++;
            }
        }
        if (failure != null) {
            AssertionError e = new AssertionError(kind.label + ": " + failure + " (" + input.length + " bytes, "
                    + (in.resealed() ? "resealed" : "not resealed") + ")");
            if (o != null && o.thrown() != null) {
                e.initCause(o.thrown());
            }
            throw e;
        }
    }

    @AfterContainer
    static void summary() {
        long tries = 0;
        long failures = 0;
        for (Kind k : Kind.values()) {
            Stats s = stats(k);
            System.out.println(s.line(k));
            tries += s.tries;
            failures += s.failures;
        }
        System.out.printf("fuzz total %,d mutated blobs over %d ckks object types, %d failures%n", tries, Kind.values().length,
                failures);
    }

    /** Sets each property's tries to its share of {@code ciphernet.fuzz.tries}, rounded up. */
    static final class Budget implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            context.attributes().setTries(Math.max(1, (TRIES + Kind.values().length - 1) / Kind.values().length));
            return property.execute();
        }
    }
}
