package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One {@link Encryptor} and one {@link KeyGenerator} shared by many threads (issue 13, part 4):
 * nothing throws, every ciphertext decrypts to its own message, and no two ciphertexts share their
 * random half c1 (a shared c1 leaks the difference of the two messages to anyone who subtracts the
 * ciphertexts). Small insecure ring (N = 2^10) so that thousands of encryptions take a second.
 */
class ConcurrentRandomnessTest {
    private static final int THREADS = 16;
    private static final int PER_THREAD = 250;

    private static final CkksParameters PARAMS = CkksParameters.builder().logN(10).qBits(List.of(40, 30)).pBits(List.of(40))
            .logScale(30).security(SecurityLevel.NONE_INSECURE).build();
    private static final CkksContext CTX = CkksContext.create(PARAMS);
    private static final KeyGenerator KEYS = KeyGenerator.reproducible(CTX, new byte[32]);
    private static final Encoder ENCODER = new Encoder(CTX);
    private static final Decryptor DECRYPTOR = new Decryptor(CTX, KEYS.secretKey());

    /** What one encryption task produced: the identity of its c1 and whether it decrypted correctly. */
    private record Outcome(String c1Identity, double error) {}

    @FunctionalInterface
    private interface C1Identity {
        String of(Ciphertext c);
    }

