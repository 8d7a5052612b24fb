package org.ciphernet.ckks;

import java.util.Objects;

/**
 * Where an {@link Encryptor} or {@link KeyGenerator} gets its randomness, safe to share between
 * threads: each operation asks for a {@link Prng} with {@link #forOperation()}, uses it within that
 * call on the calling thread only, and drops it. No AES state is ever shared between threads (a
 * {@link Prng} is a single-threaded stream: two threads drawing from one corrupt its buffer and
 * can receive the same bytes, which for encryption means two ciphertexts with the same random half
 * and a leaked difference of their messages).
 *
 * <ul>
 *   <li>{@link #secure()}: every thread gets its own generator, created on the thread's first
 *       operation with a fresh {@link java.security.SecureRandom} seed and kept in a
 *       {@link ThreadLocal} shared by all secure sources (platform or virtual threads alike; a
 *       virtual thread that makes one encryption pays one AES key setup, microseconds next to the
 *       encryption itself). Streams of different threads are independent AES-CTR keystreams
 *       under independent 256-bit keys.</li>
 *   <li>{@link #reproducible(byte[])}: REPRODUCIBLE MODE. One master generator, guarded by a lock,
 *       hands each operation the seed of its own child generator; the operation then draws from
 *       the child outside the lock. Output is a function of the seed and of the <em>order</em> of
 *       operations: calls made one after another always give the same results; calls from several
 *       threads at once are still safe and draw the same seeds as a serial run, but which thread
 *       gets which seed depends on scheduling.</li>
 * </ul>
 */
abstract sealed class RandomSource permits RandomSource.Secure, RandomSource.Reproducible {
    /** A source seeded from {@code SecureRandom}, one generator per thread. */
    static RandomSource secure() {
        return Secure.INSTANCE;
    }

    /** REPRODUCIBLE MODE: a source whose every output is a function of {@code seed} and the order of operations. */
    static RandomSource reproducible(byte[] seed) {
        return new Reproducible(Objects.requireNonNull(seed, "seed"));
    }

    /**
     * A generator for one operation of the calling thread. Use it only within that operation and on
     * that thread; never store it or hand it to another thread.
     */
    abstract Prng forOperation();

    static final class Secure extends RandomSource {
        static final Secure INSTANCE = new Secure();

        /**
         * One generator per thread, shared by every secure source of that thread (as
         * {@link java.util.concurrent.ThreadLocalRandom}): a thread draws from one stream at a time,
         * and a pool thread serving many encryptors holds one AES key, not one per encryptor.
         */
        private static final ThreadLocal<Prng> PER_THREAD = ThreadLocal.withInitial(Prng::fromSecureRandom);

        @Override
        Prng forOperation() {
            return PER_THREAD.get();
        }

        @Override
        public String toString() {
            return "RandomSource[SecureRandom-seeded, one AES-CTR generator per thread]";
        }
    }

    static final class Reproducible extends RandomSource {
        private final Prng master;

        Reproducible(byte[] seed) {
            this.master = Prng.reproducibleFromSeed(seed);
        }

        @Override
        Prng forOperation() {
            byte[] child;
            synchronized (master) {
                child = master.nextSeed();
            }
            return Prng.reproducibleFromSeed(child);
        }

        @Override
        public String toString() {
            return "RandomSource[REPRODUCIBLE]"; // never the seed
        }
    }
}
