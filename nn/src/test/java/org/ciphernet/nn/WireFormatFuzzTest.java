package org.ciphernet.nn;

import java.nio.ByteBuffer;
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
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.Serialization;
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
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fuzzing of the nn wire formats (issue 13 part 2): valid {@link EncryptedTensor} (single-image
 * query and answer, batched query) and {@link EvaluationKeys} (single-image and batched plans)
 * blobs of the tiny network of {@link WireSafetyTest} at N = 2^10 (insecure parameters, for speed)
 * are mutated (bit flips, byte overwrites, runs, truncation, extension, insertion, deletion, header
 * bytes and the count fields set to hostile values; 30 % then "resealed" with a recomputed CRC32C,
 * as a careless or hostile writer would, to reach the parser's own checks) and read back.
 *
 * <p>Each read is <b>detected</b> (a {@link CkksException}: the CRC, the header checks, or the
 * ckks reader of an inner object), or <b>accepted</b>, and then writing it again must give exactly
 * the bytes read, which for bytes not resealed must be the original ones (otherwise corruption went
 * through). Anything else fails the property: another exception type, any {@link Error} such as
 * {@code OutOfMemoryError}, a read slower than the per-blob timeout (a hang) or one allocating more
 * than {@value #MAX_ALLOCATION_MIB} MiB. A summary line per type is printed.
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
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    static final int MAX_ALLOCATION_MIB = 64;
    private static final int TRIES = Integer.getInteger("ciphernet.fuzz.tries", DEFAULT_TRIES);
    private static final long TIMEOUT_MS = Long.getLong("ciphernet.fuzz.timeoutMs", DEFAULT_TIMEOUT_MS);

    /** The object types fuzzed. */
    enum Kind {
        TENSOR_QUERY("encrypted tensor, single-image query"),
        TENSOR_ANSWER("encrypted tensor, single-image answer"),
        TENSOR_BATCHED("encrypted tensor, batched query (4 cts)"),
        KEYS_SINGLE("evaluation keys, single-image plan"),
        KEYS_BATCHED("evaluation keys, batched plan");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** Offsets of the int fields of the headers: tensor images, count, first length; keys' first block length. */
    static final int TENSOR_IMAGES = WireSafetyTest.IMAGES_AT;
    static final int[] TENSOR_INTS = {4, TENSOR_IMAGES, TENSOR_IMAGES + 4, TENSOR_IMAGES + 8};
    static final int[] KEY_INTS = {4, 8 + KeyIdentifier.BYTES + 1};

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
            for (Kind k : Kind.values()) {
                if (!Arrays.equals(blobs.get(k), readWrite.get(k).apply(blobs.get(k)))) {
                    throw new IllegalStateException(k + " does not round-trip");
                }
            }
        }

        int[] intFields(Kind k) {
            return k.name().startsWith("TENSOR") ? TENSOR_INTS : KEY_INTS;
        }
    }

    // ---- mutations ------------------------------------------------------------------------------

    /** Where an edit applies: the first 64 bytes (the nn header and the first inner header), the last 8, or anywhere. */
    record Position(int zone, int value) {
        int resolve(int length) {
            if (length == 0) {
                return 0;
            }
            int v = Math.floorMod(value, switch (zone) {
                case 0 -> Math.min(64, length);
                case 1 -> Math.min(8, length);
                default -> length;
            });
            return zone == 1 ? length - 1 - v : v;
        }
    }

    /** One edit of a blob (the kind tells which int fields exist). */
    sealed interface Edit {
        byte[] apply(byte[] b, int[] intFields);
    }

    record FlipBits(Position at, int mask) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            if (b.length == 0) {
                return b;
            }
            byte[] r = b.clone();
            r[at.resolve(b.length)] ^= (byte) mask;
            return r;
        }
    }

    record Overwrite(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            byte[] r = b.clone();
            int p = at.resolve(b.length);
            for (int i = 0; i < bytes.length && p + i < r.length; i++) {
                r[p + i] = bytes[i];
            }
            return r;
        }
    }

    record Truncate(int keepPermille, int cutFew, boolean few) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            return Arrays.copyOf(b, few ? Math.max(0, b.length - cutFew) : (int) ((long) b.length * keepPermille / 1000));
        }
    }

    record Extend(byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            byte[] r = Arrays.copyOf(b, b.length + bytes.length);
            System.arraycopy(bytes, 0, r, b.length, bytes.length);
            return r;
        }
    }

    record Insert(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            int p = at.resolve(b.length + 1);
            byte[] r = new byte[b.length + bytes.length];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(bytes, 0, r, p, bytes.length);
            System.arraycopy(b, p, r, p + bytes.length, b.length - p);
            return r;
        }
    }

    record Delete(Position at, int count) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            int p = at.resolve(b.length);
            int c = Math.min(count, b.length - p);
            byte[] r = new byte[b.length - c];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(b, p + c, r, p, b.length - p - c);
            return r;
        }
    }

    /** A header byte (version, kind, fingerprint, key id, relinearization flag) set to a chosen value. */
    record HeaderByte(int offset, int value) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            if (offset >= b.length) {
                return b;
            }
            byte[] r = b.clone();
            r[offset] = (byte) value;
            return r;
        }
    }

    /** A 4-byte field (version, image count, ciphertext count, a block length) set to a hostile value. */
    record IntField(int which, int value) implements Edit {
        public byte[] apply(byte[] b, int[] f) {
            int offset = f[Math.floorMod(which, f.length)];
            if (offset + 4 > b.length) {
                return b;
            }
            byte[] r = b.clone();
            ByteBuffer.wrap(r).putInt(offset, value);
            return r;
        }
    }

    /** Edits applied in order, then the CRC32C trailer recomputed or not. */
    record Mutation(List<Edit> edits, boolean reseal) {
        Input apply(byte[] original, int[] intFields) {
            byte[] b = original;
            for (Edit e : edits) {
                b = e.apply(b, intFields);
            }
            boolean resealed = reseal && b.length >= 12;
            return new Input(resealed ? WireSafetyTest.reseal(b.clone()) : b, resealed);
        }
    }

    record Input(byte[] bytes, boolean resealed) {}

    private static Arbitrary<Position> positions() {
        return Combinators.combine(Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(1, 1), Tuple.of(6, 2)),
                Arbitraries.integers().between(0, Integer.MAX_VALUE)).as(Position::new);
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    private static Arbitrary<Edit> edits() {
        Arbitrary<Edit> singleBit = Combinators.combine(positions(), Arbitraries.integers().between(0, 7))
                .as((p, bit) -> new FlipBits(p, 1 << bit));
        Arbitrary<Edit> flip = Combinators.combine(positions(), Arbitraries.integers().between(1, 255)).as(FlipBits::new);
        Arbitrary<Edit> overwrite = Combinators.combine(positions(), bytes(1, 1)).as(Overwrite::new);
        Arbitrary<Edit> run = Combinators.combine(positions(), bytes(2, 64)).as(Overwrite::new);
        Arbitrary<Edit> truncate = Combinators.combine(Arbitraries.integers().between(0, 999), Arbitraries.integers().between(1, 40),
                Arbitraries.of(true, false)).as(Truncate::new);
        Arbitrary<Edit> extend = bytes(1, 16).map(Extend::new);
        Arbitrary<Edit> insert = Combinators.combine(positions(), bytes(1, 16)).as(Insert::new);
        Arbitrary<Edit> delete = Combinators.combine(positions(), Arbitraries.integers().between(1, 16)).as(Delete::new);
        Arbitrary<Edit> headerByte = Combinators.combine(Arbitraries.integers().between(4, 48),
                Arbitraries.of(0, 1, 2, 3, 127, 128, 255)).as(HeaderByte::new);
        Arbitrary<Edit> intField = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.of(Integer.MAX_VALUE, 100_000_000, 65_537, 4_097, 513, 512, 5, 3, 2, 1, 0, -1, Integer.MIN_VALUE))
                .as(IntField::new);
        return Arbitraries.frequencyOf(Tuple.of(5, singleBit), Tuple.of(3, flip), Tuple.of(4, overwrite), Tuple.of(2, run),
                Tuple.of(2, truncate), Tuple.of(1, extend), Tuple.of(1, insert), Tuple.of(1, delete), Tuple.of(2, headerByte),
                Tuple.of(3, intField));
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(edits().list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 9))
                .as((e, r) -> new Mutation(e, r < 3)); // 30 % resealed
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

    // ---- classification -------------------------------------------------------------------------

    /** Counts per type. */
    static final class Stats {
        long tries;
        long detected;
        long acceptedIdentical;
        long acceptedResealed;
        long failures;
        long maxAllocated;
        long maxNanos;

        synchronized String line(Kind k) {
            return String.format("fuzz %-40s %,8d tries: %,8d detected, %,6d accepted-identical, %,6d accepted-resealed, "
                    + "%d failures (max %.1f MiB allocated, slowest %.1f ms)", k.label, tries, detected, acceptedIdentical,
                    acceptedResealed, failures, maxAllocated / 1048576.0, maxNanos / 1e6);
        }
    }

    private static final Map<Kind, Stats> STATS = new EnumMap<>(Kind.class);
    private static ExecutorService worker = newWorker();

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nn-wire-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    private static synchronized Stats stats(Kind k) {
        return STATS.computeIfAbsent(k, x -> new Stats());
    }

    /** Bytes allocated so far by the calling thread (HotSpot's thread allocation counter). */
    static long allocatedByThisThread() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM does not count allocated bytes", e);
        }
    }

    private record Outcome(byte[] rewritten, Throwable thrown, long allocated, long nanos) {}

    private static void check(Kind kind, Mutation m) {
        Fixtures f = Fixtures.INSTANCE;
        byte[] original = f.blobs.get(kind);
        Input in = m.apply(original, f.intFields(kind));
        byte[] input = in.bytes();
        Function<byte[], byte[]> readWrite = f.readWrite.get(kind);
        Stats s = stats(kind);
        String failure = null;
        Outcome o = null;
        Future<Outcome> future = worker.submit(() -> {
            long a0 = allocatedByThisThread();
            long t0 = System.nanoTime();
            try {
                byte[] out = readWrite.apply(input);
                return new Outcome(out, null, allocatedByThisThread() - a0, System.nanoTime() - t0);
            } catch (Throwable t) {
                return new Outcome(null, t, allocatedByThisThread() - a0, System.nanoTime() - t0);
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
                    if (o.thrown() instanceof CkksException) {
                        s.detected++;
                    } else {
                        failure = "untyped or unexpected " + o.thrown();
                    }
                } else if (!Arrays.equals(o.rewritten(), input)) {
                    failure = "accepted, but writing it again gives other bytes (a non-canonical encoding)";
                } else if (Arrays.equals(input, original)) {
                    s.acceptedIdentical++; // an edit that changed nothing
                } else if (in.resealed()) {
                    s.acceptedResealed++; // a valid object another writer could have made: not corruption
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
        System.out.printf("fuzz total %,d mutated blobs over %d nn object types, %d failures%n", tries, Kind.values().length, failures);
    }

    /** Sets each property's tries to its share of {@code ciphernet.fuzz.tries}. */
    static final class Budget implements AroundPropertyHook {
        /** A hook on the class reaches its properties only if it propagates (the default is the class alone). */
        @Override
        public PropagationMode propagateTo() {
            return PropagationMode.ALL_DESCENDANTS;
        }

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            context.attributes().setTries(Math.max(1, TRIES / Kind.values().length));
            return property.execute();
        }
    }
}
