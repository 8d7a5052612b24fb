package org.ciphernet.ckks;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.ciphernet.ntt.Galois;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * A compact, versioned binary format for parameters, plaintexts, ciphertexts (full and seeded) and
 * public, relinearization and Galois keys (seeded: the uniform halves are regenerated from their
 * 32-byte seeds, halving the size), and the secret key for its owner to keep.
 *
 * <h2>Layout (version 3, little-endian)</h2>
 * <pre>
 *   offset 0   magic "CNET"            4 bytes
 *          4   format version (3)      1 byte
 *          5   object type             1 byte   (1 parameters, 2 plaintext, 3 ciphertext, 4 seeded
 *                                                ciphertext, 5 public key, 6 relinearization key,
 *                                                7 Galois keys, 8 secret key)
 *          6   parameter fingerprint   8 bytes  ({@link CkksParameters#fingerprint()})
 *         14   body                    (its length follows from the type and the parameters)
 *   length-4   CRC32C                  4 bytes  over every byte before it, header included
 * </pre>
 * Residues modulo {@code q_i} take {@code ceil(bits(q_i) / 8)} bytes each.
 *
 * <h2>Checks, in this order, before anything is parsed or returned</h2>
 * <ol>
 *   <li>at least a header and a trailer; the magic;</li>
 *   <li>the format version: 3, or 2 only for a reader made with {@link #withUnverifiedVersion2()}
 *       (and for parameters, see {@link #readParameters(byte[], long)});</li>
 *   <li>the CRC32C trailer over the whole content: a mismatch names the object
 *       ("ciphertext bytes fail their CRC32C check: …") and nothing else is read;</li>
 *   <li>the object type and the parameter fingerprint
 *       ({@link CkksException.ParameterMismatchException} for another context's objects);</li>
 *   <li>the body: every length derived from the context (never trusting a length field for an
 *       allocation beyond what the parameters allow), exactly that many bytes, every residue below
 *       its prime, every level, scale, flag and step in range; for parameters, the size of the
 *       context they would build ({@link #DEFAULT_MAX_CONTEXT_BYTES}).</li>
 * </ol>
 * Bad input raises {@link CkksException.SerializationException} (or
 * {@link CkksException.ParameterMismatchException}) — never an {@code OutOfMemoryError} or a hang,
 * and corrupted bytes are never read as a wrong value (but with the CRC's 2^-32). Every encoding
 * this class accepts is canonical: writing the object again gives the same version-3 bytes.
 * {@code SerializationFuzzTest} checks all of this on mutated bytes of every type.
 *
 * <h2>Why CRC32C</h2>
 * The check is against accidental corruption in transport or storage. CRC32C (Castagnoli) detects
 * every burst of up to 32 flipped bits and misses any other random corruption with probability
 * 2^-32, and the JDK computes it with the CPU's CRC instructions: 13 to 25 GB/s measured (JDK 25,
 * 256 MiB), against 0.5 GB/s for SHA-256 with the SHA extensions, that is 0.5 s against 16 s for
 * the 8 GiB of Galois keys of a ResNet-20 plan. A truncated SHA-256 would lower the miss
 * probability to 2^-64 at 30 times the cost, and it would not add authenticity: without a secret
 * key, anyone who alters the bytes on purpose recomputes any unkeyed checksum. Protection against
 * a malicious channel needs a MAC or a signature (TLS, say) around these bytes; the parser's own
 * checks keep such bytes from causing anything worse than a wrong but well-formed object (never an
 * untyped exception, an OutOfMemoryError or a hang).
 *
 * <h2>Versions</h2>
 * Version 3 (this one) added the CRC32C trailer. Version 2 had the same header and bodies (except
 * the public key, whose b was modulo Q only and is now modulo Q·P: version-2 public keys cannot be
 * read, make a new one from the secret key) but no integrity check: a flipped bit inside a key or
 * a ciphertext went unnoticed. Version 2 bytes are
 * refused unless the reader is made with {@link #withUnverifiedVersion2()}, the way for owners of
 * a secret key or stored keys written by version 2 to read them once and write them again as
 * version 3. Version 1 is not read.
 *
 * <p>Immutable and thread-safe.
 */
public final class Serialization {
    /** Format version written and read. */
    public static final int VERSION = 3;
    /** The previous format version, without integrity check: read only on request ({@link #withUnverifiedVersion2()}). */
    public static final int LEGACY_VERSION_2 = 2;
    /**
     * The default bound on the context that parameters read from bytes may build, in bytes of its
     * per-prime tables as estimated by {@link CkksContext#estimatedTableBytes}: 400 MiB. It covers
     * every chain of 128-bit parameters up to N = 2^16 (at most 1747 / 20 = 87 primes of 20 bits
     * or more, 392 MiB; the largest plan of this project, ResNet-20 at N = 2^16 with 45 primes,
     * takes 203 MiB) and chains of up to 44 primes at N = 2^17. Raise it with
     * {@link #readParameters(byte[], long)}.
     */
    public static final long DEFAULT_MAX_CONTEXT_BYTES = 400L << 20;

    private static final int MAGIC = 0x54454E43; // "CNET" little-endian
    private static final int HEADER = 4 + 1 + 1 + 8;
    private static final int TRAILER = 4; // CRC32C

    private static final byte PARAMETERS = 1;
    private static final byte PLAINTEXT = 2;
    private static final byte CIPHERTEXT = 3;
    private static final byte CIPHERTEXT_SEEDED = 4;
    private static final byte PUBLIC_KEY = 5;
    private static final byte RELINEARIZATION_KEY = 6;
    private static final byte GALOIS_KEYS = 7;
    private static final byte SECRET_KEY = 8;
    private static final String[] TYPE_NAMES = {"", "parameters", "plaintext", "ciphertext", "seeded ciphertext",
        "public key", "relinearization key", "Galois keys", "secret key"};

    private final CkksContext context;
    private final RingContext ring;
    private final int n;
    private final int[] width;
    private final boolean readsVersion2;

    /** A serializer for the objects of a context; it writes version 3 and reads only version 3. */
    public Serialization(CkksContext context) {
        this(context, false);
    }

    private Serialization(CkksContext context, boolean readsVersion2) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.n = context.degree();
        this.readsVersion2 = readsVersion2;
        this.width = new int[ring.primeCount()];
        for (int i = 0; i < width.length; i++) {
            width[i] = (ring.modulus(i).bits() + 7) / 8;
        }
    }

    /**
     * A serializer that also reads format version 2, which has <b>no integrity check</b>: a
     * corrupted version-2 key or ciphertext can be read without error and give wrong results. Use it
     * only to read bytes you wrote yourself with an older Ciphernet (a {@code secret.key}: losing
     * it loses everything encrypted under it), and write them again at once, as version 3. All the
     * other checks (lengths, residues, fingerprint) still apply; writing is always version 3.
     */
    public Serialization withUnverifiedVersion2() {
        return new Serialization(context, true);
    }

    /** Whether this serializer reads version-2 bytes ({@link #withUnverifiedVersion2()}). */
    public boolean readsUnverifiedVersion2() {
        return readsVersion2;
    }

    // ---- parameters (readable without a context) ---------------------------------------------

    /** Parameters as bytes. */
    public static byte[] write(CkksParameters p) {
        int body = 1 + 2 + p.qBits().size() + 2 + p.pBits().size() + 1 + 1 + 4 + 8 + 1;
        ByteBuffer b = header(body, PARAMETERS, p.fingerprint());
        b.put((byte) p.logN());
        b.putShort((short) p.qBits().size());
        p.qBits().forEach(x -> b.put((byte) (int) x));
        b.putShort((short) p.pBits().size());
        p.pBits().forEach(x -> b.put((byte) (int) x));
        b.put((byte) p.logScale());
        b.put((byte) p.secret().ordinal());
        b.putInt(p.hammingWeight());
        b.putDouble(p.sigma());
        b.put((byte) p.security().ordinal());
        return seal(b);
    }

    /**
     * Parameters from bytes, validated exactly as when built (including the security check), and
     * bounded: parameters whose context would take more than {@link #DEFAULT_MAX_CONTEXT_BYTES} are
     * refused before anything is built, and parameters whose own security level is below
     * {@link SecurityLevel#CLASSICAL_128} (such as {@link SecurityLevel#NONE_INSECURE}) are refused.
     * See {@link #readParameters(byte[], long, SecurityLevel)}.
     */
    public static CkksParameters readParameters(byte[] bytes) {
        return readParameters(bytes, DEFAULT_MAX_CONTEXT_BYTES, SecurityLevel.CLASSICAL_128);
    }

    /**
     * {@link #readParameters(byte[], long, SecurityLevel)} with the default minimum level,
     * {@link SecurityLevel#CLASSICAL_128}.
     */
    public static CkksParameters readParameters(byte[] bytes, long maxContextBytes) {
        return readParameters(bytes, maxContextBytes, SecurityLevel.CLASSICAL_128);
    }

    /**
     * Parameters from bytes, with an explicit bound on the context they would build: a few
     * hundred bytes can describe a ring of degree 2^17 over 128 primes, whose NTT tables take
     * over a gigabyte and seconds to build, so parameters from untrusted bytes are bounded before
     * {@link CkksContext#create} is ever called. Pass a larger {@code maxContextBytes} only for
     * parameters you trust and mean to use.
     *
     * <p>Version-2 parameter bytes are read too: unlike the other objects, their body was already
     * bound by the fingerprint, a SHA-256 over every field, so a corrupted one cannot pass.
     *
     * <p>The bytes carry the security level their parameters were checked at, and anyone can write
     * bytes that say {@link SecurityLevel#NONE_INSECURE} (the fingerprint and the CRC32C are not
     * keyed): a reader therefore states the weakest level it accepts, and parameters below it are
     * refused before they are built.
     *
     * @param maxContextBytes the largest {@link CkksContext#estimatedTableBytes} accepted
     * @param minimum the weakest security level accepted; {@link SecurityLevel#NONE_INSECURE} only
     *     for parameters from a source you trust, for tests
     * @throws CkksException.SerializationException for corrupted or malformed bytes, or parameters
     *     above the bound (the message names their size)
     * @throws CkksException.InsecureParametersException for well-formed parameters below
     *     {@code minimum} or below their own security level
     */
    public static CkksParameters readParameters(byte[] bytes, long maxContextBytes, SecurityLevel minimum) {
        Objects.requireNonNull(minimum, "minimum");
        if (maxContextBytes < 1) {
            throw new IllegalArgumentException("maxContextBytes must be positive, got " + maxContextBytes);
        }
        ByteBuffer b = open(wrap(bytes), PARAMETERS, true);
        long fp = b.getLong();
        try {
            int logN = b.get();
            List<Integer> q = readBits(b);
            List<Integer> p = readBits(b);
            int logScale = b.get();
            SecretDistribution secret = enumAt(SecretDistribution.values(), b.get(), "secret distribution");
            int h = b.getInt();
            double sigma = b.getDouble();
            SecurityLevel security = enumAt(SecurityLevel.values(), b.get(), "security level");
            requireEnd(b);
            if (logN >= 1 && logN <= 17) { // others are refused by the constructor, with the range
                long tables = CkksContext.estimatedTableBytes(logN, q.size() + p.size());
                if (tables > maxContextBytes) {
                    throw new CkksException.SerializationException(String.format(
                            "parameters N = 2^%d with %d primes would build a context of about %,d MiB, above the "
                                    + "limit of %,d MiB for parameters read from bytes; if you trust them, raise the "
                                    + "limit with Serialization.readParameters(bytes, maxContextBytes)",
                            logN, q.size() + p.size(), tables >> 20, maxContextBytes >> 20));
                }
            }
            if (security.bits() < minimum.bits()) {
                throw new CkksException.InsecureParametersException("these parameters were written with security level "
                        + security + ", below the " + minimum + " this reader accepts; read them with "
                        + "Serialization.readParameters(bytes, maxContextBytes, SecurityLevel." + security
                        + ") only if you trust their source");
            }
            CkksParameters params = new CkksParameters(logN, q, p, logScale, secret, h, sigma, security);
            if (params.fingerprint() != fp) {
                throw new CkksException.SerializationException("parameter bytes do not match their fingerprint");
            }
            return params;
        } catch (BufferUnderflowException e) {
            throw truncated();
        } catch (IllegalArgumentException e) {
            throw new CkksException.SerializationException("invalid parameters: " + e.getMessage());
        }
    }

    private static List<Integer> readBits(ByteBuffer b) {
        int count = b.getShort();
        if (count < 1 || count > 64) {
            throw new CkksException.SerializationException("prime count " + count + " outside [1, 64]");
        }
        List<Integer> bits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bits.add((int) b.get());
        }
        return bits;
    }

    // ---- plaintexts and ciphertexts ---------------------------------------------------------

    /**
     * A plaintext as bytes: its residues modulo Q at its level. An {@link Plaintext#isExtended()
     * extended} plaintext's residues modulo P are not written (they are a precomputation): it reads
     * back as a plain one, to be encoded again with {@link Encoder#encodeExtended} for hoisted products.
     */
    public byte[] write(Plaintext pt) {
        context.check(pt.fingerprint(), "the plaintext");
        ByteBuffer b = header(1 + 8 + polyBytes(pt.level()), PLAINTEXT, context.fingerprint());
        b.put((byte) pt.level());
        b.putDouble(pt.scale());
        putPoly(b, pt.poly());
        return seal(b);
    }

    public Plaintext readPlaintext(byte[] bytes) {
        ByteBuffer b = openChecked(wrap(bytes), PLAINTEXT);
        try {
            int level = level(b.get());
            double scale = scale(b.getDouble());
            expectRemaining(b, polyBytes(level));
            RnsPoly p = getPoly(b, context.levelPrimes(level));
            requireEnd(b);
            return new Plaintext(p, level, scale, context.fingerprint());
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    /**
     * A ciphertext as bytes: seeded (c0 and the seed of c1) when it is a fresh secret-key
     * encryption, else every part.
     */
    public byte[] write(Ciphertext ct) {
        context.check(ct.fingerprint(), "the ciphertext");
        int level = ct.level();
        if (ct.isSeeded()) {
            ByteBuffer b = header(1 + 8 + polyBytes(level) + Prng.SEED_BYTES, CIPHERTEXT_SEEDED,
                    context.fingerprint());
            b.put((byte) level);
            b.putDouble(ct.scale());
            putPoly(b, ct.part(0));
            b.put(ct.c1Seed());
            return seal(b);
        }
        ByteBuffer b = header(size(1 + 8 + 1 + (long) ct.size() * polyBytes(level), "the ciphertext"), CIPHERTEXT,
                context.fingerprint());
        b.put((byte) level);
        b.putDouble(ct.scale());
        b.put((byte) ct.size());
        for (int i = 0; i < ct.size(); i++) {
            putPoly(b, ct.part(i));
        }
        return seal(b);
    }

    /** A ciphertext from bytes written by {@link #write(Ciphertext)} (either form). */
    public Ciphertext readCiphertext(byte[] bytes) {
        return readCiphertext(wrap(bytes));
    }

    /**
     * A ciphertext from the bytes between {@code bytes}' position and limit (a view into a larger
     * message, say; the buffer's position is left unchanged).
     */
    public Ciphertext readCiphertext(ByteBuffer bytes) {
        byte type = peekType(bytes);
        ByteBuffer b = openChecked(bytes, type == CIPHERTEXT_SEEDED ? CIPHERTEXT_SEEDED : CIPHERTEXT);
        try {
            int level = level(b.get());
            double scale = scale(b.getDouble());
            int[] primes = context.levelPrimes(level);
            if (type == CIPHERTEXT_SEEDED) {
                expectRemaining(b, polyBytes(level) + Prng.SEED_BYTES);
                RnsPoly c0 = getPoly(b, primes);
                byte[] seed = new byte[Prng.SEED_BYTES];
                b.get(seed);
                requireEnd(b);
                RnsPoly c1 = Sampler.uniform(ring, primes, Prng.reproducibleFromSeed(seed));
                return new Ciphertext(new RnsPoly[] {c0, c1}, level, scale, context.fingerprint(), seed);
            }
            int size = b.get();
            if (size != 2 && size != 3) {
                throw new CkksException.SerializationException("a ciphertext has 2 or 3 parts, not " + size);
            }
            expectRemaining(b, size * polyBytes(level));
            RnsPoly[] parts = new RnsPoly[size];
            for (int i = 0; i < size; i++) {
                parts[i] = getPoly(b, primes);
            }
            requireEnd(b);
            return new Ciphertext(parts, level, scale, context.fingerprint());
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    // ---- secret key ---------------------------------------------------------------------------

    /**
     * The secret key as bytes: one signed byte (−1, 0 or 1) per coefficient. <b>These bytes decrypt
     * everything encrypted under the key</b>: store them only where the data owner controls access
     * (the CLI writes them with owner-only file permissions), never log or send them.
     */
    public byte[] write(SecretKey sk) {
        context.check(sk.fingerprint(), "the secret key");
        RnsPoly s = sk.poly().copyPrefix(1);
        ring.toCoefficients(s);
        long[] limb = s.limb(0);
        long q = ring.modulus(s.primeIndex(0)).value();
        ByteBuffer b = header(n, SECRET_KEY, context.fingerprint());
        for (long v : limb) {
            if (v != 0 && v != 1 && v != q - 1) {
                throw new IllegalStateException("the secret key is not ternary");
            }
            b.put((byte) (v == q - 1 ? -1 : v));
        }
        java.util.Arrays.fill(limb, 0);
        return seal(b);
    }

    /** Reads a secret key written by {@link #write(SecretKey)}; every coefficient must be −1, 0 or 1. */
    public SecretKey readSecretKey(byte[] bytes) {
        ByteBuffer b = openChecked(wrap(bytes), SECRET_KEY);
        expectRemaining(b, n);
        long[] coefficients = new long[n];
        for (int i = 0; i < n; i++) {
            byte v = b.get();
            if (v < -1 || v > 1) {
                throw new CkksException.SerializationException("secret-key coefficient " + i + " is " + v + ", not -1, 0 or 1");
            }
            coefficients[i] = v;
        }
        RnsPoly sp = Sampler.fromSmall(ring, context.allPrimes(), coefficients);
        ring.toNtt(sp);
        java.util.Arrays.fill(coefficients, 0);
        return new SecretKey(sp, context.fingerprint());
    }

    // ---- keys (seeded) ----------------------------------------------------------------------

    /** A public key as bytes: b over all primes of Q and P, and the seed of a. */
    public byte[] write(PublicKey pk) {
        context.check(pk.fingerprint(), "the public key");
        ByteBuffer b = header(size(primesBytes(context.allPrimes()) + Prng.SEED_BYTES, "the public key"), PUBLIC_KEY,
                context.fingerprint());
        putPoly(b, pk.b());
        b.put(pk.seed());
        return seal(b);
    }

    /** A public key written by {@link #write(PublicKey)} (b over Q and P; a regenerated from its seed). */
    public PublicKey readPublicKey(byte[] bytes) {
        return readPublicKey(wrap(bytes));
    }

    /**
     * A public key from the bytes between {@code bytes}' position and limit, which may be a
     * memory-mapped file (the buffer's position is left unchanged).
     */
    public PublicKey readPublicKey(ByteBuffer bytes) {
        ByteBuffer b = openChecked(bytes, PUBLIC_KEY);
        try {
            int[] primes = context.allPrimes();
            expectRemaining(b, primesBytes(primes) + Prng.SEED_BYTES);
            RnsPoly pb = getPoly(b, primes);
            byte[] seed = new byte[Prng.SEED_BYTES];
            b.get(seed);
            requireEnd(b);
            RnsPoly a = Sampler.uniform(ring, primes, Prng.reproducibleFromSeed(seed));
            return new PublicKey(pb, a, seed, context.fingerprint());
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    /** A relinearization key as bytes. */
    public byte[] write(RelinearizationKey rk) {
        context.check(rk.fingerprint(), "the relinearization key");
        ByteBuffer b = header(size(switchingKeyBytes(rk.key().maxLevel()), "the relinearization key"), RELINEARIZATION_KEY,
                context.fingerprint());
        putSwitchingKey(b, rk.key());
        return seal(b);
    }

    /** A relinearization key written by {@link #write(RelinearizationKey)}. */
    public RelinearizationKey readRelinearizationKey(byte[] bytes) {
        return readRelinearizationKey(wrap(bytes));
    }

    /**
     * A relinearization key from the bytes between {@code bytes}' position and limit, which may be
     * a memory-mapped file (the buffer's position is left unchanged).
     */
    public RelinearizationKey readRelinearizationKey(ByteBuffer bytes) {
        ByteBuffer b = openChecked(bytes, RELINEARIZATION_KEY);
        try {
            SwitchingKey k = getSwitchingKey(b);
            requireEnd(b);
            return new RelinearizationKey(k);
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    /** Galois keys as bytes: the steps, the conjugation flag, then one seeded key per element. */
    public byte[] write(GaloisKeys gk) {
        context.check(gk.fingerprint(), "the Galois keys");
        SortedSet<Integer> steps = gk.steps();
        long total = 4 + 1 + 4L * steps.size();
        for (int s : steps) {
            total += switchingKeyBytes(gk.key(Galois.rotationElement(s, n)).maxLevel());
        }
        if (gk.hasConjugation()) {
            total += switchingKeyBytes(gk.key(Galois.conjugationElement(n)).maxLevel());
        }
        ByteBuffer b = header(size(total, "these Galois keys"), GALOIS_KEYS, context.fingerprint());
        b.putInt(steps.size());
        b.put((byte) (gk.hasConjugation() ? 1 : 0));
        for (int s : steps) {
            b.putInt(s);
        }
        for (int s : steps) {
            putSwitchingKey(b, gk.key(Galois.rotationElement(s, n)));
        }
        if (gk.hasConjugation()) {
            putSwitchingKey(b, gk.key(Galois.conjugationElement(n)));
        }
        return seal(b);
    }

    /** Galois keys written by {@link #write(GaloisKeys)}. */
    public GaloisKeys readGaloisKeys(byte[] bytes) {
        return readGaloisKeys(wrap(bytes));
    }

    /**
     * Galois keys from the bytes between {@code bytes}' position and limit, which may be a
     * memory-mapped file: they are parsed without a copy on the heap (the buffer's position is
     * left unchanged).
     */
    public GaloisKeys readGaloisKeys(ByteBuffer bytes) {
        ByteBuffer b = openChecked(bytes, GALOIS_KEYS);
        try {
            int count = b.getInt();
            if (count < 0 || count >= context.slots()) {
                throw new CkksException.SerializationException("step count " + count + " outside [0, " + context.slots() + ")");
            }
            int conj = b.get();
            if (conj != 0 && conj != 1) {
                throw new CkksException.SerializationException("conjugation flag " + conj + " is not 0 or 1");
            }
            // every key takes at least the bytes of a level-0 key
            expectAtLeast(b, 4L * count + (long) (count + conj) * switchingKeyBytes(0));
            SortedSet<Integer> steps = new TreeSet<>();
            int previous = 0;
            for (int i = 0; i < count; i++) {
                int s = b.getInt();
                if (s <= previous || s >= context.slots()) { // written in increasing order: one encoding per key set
                    throw new CkksException.SerializationException("bad, repeated or unordered rotation step " + s
                            + " (steps are increasing, in [1, " + context.slots() + "))");
                }
                steps.add(s);
                previous = s;
            }
            Map<Integer, SwitchingKey> byElement = new HashMap<>();
            for (int s : steps) {
                byElement.put(Galois.rotationElement(s, n), getSwitchingKey(b));
            }
            if (conj == 1) {
                byElement.put(Galois.conjugationElement(n), getSwitchingKey(b));
            }
            requireEnd(b);
            return new GaloisKeys(byElement, steps, conj == 1, context.fingerprint());
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    // ---- pieces -------------------------------------------------------------------------------

    private int polyBytes(int level) {
        int per = 0;
        for (int i = 0; i <= level; i++) {
            per += width[i];
        }
        return per * n;
    }

    /** Bytes of a key for levels up to {@code maxLevel}: the level, b_d over Q_maxLevel ∪ P, the seed. */
    private long switchingKeyBytes(int maxLevel) {
        return 4 + (long) context.keySwitcher().digitsAt(maxLevel) * primesBytes(context.levelAndSpecialPrimes(maxLevel))
                + Prng.SEED_BYTES;
    }

    private long primesBytes(int[] primes) {
        long per = 0;
        for (int p : primes) {
            per += width[p];
        }
        return per * n;
    }

    /** A buffer size, or a clear error when it exceeds what one byte array can hold. */
    private static int size(long bytes, String what) {
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(what + " would take " + bytes + " bytes, more than one byte array holds (2 GiB); "
                    + "serialize them in smaller groups");
        }
        return (int) bytes;
    }

    private void putPoly(ByteBuffer b, RnsPoly p) {
        for (int i = 0; i < p.limbCount(); i++) {
            int w = width[p.primeIndex(i)];
            for (long v : p.limb(i)) {
                for (int k = 0; k < w; k++) {
                    b.put((byte) (v >>> (8 * k)));
                }
            }
        }
    }

    private RnsPoly getPoly(ByteBuffer b, int[] primes) {
        RnsPoly p = ring.zero(primes, true);
        for (int i = 0; i < primes.length; i++) {
            int w = width[primes[i]];
            long q = ring.modulus(primes[i]).value();
            long[] limb = p.limb(i);
            for (int j = 0; j < n; j++) {
                long v = 0;
                for (int k = 0; k < w; k++) {
                    v |= (b.get() & 0xFFL) << (8 * k);
                }
                if (v >= q) {
                    throw new CkksException.SerializationException("residue " + v + " is not below its prime " + q);
                }
                limb[j] = v;
            }
        }
        return p;
    }

    private void putSwitchingKey(ByteBuffer b, SwitchingKey k) {
        b.putInt(k.maxLevel());
        for (int d = 0; d < k.digits(); d++) {
            putPoly(b, k.b(d));
        }
        b.put(k.seed());
    }

    private SwitchingKey getSwitchingKey(ByteBuffer b) {
        int maxLevel = b.getInt();
        if (maxLevel < 0 || maxLevel > context.maxLevel()) {
            throw new CkksException.SerializationException("key level " + maxLevel + " outside [0, " + context.maxLevel() + "]");
        }
        expectAtLeast(b, switchingKeyBytes(maxLevel) - 4);
        int digits = context.keySwitcher().digitsAt(maxLevel);
        int[] all = context.levelAndSpecialPrimes(maxLevel);
        RnsPoly[] kb = new RnsPoly[digits];
        for (int d = 0; d < digits; d++) {
            kb[d] = getPoly(b, all);
        }
        byte[] seed = new byte[Prng.SEED_BYTES];
        b.get(seed);
        Prng uniform = Prng.reproducibleFromSeed(seed);
        RnsPoly[] ka = new RnsPoly[digits];
        for (int d = 0; d < digits; d++) {
            ka[d] = Sampler.uniform(ring, all, uniform);
        }
        return new SwitchingKey(kb, ka, seed, context.fingerprint(), maxLevel, context.qCount());
    }

    /** A buffer for a header, a body of {@code body} bytes and the trailer, with the header written. */
    /**
     * Whether {@code bytes} begin like a serialized secret key (any format version): a service can
     * then refuse them by name instead of as merely corrupted evaluation keys.
     */
    public static boolean isSecretKey(byte[] bytes) {
        return isSecretKey(wrap(bytes));
    }

    /** {@link #isSecretKey(byte[])} for the bytes from {@code bytes}' position (which is left unchanged). */
    public static boolean isSecretKey(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return b.remaining() >= 6 && b.getInt(0) == MAGIC && b.get(5) == SECRET_KEY;
    }

    private static ByteBuffer header(int body, byte type, long fingerprint) {
        ByteBuffer b = ByteBuffer.allocate(size((long) HEADER + body + TRAILER, "the " + TYPE_NAMES[type]))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        b.put((byte) VERSION);
        b.put(type);
        b.putLong(fingerprint);
        return b;
    }

    /** Writes the CRC32C of everything before the trailer into it; the body must be complete. */
    private static byte[] seal(ByteBuffer b) {
        if (b.remaining() != TRAILER) {
            throw new IllegalStateException("body size mismatch: " + (b.remaining() - TRAILER) + " bytes left unwritten");
        }
        b.putInt(crc32c(b.array(), b.array().length - TRAILER));
        return b.array();
    }

    private static int crc32c(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** The CRC32C of {@code b}'s first {@code length} bytes (heap or direct; {@code b} itself is not moved). */
    private static int crc32c(ByteBuffer b, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(length));
        return (int) crc.getValue();
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes"));
    }

    private static byte peekType(ByteBuffer bytes) {
        if (bytes.remaining() < HEADER) {
            throw truncated();
        }
        return bytes.get(bytes.position() + 5);
    }

    /**
     * Checks, in order, the length of a header, the magic, the version, the CRC32C trailer (version
     * 3) and the object type; returns a buffer at the fingerprint whose limit excludes the trailer.
     */
    private static ByteBuffer open(ByteBuffer bytes, byte type, boolean readsVersion2) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN); // indexes from 0; the caller's position stays
        int length = b.remaining();
        if (length < HEADER) {
            throw truncated();
        }
        if (b.getInt() != MAGIC) {
            throw new CkksException.SerializationException("not Ciphernet data (bad magic)");
        }
        int version = b.get();
        if (version == VERSION) {
            if (length < HEADER + TRAILER) {
                throw truncated();
            }
            int end = length - TRAILER;
            if (crc32c(b, end) != b.getInt(end)) {
                throw new CkksException.SerializationException(name(type)
                        + " bytes fail their CRC32C check: corrupted, truncated or extended in transport or storage");
            }
            b.limit(end);
        } else if (version == LEGACY_VERSION_2) {
            if (!readsVersion2) {
                throw new CkksException.SerializationException("format version 2 has no integrity check and is not read by "
                        + "default; if these are your own " + name(type) + " bytes written by an older Ciphernet, read "
                        + "them once with new Serialization(context).withUnverifiedVersion2() and write them again (version "
                        + VERSION + ")");
            }
        } else {
            throw new CkksException.SerializationException("format version " + version + " is not supported (this build reads "
                    + VERSION + ", and 2 on request)");
        }
        byte t = b.get();
        if (t != type) {
            String found = t >= 1 && t < TYPE_NAMES.length ? TYPE_NAMES[t] + " (object type " + t + ")" : "object type " + t;
            throw new CkksException.SerializationException("these bytes hold " + found + ", not " + TYPE_NAMES[type]
                    + " (object type " + type + ")");
        }
        return b;
    }

    /** The object's name in messages (both ciphertext forms are read by one method). */
    private static String name(byte type) {
        return TYPE_NAMES[type == CIPHERTEXT_SEEDED ? CIPHERTEXT : type];
    }

    /** {@link #open} plus the fingerprint check against this context. */
    private ByteBuffer openChecked(ByteBuffer bytes, byte type) {
        ByteBuffer b = open(bytes, type, readsVersion2);
        context.check(b.getLong(), "the serialized " + name(type));
        return b;
    }

    private int level(byte v) {
        if (v < 0 || v > context.maxLevel()) {
            throw new CkksException.SerializationException("level " + v + " outside [0, " + context.maxLevel() + "]");
        }
        return v;
    }

    private static double scale(double s) {
        if (!(s >= 1) || Double.isInfinite(s)) {
            throw new CkksException.SerializationException("scale " + s + " is not a finite number >= 1");
        }
        return s;
    }

    private static void expectRemaining(ByteBuffer b, long needed) {
        if (b.remaining() < needed) {
            throw truncated();
        }
        if (b.remaining() > needed) {
            throw new CkksException.SerializationException((b.remaining() - needed) + " unexpected trailing bytes");
        }
    }

    private static void expectAtLeast(ByteBuffer b, long needed) {
        if (b.remaining() < needed) {
            throw truncated();
        }
    }

    private static void requireEnd(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new CkksException.SerializationException(b.remaining() + " unexpected trailing bytes");
        }
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new CkksException.SerializationException("unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }

    private static CkksException.SerializationException truncated() {
        return new CkksException.SerializationException("truncated data");
    }
}
