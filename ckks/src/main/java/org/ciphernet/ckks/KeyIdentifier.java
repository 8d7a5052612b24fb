package org.ciphernet.ckks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * A public 16-byte name of a key pair, so that ciphertexts and evaluation keys can say which key
 * pair they belong to and a server can refuse to mix two owners' objects. It is a deterministic
 * function of the secret key and the parameters: the owner gets the same identifier whenever the
 * secret key is restored in a later process (a hash of a freshly randomized public key would not
 * be stable).
 *
 * <p><b>Construction</b> ({@link #of}): let {@code s} be the secret key's canonical bytes (its N
 * ternary coefficients, as {@link Serialization#write(SecretKey)} stores them).
 * <ol>
 *   <li>{@code seed = HMAC-SHA256(key = s, "ciphernet key id v1" ‖ parameter fingerprint)};</li>
 *   <li>from an AES-CTR stream under {@code seed}: {@code a} uniform modulo the first prime
 *       {@code q_0} and {@code e} from the parameters' error distribution;</li>
 *   <li>{@code b = −a·s + e mod (X^N + 1, q_0)};</li>
 *   <li>the identifier is the first 16 bytes of {@code SHA-256("ciphernet key id v1" ‖
 *       fingerprint ‖ b)}.</li>
 * </ol>
 *
 * <p><b>Why it reveals nothing secret.</b> {@code b} is one RLWE sample {@code (a, b)} with the
 * owner's secret, of exactly the kind the public key already publishes (the public key is such a
 * sample over every prime), except that here even {@code a} is hidden: it comes from a seed that
 * only the holder of {@code s} can compute (HMAC is a pseudo-random function keyed by {@code s}), so
 * to anyone else {@code a} is uniform and independent of everything published. Under the RLWE
 * assumption {@code b} is then indistinguishable from uniform, and the identifier is a truncated
 * SHA-256 of it: a one-way function of a pseudo-random value, revealing nothing beyond what an RLWE
 * sample reveals (less, since only a hash of {@code b} and not {@code a} is published). The secret
 * key bytes, the seed and {@code a} are never stored, logged or returned; the buffers holding them
 * are cleared after use. Two different secret keys collide with probability about 2^−128.
 *
 * @param bytes the 16 identifier bytes
 */
public record KeyIdentifier(byte[] bytes) {
    /** Length in bytes. */
    public static final int BYTES = 16;
    private static final byte[] LABEL = "ciphernet key id v1".getBytes(StandardCharsets.US_ASCII);

    /** Copies and checks the bytes. */
    public KeyIdentifier {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a key identifier has " + BYTES + " bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The identifier of a secret key under a context (see the class comment for the construction).
     *
     * @throws CkksException.ParameterMismatchException if the key was made for other parameters
     */
    public static KeyIdentifier of(CkksContext context, SecretKey secretKey) {
        context.check(secretKey.fingerprint(), "the secret key");
        RingContext ring = context.ring();
        int n = context.degree();
        long fingerprint = context.fingerprint();
        // canonical bytes of s: the coefficients in {-1, 0, 1}
        RnsPoly s0 = secretKey.poly().copyPrefix(1);
        ring.toCoefficients(s0);
        long[] coefficients = s0.limb(0);
        byte[] canonical = new byte[n];
        for (int i = 0; i < n; i++) {
            long v = coefficients[i];
            canonical[i] = (byte) (v == 0 ? 0 : v == 1 ? 1 : -1);
        }
        byte[] seed;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(canonical, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(ByteBuffer.allocate(Long.BYTES).putLong(fingerprint).array());
            seed = mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        } finally {
            Arrays.fill(canonical, (byte) 0);
        }
        // back to NTT form over q_0 (the coefficient copy is cleared with it below)
        ring.toNtt(s0);
        Prng prng = Prng.reproducibleFromSeed(seed);
        Arrays.fill(seed, (byte) 0);
        int[] first = {s0.primeIndex(0)};
        RnsPoly a = Sampler.uniform(ring, first, prng);
        RnsPoly e = Sampler.fromSmall(ring, first, Sampler.gaussian(n, context.parameters().sigma(), prng));
        ring.toNtt(e);
        RnsPoly b = ring.zero(first, true);
        ring.multiply(a, s0, b);
        ring.sub(e, b, b); // b = e − a·s
        Arrays.fill(s0.limb(0), 0);
        Arrays.fill(a.limb(0), 0);
        Arrays.fill(e.limb(0), 0);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(LABEL);
            md.update(ByteBuffer.allocate(Long.BYTES).putLong(fingerprint).array());
            ByteBuffer limb = ByteBuffer.allocate(n * Long.BYTES);
            for (long v : b.limb(0)) {
                limb.putLong(v);
            }
            md.update(limb.array());
            return new KeyIdentifier(Arrays.copyOf(md.digest(), BYTES));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyIdentifier k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The 32 hex digits. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
