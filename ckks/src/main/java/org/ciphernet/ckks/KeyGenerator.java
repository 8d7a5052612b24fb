package org.ciphernet.ckks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.ciphernet.ntt.Galois;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Generates a secret key and the keys derived from it: public, relinearization, Galois (rotation
 * and conjugation). Thread-safe: one generator may make keys for any number of threads at once.
 * Randomness comes from a {@link RandomSource}: {@link #KeyGenerator(CkksContext)} gives each
 * thread its own {@code SecureRandom}-seeded generator; {@link #reproducible(CkksContext, byte[])}
 * is the clearly named deterministic mode for tests, in which the keys depend on the seed and on
 * the order of calls (several threads at once get their randomness in scheduling order).
 */
public final class KeyGenerator {
    private final CkksContext context;
    private final RingContext ring;
    private final RandomSource random;
    private final SecretKey secretKey;

    /** A generator with a fresh secret key, seeded from {@code SecureRandom}. */
    public KeyGenerator(CkksContext context) {
        this(context, RandomSource.secure());
    }

    /**
     * REPRODUCIBLE MODE: every key (secret included) is a function of {@code seed} and of the order
     * of calls. For tests and reproducible experiments only: anyone with the seed can decrypt.
     */
    public static KeyGenerator reproducible(CkksContext context, byte[] seed) {
        return new KeyGenerator(context, RandomSource.reproducible(seed));
    }

    /**
     * A generator for a secret key kept from an earlier session (read with
     * {@link Serialization#readSecretKey}); the keys it derives use fresh {@code SecureRandom} randomness.
     */
    public static KeyGenerator fromSecretKey(CkksContext context, SecretKey secretKey) {
        context.check(secretKey.fingerprint(), "the secret key");
        return new KeyGenerator(context, RandomSource.secure(), secretKey);
    }

    private KeyGenerator(CkksContext context, RandomSource random, SecretKey secretKey) {
        this.context = context;
        this.ring = context.ring();
        this.random = random;
        this.secretKey = secretKey;
    }

    private KeyGenerator(CkksContext context, RandomSource random) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.random = random;
        CkksParameters p = context.parameters();
        long[] s = Sampler.ternary(context.degree(), p.secret(), p.hammingWeight(), random.forOperation());
        RnsPoly sp = Sampler.fromSmall(ring, context.allPrimes(), s);
        ring.toNtt(sp);
        java.util.Arrays.fill(s, 0);
        this.secretKey = new SecretKey(sp, context.fingerprint());
    }

    /** The secret key. */
    public SecretKey secretKey() {
        return secretKey;
    }

    /**
     * A public key {@code (-a·s + e, a)} over all primes of Q and P: encryption works modulo
     * {@code Q_ℓ·P} and divides by P, so that its noise is mostly rounding (see {@link Encryptor}).
     */
    public PublicKey publicKey() {
        Prng prng = random.forOperation();
        byte[] seed = prng.nextSeed();
        int[] qp = context.allPrimes();
        RnsPoly a = Sampler.uniform(ring, qp, Prng.reproducibleFromSeed(seed));
        RnsPoly e = Sampler.fromSmall(ring, qp, Sampler.gaussian(context.degree(), context.parameters().sigma(), prng));
        ring.toNtt(e);
        RnsPoly s = secretKey.poly();
        RnsPoly b = ring.zero(qp, true);
        ring.multiply(a, s, b);
        ring.sub(e, b, b);
        return new PublicKey(b, a, seed, context.fingerprint());
    }

    /** The relinearization key ({@code s²} to {@code s}). */
    public RelinearizationKey relinearizationKey() {
        RnsPoly s = secretKey.poly();
        RnsPoly s2 = ring.zero(context.allPrimes(), true);
        ring.multiply(s, s, s2);
        return new RelinearizationKey(switchingKey(s2));
    }

    /**
     * Galois keys for the given slot rotation steps (any sign; normalized modulo N/2) and, if asked,
     * conjugation.
     */
    public GaloisKeys galoisKeys(int[] steps, boolean conjugation) {
        int[] top = new int[steps.length];
        Arrays.fill(top, context.maxLevel());
        return galoisKeys(steps, top, conjugation);
    }

    /**
     * Galois keys for the given rotation steps, each only for ciphertexts up to its level in
     * {@code maxLevels} (a key for level ℓ holds the digits and primes of {@code Q_ℓ} and P only,
     * so keys used late in a deep circuit are much smaller). A step given twice gets the higher
     * level. Conjugation, if asked, gets a full key.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a level is outside
     *     {@code [0, maxLevel]}
     */
    public GaloisKeys galoisKeys(int[] steps, int[] maxLevels, boolean conjugation) {
        if (steps.length != maxLevels.length) {
            throw new IllegalArgumentException(steps.length + " steps but " + maxLevels.length + " levels");
        }
        int n = context.degree();
        int slots = context.slots();
        Map<Integer, Integer> levelOf = new HashMap<>();
        for (int i = 0; i < steps.length; i++) {
            if (maxLevels[i] < 0 || maxLevels[i] > context.maxLevel()) {
                throw new IllegalArgumentException("level " + maxLevels[i] + " for step " + steps[i] + " outside [0, "
                        + context.maxLevel() + "]");
            }
            int k = Math.floorMod(steps[i], slots);
            if (k != 0) {
                levelOf.merge(k, maxLevels[i], Math::max);
            }
        }
        Map<Integer, SwitchingKey> keys = new HashMap<>();
        SortedSet<Integer> normalized = new TreeSet<>(levelOf.keySet());
        for (int k : normalized) {
            int g = Galois.rotationElement(k, n);
            keys.put(g, galoisKey(g, levelOf.get(k)));
        }
        if (conjugation) {
            int g = Galois.conjugationElement(n);
            keys.put(g, galoisKey(g, context.maxLevel()));
        }
        return new GaloisKeys(keys, normalized, conjugation, context.fingerprint());
    }

    /** Galois keys for every power-of-two step {@code ±1, ±2, ±4, …} (rotate-and-sum and any step by composition). */
    public GaloisKeys powerOfTwoGaloisKeys(boolean conjugation) {
        int slots = context.slots();
        int count = Integer.numberOfTrailingZeros(slots);
        int[] steps = new int[2 * count];
        for (int i = 0; i < count; i++) {
            steps[2 * i] = 1 << i;
            steps[2 * i + 1] = -(1 << i);
        }
        return galoisKeys(steps, conjugation);
    }

    private SwitchingKey galoisKey(int galoisElement, int maxLevel) {
        RnsPoly s = secretKey.poly();
        RnsPoly rotated = ring.zero(context.allPrimes(), true);
        // key from σ_g(s) to s
        ring.automorphism(s, galoisElement, rotated);
        return switchingKey(rotated, maxLevel);
    }

    /** A switching key from {@code sPrime} (NTT over all primes) to the secret key, for all levels. */
    SwitchingKey switchingKey(RnsPoly sPrime) {
        return switchingKey(sPrime, context.maxLevel());
    }

    /**
     * A switching key from {@code sPrime} (NTT over all primes) to the secret key for ciphertexts
     * up to {@code maxLevel}: the digits of {@code Q_maxLevel}, over its primes and P's.
     */
    SwitchingKey switchingKey(RnsPoly sPrime, int maxLevel) {
        KeySwitcher ks = context.keySwitcher();
        int digits = ks.digitsAt(maxLevel);
        int[] primes = context.levelAndSpecialPrimes(maxLevel);
        Prng prng = random.forOperation();
        byte[] seed = prng.nextSeed();
        Prng uniform = Prng.reproducibleFromSeed(seed);
        RnsPoly s = context.restrict(secretKey.poly(), primes);
        RnsPoly[] b = new RnsPoly[digits];
        RnsPoly[] a = new RnsPoly[digits];
        for (int d = 0; d < digits; d++) {
            a[d] = Sampler.uniform(ring, primes, uniform);
            RnsPoly e = Sampler.fromSmall(ring, primes, Sampler.gaussian(context.degree(), context.parameters().sigma(), prng));
            ring.toNtt(e);
            RnsPoly bd = ring.zero(primes, true);
            ring.multiply(a[d], s, bd);
            ring.sub(e, bd, bd); // e - a·s
            long[] tmp = new long[context.degree()];
            // limb i is prime i for the Q primes (≤ maxLevel) the gadget touches
            for (int i = ks.digitStart(d); i < Math.min(ks.digitEnd(d), maxLevel + 1); i++) {
                ring.ops(i).multiplyScalar(sPrime.limb(i), ks.pModQ(i), tmp);
                ring.ops(i).add(bd.limb(i), tmp, bd.limb(i));
            }
            b[d] = bd;
        }
        return new SwitchingKey(b, a, seed, context.fingerprint(), maxLevel, context.qCount());
    }
}
