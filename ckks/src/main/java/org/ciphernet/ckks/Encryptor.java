package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Encrypts plaintexts, with the public key or with the secret key. Thread-safe: one encryptor may
 * serve any number of threads (randomness comes from a {@link RandomSource}: in the default secure
 * mode each thread draws from its own {@code SecureRandom}-seeded generator, so no two ciphertexts
 * share their randomness; in the clearly named reproducible mode one seeded generator is shared
 * under a lock, and results depend on the order of calls across threads).
 *
 * <p><b>Public key</b> (the key {@code (b, a) = (-a·s + e, a)} lives modulo {@code Q·P}): at level
 * ℓ, with u ternary and e0, e1 Gaussian, {@code (c0', c1') = (b·u + e0, a·u + e1)} modulo
 * {@code Q_ℓ·P}, then {@code (c0, c1) = (⌊c0'/P⌉, ⌊c1'/P⌉)} modulo {@code Q_ℓ} (the ModDown of
 * hybrid key switching, {@link KeySwitcher#modDown}), then {@code c0 += m}. Then
 * {@code c0 + c1·s = m + (e·u + e0 + e1·s)/P + r0 + r1·s} with rounding errors {@code |r_i| ≤ 1/2}:
 * the RLWE noise is divided by P and what remains is rounding, about {@code sqrt(N/18)} per
 * coefficient instead of {@code σ·sqrt(2N/3)} (as in Microsoft SEAL's encryption, which divides
 * by the special prime in the same way).
 *
 * <p><b>Secret key</b>: {@code (c0, c1) = (-a·s + e + m, a)}, a uniform drawn from a fresh
 * 32-byte seed that the ciphertext keeps (so {@link Serialization} can send the seed instead of c1).
 */
public final class Encryptor {
    private final CkksContext context;
    private final RingContext ring;
    private final PublicKey publicKey;
    private final SecretKey secretKey;
    private final RandomSource random;

    private Encryptor(CkksContext context, PublicKey pk, SecretKey sk, RandomSource random) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.publicKey = pk;
        this.secretKey = sk;
        this.random = random;
        if (pk != null) {
            context.check(pk.fingerprint(), "the public key");
        }
        if (sk != null) {
            context.check(sk.fingerprint(), "the secret key");
        }
    }

    /** Public-key encryption; each thread's randomness from its own {@code SecureRandom}-seeded generator. */
    public static Encryptor withPublicKey(CkksContext context, PublicKey pk) {
        return new Encryptor(context, Objects.requireNonNull(pk, "public key"), null, RandomSource.secure());
    }

    /**
     * Secret-key encryption (smaller noise; c1 is regenerable from a seed); each thread's randomness
     * from its own {@code SecureRandom}-seeded generator.
     */
    public static Encryptor withSecretKey(CkksContext context, SecretKey sk) {
        return new Encryptor(context, null, Objects.requireNonNull(sk, "secret key"), RandomSource.secure());
    }

    /**
     * REPRODUCIBLE MODE: public-key encryption whose randomness is a function of {@code seed} and of
     * the order of calls (thread-safe, but calls from several threads at once get their randomness
     * in scheduling order). For tests only.
     */
    public static Encryptor reproducibleWithPublicKey(CkksContext context, PublicKey pk, byte[] seed) {
        return new Encryptor(context, Objects.requireNonNull(pk, "public key"), null, RandomSource.reproducible(seed));
    }

    /**
     * REPRODUCIBLE MODE: secret-key encryption whose randomness is a function of {@code seed} and of
     * the order of calls (thread-safe, but calls from several threads at once get their randomness
     * in scheduling order). For tests only.
     */
    public static Encryptor reproducibleWithSecretKey(CkksContext context, SecretKey sk, byte[] seed) {
        return new Encryptor(context, null, Objects.requireNonNull(sk, "secret key"), RandomSource.reproducible(seed));
    }

    /** Encrypts a plaintext at its level and scale. */
    public Ciphertext encrypt(Plaintext pt) {
        context.check(pt.fingerprint(), "the plaintext");
        Prng prng = random.forOperation();
        int level = pt.level();
        if (publicKey != null) {
            RnsPoly[] c = encryptZeroWithPublicKey(level, prng);
            ring.add(c[0], pt.poly(), c[0]);
            return new Ciphertext(c, level, pt.scale(), context.fingerprint());
        }
        int[] q = context.levelPrimes(level);
        byte[] seed = prng.nextSeed();
        RnsPoly c1 = Sampler.uniform(ring, q, Prng.reproducibleFromSeed(seed));
        RnsPoly c0 = ring.zero(q, true);
        ring.multiply(c1, secretKey.poly().copyPrefix(q.length), c0);
        RnsPoly e = Sampler.fromSmall(ring, q, Sampler.gaussian(context.degree(), context.parameters().sigma(), prng));
        ring.toNtt(e);
        ring.sub(e, c0, c0); // e - a·s
        ring.add(c0, pt.poly(), c0);
        return new Ciphertext(new RnsPoly[] {c0, c1}, level, pt.scale(), context.fingerprint(), seed);
    }

    /** An encryption of zero at a level: computed modulo {@code Q_ℓ·P}, then divided by P with rounding. */
    private RnsPoly[] encryptZeroWithPublicKey(int level, Prng prng) {
        int[] qp = context.levelAndSpecialPrimes(level);
        int n = context.degree();
        double sigma = context.parameters().sigma();
        RnsPoly u = Sampler.fromSmall(ring, qp, Sampler.ternary(n, prng));
        ring.toNtt(u);
        RnsPoly[] c = new RnsPoly[2];
        RnsPoly[] key = {publicKey.b(), publicKey.a()};
        KeySwitcher ks = context.keySwitcher();
        for (int i = 0; i < 2; i++) {
            RnsPoly x = ring.zero(qp, true);
            ring.multiply(context.restrict(key[i], qp), u, x);
            // ⌊(x + e_i) / P⌉, with e_i added in coefficient form inside the ModDown
            c[i] = ks.modDown(x, Sampler.gaussian(n, sigma, prng), level, LimbParallelism.SEQUENTIAL);
        }
        return c;
    }
}
