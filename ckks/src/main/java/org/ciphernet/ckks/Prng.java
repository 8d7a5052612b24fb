package org.ciphernet.ckks;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A cryptographically secure pseudo-random generator: the AES-256 keystream in counter mode
 * (a zero IV) under a 32-byte seed. AES-CTR output is indistinguishable from random for anyone who
 * does not know the seed, and the JVM runs it with AES-NI.
 *
 * <p>{@link #fromSecureRandom()} draws the seed from {@link SecureRandom} (keys and encryption
 * randomness). {@link #reproducibleFromSeed(byte[])} takes an explicit seed: the same seed always
 * gives the same stream, for tests and for regenerating the uniform half of seed-compressed keys and
 * ciphertexts. The seed is never logged.
 *
 * <p>Not thread-safe: a generator is one stream, for one thread (two threads drawing at once corrupt
 * its buffer and can both receive the same bytes). {@link Encryptor} and {@link KeyGenerator} never
 * share one between threads: they draw through a {@link RandomSource}, which gives each thread its
 * own generator.
 */
final class Prng {
    /** Seed length in bytes. */
    public static final int SEED_BYTES = 32;
    private static final int BUFFER = 4096;

    private final Cipher cipher;
    private final byte[] zeros = new byte[BUFFER];
    private final byte[] buffer = new byte[BUFFER];
    private int position = BUFFER;

    private Prng(byte[] seed) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("a seed has " + SEED_BYTES + " bytes, not " + seed.length);
        }
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR is missing from this JVM", e);
        }
    }

    /** A generator seeded with 32 fresh bytes from {@link SecureRandom}. */
    public static Prng fromSecureRandom() {
        return new Prng(freshSeed());
    }

    /**
     * REPRODUCIBLE MODE: a generator determined entirely by {@code seed}. Anyone holding the seed can
     * recompute everything drawn from it; use it for tests and for public uniform polynomials only.
     */
    public static Prng reproducibleFromSeed(byte[] seed) {
        return new Prng(seed.clone());
    }

    /** 32 fresh bytes from {@link SecureRandom}. */
    public static byte[] freshSeed() {
        byte[] seed = new byte[SEED_BYTES];
        new SecureRandom().nextBytes(seed);
        return seed;
    }

    /** The next 32 bytes of this stream, as a seed for another generator. */
    public byte[] nextSeed() {
        byte[] s = new byte[SEED_BYTES];
        nextBytes(s);
        return s;
    }

    private void refill() {
        try {
            int produced = cipher.update(zeros, 0, BUFFER, buffer, 0);
            if (produced != BUFFER) {
                throw new IllegalStateException("AES-CTR produced " + produced + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        position = 0;
    }

    /** Fills {@code out} with stream bytes. */
    public void nextBytes(byte[] out) {
        int done = 0;
        while (done < out.length) {
            if (position == BUFFER) {
                refill();
            }
            int take = Math.min(out.length - done, BUFFER - position);
            System.arraycopy(buffer, position, out, done, take);
            position += take;
            done += take;
        }
    }

    /** 64 uniform bits. */
    public long nextLong() {
        if (position > BUFFER - 8) {
            refill();
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buffer[position + i] & 0xFF);
        }
        position += 8;
        return v;
    }

    /** Uniform in {@code [0, bound)} by rejection sampling (no modulo bias). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive");
        }
        long mask = -1L >>> Long.numberOfLeadingZeros(bound - 1 | 1);
        while (true) {
            long v = nextLong() & mask;
            if (v < bound) {
                return v;
            }
        }
    }

    /** Uniform in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return (int) nextLong(bound);
    }

    /** Uniform double in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
        return "Prng[AES-256-CTR]"; // never the seed
    }
}
