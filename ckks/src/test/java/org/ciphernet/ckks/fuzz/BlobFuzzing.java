package org.ciphernet.ckks.fuzz;

import java.nio.ByteBuffer;
import java.util.ArrayList;
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
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Test support for the fuzzing of binary formats (issue 13): the mutations of a valid blob, the
 * guarded read of each mutated blob, its classification and the per-type counts. Used by the ckks
 * {@code SerializationFuzzTest} and the nn {@code WireFormatFuzzTest}, which keep their object
 * types, fixtures and the exceptions they count as typed.
 *
 * <p>A mutation is one to three {@link Edit edits} (bit flips, byte overwrites, runs of random
 * bytes, truncation, extension, insertion, deletion, and the format's own: header bytes, 4-byte
 * fields), 30 % of them then "resealed" with a recomputed CRC32C, as a writer would, to reach the
 * parser's own checks. Each read runs on a worker thread, with a time limit and its allocation
 * counted, and is:
 * <ul>
 *   <li><b>detected</b>: the read threw an exception of the typed kinds;</li>
 *   <li><b>accepted</b>: writing the object again must give exactly the (canonical form of the)
 *       bytes read, and for bytes not resealed those must be the original ones, unless the type is
 *       {@linkplain Type#verified() unverified} (counted apart);</li>
 *   <li><b>failure</b>: any other throwable (an {@link Error} such as {@code OutOfMemoryError}
 *       included), a read above the time limit (a hang) or one allocating more than the limit, an
 *       accepted read that breaks the rule above. The property fails with an {@link AssertionError}.</li>
 * </ul>
 *
 * <p>Budget: {@value #TRIES_PROPERTY} mutated blobs in total, split evenly over the types (rounded
 * up, see {@link Budget}); {@value #TIMEOUT_PROPERTY} per read (default {@value #DEFAULT_TIMEOUT_MS}).
 *
 * @param <K> the object types fuzzed
 */
public final class BlobFuzzing<K extends Enum<K> & BlobFuzzing.Type> {
    /** The system property giving the number of mutated blobs over all the types of a test. */
    public static final String TRIES_PROPERTY = "ciphernet.fuzz.tries";
    /** The system property giving the time limit of one read, in milliseconds. */
    public static final String TIMEOUT_PROPERTY = "ciphernet.fuzz.timeoutMs";
    /** The default time limit of one read, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MS = 10_000;

    /** An object type fuzzed (implemented by the tests' enums). */
    public interface Type {
        /** The name printed in the summary line. */
        String label();

        /** Whether the format checks its integrity, so that corrupted bytes must not be accepted. */
        default boolean verified() {
            return true;
        }
    }

    /**
     * What the edits and the resealing know of a format.
     *
     * @param headerZone the leading bytes that {@link Position} zone 0 aims at (the headers)
     * @param intFields the offsets of the 4-byte big-endian fields {@link IntField} sets (none: it changes nothing)
     * @param resealable whether edited bytes have a trailer to recompute
     * @param reseal the bytes with their CRC32C trailer recomputed (given a copy it may change)
     */
    public record Format(int headerZone, int[] intFields, Predicate<byte[]> resealable, UnaryOperator<byte[]> reseal) {}

    // ---- mutations ------------------------------------------------------------------------------

    /** Where an edit applies: zone 0 the format's header zone, zone 1 the last 8 bytes, else anywhere. */
    public record Position(int zone, int value) {
        /** The offset in bytes of the given length ({@code 0} for none). */
        public int resolve(int length, int headerZone) {
            if (length == 0) {
                return 0;
            }
            int v = Math.floorMod(value, switch (zone) {
                case 0 -> Math.min(headerZone, length);
                case 1 -> Math.min(8, length);
                default -> length;
            });
            return zone == 1 ? length - 1 - v : v;
        }
    }

    /** One edit of a blob. */
    public sealed interface Edit permits FlipBits, Overwrite, Truncate, Extend, Insert, Delete, HeaderByte, IntField {
        /** The edited bytes (a new array, or {@code b} itself when nothing changes). */
        byte[] apply(byte[] b, Format f);
    }

    /** Bits of one byte flipped. */
    public record FlipBits(Position at, int mask) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            if (b.length == 0) {
                return b;
            }
            byte[] r = b.clone();
            r[at.resolve(b.length, f.headerZone())] ^= (byte) mask;
            return r;
        }
    }

    /** Bytes overwritten (as many as fit). */
    public record Overwrite(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            byte[] r = b.clone();
            int p = at.resolve(b.length, f.headerZone());
            for (int i = 0; i < bytes.length && p + i < r.length; i++) {
                r[p + i] = bytes[i];
            }
            return r;
        }
    }

    /** Truncation to a fraction of the length, or by a few bytes. */
    public record Truncate(int keepPermille, int cutFew, boolean few) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            int keep = few ? Math.max(0, b.length - cutFew) : (int) ((long) b.length * keepPermille / 1000);
            return Arrays.copyOf(b, keep);
        }
    }

    /** Bytes appended. */
    public record Extend(byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            byte[] r = Arrays.copyOf(b, b.length + bytes.length);
            System.arraycopy(bytes, 0, r, b.length, bytes.length);
            return r;
        }
    }

    /** Bytes inserted. */
    public record Insert(Position at, byte[] bytes) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            int p = at.resolve(b.length + 1, f.headerZone());
            byte[] r = new byte[b.length + bytes.length];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(bytes, 0, r, p, bytes.length);
            System.arraycopy(b, p, r, p + bytes.length, b.length - p);
            return r;
        }
    }

    /** Bytes deleted. */
    public record Delete(Position at, int count) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            int p = at.resolve(b.length, f.headerZone());
            int c = Math.min(count, b.length - p);
            byte[] r = new byte[b.length - c];
            System.arraycopy(b, 0, r, 0, p);
            System.arraycopy(b, p + c, r, p, b.length - p - c);
            return r;
        }
    }

    /** A header byte (version, type, fingerprint, level, count, ...) set to a chosen value. */
    public record HeaderByte(int offset, int value) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            if (offset >= b.length) {
                return b;
            }
            byte[] r = b.clone();
            r[offset] = (byte) value;
            return r;
        }
    }

    /** One of the format's 4-byte fields (a version, count or length) set to a hostile value. */
    public record IntField(int which, int value) implements Edit {
        public byte[] apply(byte[] b, Format f) {
            if (f.intFields().length == 0) {
                return b;
            }
            int offset = f.intFields()[Math.floorMod(which, f.intFields().length)];
            if (offset + 4 > b.length) {
                return b;
            }
            byte[] r = b.clone();
            ByteBuffer.wrap(r).putInt(offset, value);
            return r;
        }
    }

    /** Edits applied in order, then the CRC32C trailer recomputed (where the format allows) or not. */
    public record Mutation(List<Edit> edits, boolean reseal) {
        /** The mutated bytes of {@code original} (which is not changed). */
        public Input apply(byte[] original, Format f) {
            byte[] b = original;
            for (Edit e : edits) {
                b = e.apply(b, f);
            }
            boolean resealed = reseal && f.resealable().test(b);
            return new Input(resealed ? f.reseal().apply(b.clone()) : b, resealed);
        }
    }

    /** Mutated bytes, and whether their CRC32C was recomputed. */
    public record Input(byte[] bytes, boolean resealed) {}

    private static Arbitrary<Position> positions() {
        return Combinators.combine(Arbitraries.frequency(Tuple.of(3, 0), Tuple.of(1, 1), Tuple.of(6, 2)),
                Arbitraries.integers().between(0, Integer.MAX_VALUE)).as(Position::new);
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    /** {@link HeaderByte} edits: an offset from {@code firstOffset} to {@code lastOffset}, one of the values. */
    public static Arbitrary<Edit> headerBytes(int firstOffset, int lastOffset, Integer... values) {
        return Combinators.combine(Arbitraries.integers().between(firstOffset, lastOffset), Arbitraries.of(values))
                .as(HeaderByte::new);
    }

    /** {@link IntField} edits: one of the first four fields of the format, one of the values. */
    public static Arbitrary<Edit> intFields(Integer... values) {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(values)).as(IntField::new);
    }

    /**
     * Mutations: one to three edits, 30 % resealed. The edits are bit flips (single bits weighted
     * 5, any mask 3), overwrites (one byte 4, a run of 2 to 64 bytes 2), truncations (2),
     * extension, insertion and deletion (1 each), and the format's own, with their weights.
     */
    @SafeVarargs
    public static Arbitrary<Mutation> mutations(Tuple2<Integer, Arbitrary<Edit>>... formatEdits) {
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
        List<Tuple2<Integer, Arbitrary<Edit>>> all = new ArrayList<>(List.of(Tuple.of(5, singleBit), Tuple.of(3, flip),
                Tuple.of(4, overwrite), Tuple.of(2, run), Tuple.of(2, truncate), Tuple.of(1, extend), Tuple.of(1, insert),
                Tuple.of(1, delete)));
        for (Tuple2<Integer, Arbitrary<Edit>> e : formatEdits) {
            all.add(e);
        }
        return Combinators.combine(Arbitraries.frequencyOf(all).list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 9))
                .as((e, r) -> new Mutation(e, r < 3)); // 30 % resealed
    }

    // ---- reads and their classification ---------------------------------------------------------

    /** Counts of one type. */
    static final class Stats {
        long tries;
        long detected;
        long acceptedIdentical;
        long acceptedResealed;
        long acceptedUnverified;
        long failures;
        long maxAllocated;
        long maxNanos;

        synchronized String line(Type k, int labelWidth) {
            return String.format("fuzz %-" + labelWidth + "s %,8d tries: %,8d detected, %,6d accepted-identical, %,6d accepted-resealed, "
                    + "%s%d failures (max %.1f MiB allocated, slowest %.1f ms)", k.label(), tries, detected, acceptedIdentical,
                    acceptedResealed, k.verified() ? "" : String.format("%,d accepted-unverified (no check in v2), ", acceptedUnverified),
                    failures, maxAllocated / 1048576.0, maxNanos / 1e6);
        }
    }

    /** What one read gave: the bytes written again, or the throwable, and its cost. */
    private record Outcome(byte[] rewritten, Throwable thrown, long allocated, long nanos) {}

    private final Class<K> types;
    private final String scope;
    private final int labelWidth;
    private final long maxAllocated;
    private final long timeoutMs = Long.getLong(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT_MS);
    private final Predicate<Throwable> typed;
    private final UnaryOperator<byte[]> canonical;
    private final Map<K, Stats> stats;
    private ExecutorService worker;

    /**
     * A fuzzing run over the given types.
     *
     * @param types the object types, one summary line each
     * @param scope the word of the total line ("fuzz total ... over 13 <i>ckks</i> object types ...")
     * @param labelWidth the width the labels are padded to in the summary lines
     * @param maxAllocationMib the most one read may allocate
     * @param typed the throwables a read may end with: detected corruption
     * @param canonical the bytes a reader writes back for the bytes it accepted (the identity, or a newer version's form)
     */
    public BlobFuzzing(Class<K> types, String scope, int labelWidth, int maxAllocationMib, Predicate<Throwable> typed,
            UnaryOperator<byte[]> canonical) {
        this.types = types;
        this.scope = scope;
        this.labelWidth = labelWidth;
        this.maxAllocated = (long) maxAllocationMib << 20;
        this.typed = typed;
        this.canonical = canonical;
        this.stats = new EnumMap<>(types);
        this.worker = newWorker();
    }

    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, scope + "-blob-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    private synchronized Stats stats(K k) {
        return stats.computeIfAbsent(k, x -> new Stats());
    }

    /**
     * Reads {@code original} mutated by {@code m}, counts the outcome for {@code kind}, and throws an
     * {@link AssertionError} (caused by the read's throwable, if any) if it is a failure.
     *
     * @param readWrite reads the bytes and writes the object read again
     */
    public void check(K kind, byte[] original, Function<byte[], byte[]> readWrite, Mutation m, Format format) {
        byte[] expected = canonical.apply(original);
        Input in = m.apply(original, format);
        byte[] input = in.bytes();
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
            o = future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            failure = "hang: no answer within " + timeoutMs + " ms";
        } catch (InterruptedException | ExecutionException e) {
            failure = "the fuzz worker failed: " + e;
        }
        synchronized (s) {
            s.tries++;
            if (o != null) {
                s.maxAllocated = Math.max(s.maxAllocated, o.allocated());
                s.maxNanos = Math.max(s.maxNanos, o.nanos());
                if (o.allocated() > maxAllocated) {
                    failure = "allocated " + o.allocated() + " bytes for a " + input.length + "-byte blob";
                } else if (o.thrown() != null) {
                    if (typed.test(o.thrown())) {
                        s.detected++;
                    } else {
                        failure = "untyped or unexpected " + o.thrown();
                    }
                } else if (!Arrays.equals(o.rewritten(), canonical.apply(input))) {
                    failure = "accepted, but writing it again gives other bytes (a non-canonical encoding)";
                } else if (Arrays.equals(o.rewritten(), expected)) {
                    s.acceptedIdentical++; // unchanged content (an edit that changed nothing, or another version's form)
                } else if (in.resealed()) {
                    s.acceptedResealed++; // a valid object another writer could have made: not corruption
                } else if (!kind.verified()) {
                    s.acceptedUnverified++; // the reason an unverified format is refused by default
                } else {
                    failure = "corrupted bytes accepted: a silent wrong answer";
                }
            }
            if (failure != null) {
                s.failures++;
            }
        }
        if (failure != null) {
            AssertionError e = new AssertionError(kind.label() + ": " + failure + " (" + input.length + " bytes, "
                    + (in.resealed() ? "resealed" : "not resealed") + ")");
            if (o != null && o.thrown() != null) {
                e.initCause(o.thrown());
            }
            throw e;
        }
    }

    /** Prints a line per type and the total line. */
    public void printSummary() {
        long tries = 0;
        long failures = 0;
        K[] all = types.getEnumConstants();
        for (K k : all) {
            Stats s = stats(k);
            System.out.println(s.line(k, labelWidth));
            tries += s.tries;
            failures += s.failures;
        }
        System.out.printf("fuzz total %,d mutated blobs over %d %s object types, %d failures%n", tries, all.length, scope, failures);
    }

    /**
     * Sets each property's tries to its share of {@value BlobFuzzing#TRIES_PROPERTY}, rounded up. A test
     * registers a subclass (with a no-argument constructor) with {@code @AddLifecycleHook}; it
     * reaches the test's properties.
     */
    public abstract static class Budget implements AroundPropertyHook {
        private final int tries;

        /**
         * @param defaultTries the total when {@value BlobFuzzing#TRIES_PROPERTY} is not set
         * @param types the number of types (one property each) sharing the total
         */
        protected Budget(int defaultTries, int types) {
            int total = Integer.getInteger(TRIES_PROPERTY, defaultTries);
            this.tries = Math.max(1, (total + types - 1) / types);
        }

        @Override
        public PropagationMode propagateTo() {
            return PropagationMode.ALL_DESCENDANTS; // a hook on the class alone would not reach its properties
        }

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            context.attributes().setTries(tries);
            return property.execute();
        }
    }

    /**
     * Bytes allocated so far by the current thread (com.sun.management.ThreadMXBean, reached by
     * reflection: the test modules do not read java.management).
     */
    public static long allocatedByThisThread() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM does not count allocated bytes", e);
        }
    }
}
