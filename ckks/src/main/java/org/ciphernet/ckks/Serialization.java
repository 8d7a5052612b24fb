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
import org.ciphernet.ntt.Galois;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * A compact, versioned binary format for parameters, plaintexts, ciphertexts (full and seeded) and
 * public, relinearization and Galois keys (seeded: the uniform halves are regenerated from their
 * 32-byte seeds, halving the size), and the secret key for its owner to keep.
 *
 * <p>Layout (little-endian): magic {@code "CNET"}, format version (1 byte), object type (1 byte),
 * parameter fingerprint (8 bytes), then the body. Residues modulo {@code q_i} take
 * {@code ceil(bits(q_i) / 8)} bytes each. Reading checks the magic, version, type and fingerprint,
 * derives every length from the context (never trusting a length field for an allocation beyond
 * what the parameters allow), checks that the input has exactly that many bytes, and that every
 * residue is below its prime. Bad input raises {@link CkksException.SerializationException} (or
 * {@link CkksException.ParameterMismatchException} for another context's objects) — never an
 * {@code OutOfMemoryError} or a hang. Immutable and thread-safe.
 */
public final class Serialization {
    /** Format version written and accepted. */
    public static final int VERSION = 2;
    private static final int MAGIC = 0x54454E43; // "CNET" little-endian
    private static final int HEADER = 4 + 1 + 1 + 8;

    private static final byte PARAMETERS = 1;
    private static final byte PLAINTEXT = 2;
    private static final byte CIPHERTEXT = 3;
    private static final byte CIPHERTEXT_SEEDED = 4;
    private static final byte PUBLIC_KEY = 5;
    private static final byte RELINEARIZATION_KEY = 6;
    private static final byte GALOIS_KEYS = 7;
    private static final byte SECRET_KEY = 8;

    private final CkksContext context;
    private final RingContext ring;
    private final int n;
    private final int[] width;

    public Serialization(CkksContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.n = context.degree();
        this.width = new int[ring.primeCount()];
        for (int i = 0; i < width.length; i++) {
            width[i] = (ring.modulus(i).bits() + 7) / 8;
        }
    }

    // ---- parameters (readable without a context) ---------------------------------------------

    /** Parameters as bytes. */
    public static byte[] write(CkksParameters p) {
        int size = HEADER + 1 + 2 + p.qBits().size() + 2 + p.pBits().size() + 1 + 1 + 4 + 8 + 1;
        ByteBuffer b = header(size, PARAMETERS, p.fingerprint());
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
        return b.array();
    }

    /** Parameters from bytes (validated exactly as when built, including the security check). */
    public static CkksParameters readParameters(byte[] bytes) {
        ByteBuffer b = open(bytes, PARAMETERS);
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

    /** A plaintext as bytes. */
    public byte[] write(Plaintext pt) {
        context.check(pt.fingerprint(), "the plaintext");
        int size = HEADER + 1 + 8 + polyBytes(pt.level());
        ByteBuffer b = header(size, PLAINTEXT, context.fingerprint());
        b.put((byte) pt.level());
        b.putDouble(pt.scale());
        putPoly(b, pt.poly());
        return b.array();
    }

    public Plaintext readPlaintext(byte[] bytes) {
        ByteBuffer b = openChecked(bytes, PLAINTEXT);
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
            ByteBuffer b = header(HEADER + 1 + 8 + polyBytes(level) + Prng.SEED_BYTES, CIPHERTEXT_SEEDED,
                    context.fingerprint());
            b.put((byte) level);
            b.putDouble(ct.scale());
            putPoly(b, ct.part(0));
            b.put(ct.c1Seed());
            return b.array();
        }
        ByteBuffer b = header(HEADER + 1 + 8 + 1 + ct.size() * polyBytes(level), CIPHERTEXT, context.fingerprint());
        b.put((byte) level);
        b.putDouble(ct.scale());
        b.put((byte) ct.size());
        for (int i = 0; i < ct.size(); i++) {
            putPoly(b, ct.part(i));
        }
        return b.array();
    }

    /** A ciphertext from bytes written by {@link #write(Ciphertext)} (either form). */
    public Ciphertext readCiphertext(byte[] bytes) {
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
        ByteBuffer b = header(HEADER + n, SECRET_KEY, context.fingerprint());
        for (long v : limb) {
            if (v != 0 && v != 1 && v != q - 1) {
                throw new IllegalStateException("the secret key is not ternary");
            }
            b.put((byte) (v == q - 1 ? -1 : v));
        }
        java.util.Arrays.fill(limb, 0);
        return b.array();
    }

    /** Reads a secret key written by {@link #write(SecretKey)}; every coefficient must be −1, 0 or 1. */
    public SecretKey readSecretKey(byte[] bytes) {
        ByteBuffer b = openChecked(bytes, SECRET_KEY);
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
        ByteBuffer b = header(size(HEADER + primesBytes(context.allPrimes()) + Prng.SEED_BYTES, "the public key"), PUBLIC_KEY,
                context.fingerprint());
        putPoly(b, pk.b());
        b.put(pk.seed());
        return b.array();
    }

    /** A public key written by {@link #write(PublicKey)} (b over Q and P; a regenerated from its seed). */
    public PublicKey readPublicKey(byte[] bytes) {
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
        ByteBuffer b = header(size(HEADER + switchingKeyBytes(rk.key().maxLevel()), "the relinearization key"), RELINEARIZATION_KEY,
                context.fingerprint());
        putSwitchingKey(b, rk.key());
        return b.array();
    }

    public RelinearizationKey readRelinearizationKey(byte[] bytes) {
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
        long total = HEADER + 4 + 1 + 4L * steps.size();
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
        return b.array();
    }

    public GaloisKeys readGaloisKeys(byte[] bytes) {
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
            for (int i = 0; i < count; i++) {
                int s = b.getInt();
                if (s <= 0 || s >= context.slots() || !steps.add(s)) {
                    throw new CkksException.SerializationException("bad or repeated rotation step " + s);
                }
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

    private static ByteBuffer header(int size, byte type, long fingerprint) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        b.put((byte) VERSION);
        b.put(type);
        b.putLong(fingerprint);
        return b;
    }

    private static byte peekType(byte[] bytes) {
        if (bytes.length < HEADER) {
            throw truncated();
        }
        return bytes[5];
    }

    /** Checks magic, version and type; leaves the buffer at the fingerprint. */
    private static ByteBuffer open(byte[] bytes, byte type) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < HEADER) {
            throw truncated();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != MAGIC) {
            throw new CkksException.SerializationException("not Ciphernet data (bad magic)");
        }
        int version = b.get();
        if (version != VERSION) {
            throw new CkksException.SerializationException("format version " + version + " is not supported (this build reads " + VERSION + ")");
        }
        byte t = b.get();
        if (t != type) {
            throw new CkksException.SerializationException("expected object type " + type + " but found " + t);
        }
        return b;
    }

    /** {@link #open} plus the fingerprint check against this context. */
    private ByteBuffer openChecked(byte[] bytes, byte type) {
        ByteBuffer b = open(bytes, type);
        context.check(b.getLong(), "the serialized object");
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
