package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Encrypts plaintexts, with the public key ({@code (b·u + e0 + m, a·u + e1)}, u ternary) or with the
 * secret key ({@code (-a·s + e + m, a)}, a uniform from a fresh seed). Randomness comes from a
 * {@link Prng} seeded by {@code SecureRandom}, or from an explicit seed in the clearly named
 * reproducible mode. Not thread-safe (it owns its generator): use one per thread.
 */
public final class Encryptor {
    private final CkksContext context;
    private final RingContext ring;
    private final PublicKey publicKey;
    private final SecretKey secretKey;
    private final Prng prng;

    private Encryptor(CkksContext context, PublicKey pk, SecretKey sk, Prng prng) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.publicKey = pk;
        this.secretKey = sk;
        this.prng = prng;
        if (pk != null) {
            context.check(pk.fingerprint(), "the public key");
        }
        if (sk != null) {
            context.check(sk.fingerprint(), "the secret key");
        }
    }

    /** Public-key encryption, randomness from {@code SecureRandom}. */
    public static Encryptor withPublicKey(CkksContext context, PublicKey pk) {
        return new Encryptor(context, Objects.requireNonNull(pk, "public key"), null, Prng.fromSecureRandom());
    }

    /** Secret-key encryption (smaller noise; c1 is regenerable from a seed), randomness from {@code SecureRandom}. */
    public static Encryptor withSecretKey(CkksContext context, SecretKey sk) {
        return new Encryptor(context, null, Objects.requireNonNull(sk, "secret key"), Prng.fromSecureRandom());
    }

    /** REPRODUCIBLE MODE: public-key encryption whose randomness is a function of {@code seed}. For tests only. */
    public static Encryptor reproducibleWithPublicKey(CkksContext context, PublicKey pk, byte[] seed) {
        return new Encryptor(context, Objects.requireNonNull(pk, "public key"), null, Prng.reproducibleFromSeed(seed));
    }

    /** REPRODUCIBLE MODE: secret-key encryption whose randomness is a function of {@code seed}. For tests only. */
    public static Encryptor reproducibleWithSecretKey(CkksContext context, SecretKey sk, byte[] seed) {
        return new Encryptor(context, null, Objects.requireNonNull(sk, "secret key"), Prng.reproducibleFromSeed(seed));
    }

    /** Encrypts a plaintext at its level and scale. */
    public Ciphertext encrypt(Plaintext pt) {
        context.check(pt.fingerprint(), "the plaintext");
        int level = pt.level();
        int[] q = context.levelPrimes(level);
        int n = context.degree();
        double sigma = context.parameters().sigma();
        RnsPoly c0;
        RnsPoly c1;
        byte[] seed = null;
        if (publicKey != null) {
            RnsPoly u = Sampler.fromSmall(ring, q, Sampler.ternary(n, prng));
            ring.toNtt(u);
            c0 = ring.zero(q, true);
            c1 = ring.zero(q, true);
            ring.multiply(publicKey.b().copyPrefix(q.length), u, c0);
            ring.multiply(publicKey.a().copyPrefix(q.length), u, c1);
            RnsPoly e0 = Sampler.fromSmall(ring, q, Sampler.gaussian(n, sigma, prng));
            RnsPoly e1 = Sampler.fromSmall(ring, q, Sampler.gaussian(n, sigma, prng));
            ring.toNtt(e0);
            ring.toNtt(e1);
            ring.add(c0, e0, c0);
            ring.add(c1, e1, c1);
        } else {
            seed = prng.nextSeed();
            c1 = Sampler.uniform(ring, q, Prng.reproducibleFromSeed(seed));
            c0 = ring.zero(q, true);
            ring.multiply(c1, secretKey.poly().copyPrefix(q.length), c0);
            RnsPoly e = Sampler.fromSmall(ring, q, Sampler.gaussian(n, sigma, prng));
            ring.toNtt(e);
            ring.sub(e, c0, c0);
        }
        ring.add(c0, pt.poly(), c0);
        return new Ciphertext(new RnsPoly[] {c0, c1}, level, pt.scale(), context.fingerprint(), seed);
    }
}