    /** SHA-256 of limb 0 of c1 (uniform modulo q_0: a collision among honest draws has probability ~2^-(N·40)). */
    private static String c1Digest(Ciphertext c) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long[] limb = c.part(1).limb(0);
            ByteBuffer b = ByteBuffer.allocate(limb.length * Long.BYTES);
            b.asLongBuffer().put(limb);
            return HexFormat.of().formatHex(md.digest(b.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String c1Seed(Ciphertext c) {
        return HexFormat.of().formatHex(c.c1Seed());
    }

    /**
     * {@code threads × perThread} encryptions through {@code enc}, all threads released at once;
     * returns every outcome (throws the first failure of any thread).
     */
    private static List<Outcome> hammer(Encryptor enc, ExecutorService pool, int threads, int perThread, C1Identity id)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Outcome>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                List<Outcome> out = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                    double value = (thread * perThread + i) * 1e-4;
                    Ciphertext c = enc.encrypt(ENCODER.encode(new double[] {value, -value}));
                    double[] back = ENCODER.decode(DECRYPTOR.decrypt(c));
                    out.add(new Outcome(id.of(c), Math.max(Math.abs(back[0] - value), Math.abs(back[1] + value))));
                }
                return out;
            }));
        }
        start.countDown();
        List<Outcome> all = new ArrayList<>();
        for (Future<List<Outcome>> f : futures) {
            all.addAll(f.get());
        }
        return all;
    }

    private static void assertAllDistinctAndCorrect(List<Outcome> outcomes, int expected, String what) {
        assertEquals(expected, outcomes.size());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        int repeats = 0;
        double worst = 0;
        for (Outcome o : outcomes) {
            if (!seen.add(o.c1Identity())) {
                repeats++;
            }
            worst = Math.max(worst, o.error());
        }
        assertEquals(0, repeats, what + ": ciphertexts sharing their random half c1");
        assertTrue(worst < 1e-4, what + ": a ciphertext decrypted with error " + worst);
    }

    private static <T> T withPool(ExecutorService pool, PoolTask<T> task) throws Exception {
        try {
            return task.run(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface PoolTask<T> {
        T run(ExecutorService pool) throws Exception;
    }

    @Test
    void sharedSecretKeyEncryptorNeverRepeatsC1() throws Exception {
        Encryptor enc = Encryptor.withSecretKey(CTX, KEYS.secretKey());
        List<Outcome> out = withPool(Executors.newFixedThreadPool(THREADS),
                p -> hammer(enc, p, THREADS, PER_THREAD, ConcurrentRandomnessTest::c1Seed));
        assertAllDistinctAndCorrect(out, THREADS * PER_THREAD, "secret-key encryption");
    }

    @Test
    void sharedPublicKeyEncryptorNeverRepeatsC1() throws Exception {
        Encryptor enc = Encryptor.withPublicKey(CTX, KEYS.publicKey());
        List<Outcome> out = withPool(Executors.newFixedThreadPool(THREADS),
                p -> hammer(enc, p, THREADS, PER_THREAD, ConcurrentRandomnessTest::c1Digest));
        assertAllDistinctAndCorrect(out, THREADS * PER_THREAD, "public-key encryption");
    }

    @Test
    void virtualThreadsShareOneEncryptor() throws Exception {
        Encryptor sym = Encryptor.withSecretKey(CTX, KEYS.secretKey());
        Encryptor pub = Encryptor.withPublicKey(CTX, KEYS.publicKey());
        List<Outcome> s = withPool(Executors.newVirtualThreadPerTaskExecutor(),
                p -> hammer(sym, p, 200, 10, ConcurrentRandomnessTest::c1Seed));
        assertAllDistinctAndCorrect(s, 2000, "secret-key encryption, virtual threads");
        List<Outcome> q = withPool(Executors.newVirtualThreadPerTaskExecutor(),
                p -> hammer(pub, p, 200, 10, ConcurrentRandomnessTest::c1Digest));
        assertAllDistinctAndCorrect(q, 2000, "public-key encryption, virtual threads");
    }

    @Test
    void reproducibleEncryptorIsSafeToShareAndDrawsTheSerialSeeds() throws Exception {
        byte[] seed = new byte[32];
        seed[5] = 9;
        Encryptor shared = Encryptor.reproducibleWithSecretKey(CTX, KEYS.secretKey(), seed);
        List<Outcome> out = withPool(Executors.newFixedThreadPool(8), p -> hammer(shared, p, 8, 100, ConcurrentRandomnessTest::c1Seed));
        assertAllDistinctAndCorrect(out, 800, "reproducible secret-key encryption");
        // the same calls made one after another draw the same seeds; only their order follows the threads
        Encryptor serial = Encryptor.reproducibleWithSecretKey(CTX, KEYS.secretKey(), seed);
        Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < 800; i++) {
            expected.add(c1Seed(serial.encrypt(ENCODER.encode(new double[] {0.5}))));
        }
        Set<String> got = new java.util.HashSet<>();
        out.forEach(o -> got.add(o.c1Identity()));
        assertEquals(expected, got);
    }

    @Test
    void sharedKeyGeneratorMakesDistinctWorkingKeys() throws Exception {
        KeyGenerator shared = new KeyGenerator(CTX);
        Decryptor dec = new Decryptor(CTX, shared.secretKey());
        Evaluator eval = new Evaluator(CTX);
        Set<String> seeds = ConcurrentHashMap.newKeySet();
        AtomicInteger made = new AtomicInteger();
        int threads = 8;
        int rounds = 6;
        withPool(Executors.newFixedThreadPool(threads), pool -> {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        PublicKey pk = shared.publicKey();
                        RelinearizationKey rk = shared.relinearizationKey();
                        GaloisKeys gk = shared.galoisKeys(new int[] {1}, false);
                        assertTrue(seeds.add(HexFormat.of().formatHex(pk.seed())), "public-key seed repeated");
                        assertTrue(seeds.add(HexFormat.of().formatHex(rk.key().seed())), "relinearization-key seed repeated");
                        assertTrue(seeds.add(HexFormat.of().formatHex(gk.key(org.ciphernet.ntt.Galois.rotationElement(1, CTX.degree())).seed())),
                                "Galois-key seed repeated");
                        // each key works
                        Ciphertext c = Encryptor.withPublicKey(CTX, pk).encrypt(ENCODER.encode(new double[] {0.5, 0.25, -0.75}));
                        double[] sq = ENCODER.decode(dec.decrypt(eval.multiplyRelinRescale(c, c, rk)));
                        assertEquals(0.25, sq[0], 1e-3);
                        assertEquals(0.0625, sq[1], 1e-3);
                        double[] rot = ENCODER.decode(dec.decrypt(eval.rotate(c, 1, gk)));
                        assertEquals(0.25, rot[0], 1e-3);
                        assertEquals(-0.75, rot[1], 1e-3);
                        made.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
            return null;
        });
        assertEquals(threads * rounds, made.get());
        assertEquals(3 * threads * rounds, seeds.size());
    }
}
