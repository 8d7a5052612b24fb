package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.Decryptor;
import org.ciphernet.ckks.Evaluator;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.junit.jupiter.api.Test;

/**
 * One {@link HeClient} shared by request threads (issue 13, part 4): eight threads encrypting at
 * once must never throw, and no two ciphertexts may share their random half c1 (subtracting two
 * such ciphertexts and decrypting gives m − m′). Tiny networks at N = 2^10 without the security
 * check, in both modes (public-key encryption for single-image plans, secret-key for batched ones).
 */
class HeClientConcurrencyTest {
    private static final int THREADS = 8;

    /**
     * An identity of c1 from public operations only: {@code c − Dec(c)} is {@code (−c1·s, c1)}, a
     * function of c1 alone; its serialized bytes are hashed.
     */
    private static final class C1Identity {
        private final Decryptor decryptor;
        private final Evaluator evaluator;
        private final Serialization io;

        C1Identity(HeClient client) {
            this.decryptor = new Decryptor(client.context(), client.secretKey());
            this.evaluator = new Evaluator(client.context());
            this.io = client.serialization();
        }

        String of(Ciphertext c) throws Exception {
            Ciphertext onlyC1 = evaluator.subPlain(c, decryptor.decrypt(c));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(io.write(onlyC1)));
        }
    }

    @FunctionalInterface
    private interface Job {
        List<Ciphertext> run(int thread, int round);
    }

    /** Runs {@code rounds} jobs on each of {@link #THREADS} threads released together; returns every ciphertext. */
    private static List<Ciphertext> hammer(int rounds, Job job) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Ciphertext>>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    List<Ciphertext> out = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        out.addAll(job.run(thread, r));
                    }
                    return out;
                }));
            }
            start.countDown();
            List<Ciphertext> all = new ArrayList<>();
            for (Future<List<Ciphertext>> f : fs) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertNoSharedC1(HeClient client, List<Ciphertext> cts, int expected) throws Exception {
        assertEquals(expected, cts.size());
        C1Identity id = new C1Identity(client);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        int repeats = 0;
        for (Ciphertext c : cts) {
            if (!seen.add(id.of(c))) {
                repeats++;
            }
        }
        assertEquals(0, repeats, "ciphertexts sharing their random half c1");
    }

    @Test
    void singleImageClientSharedByThreads() throws Exception {
        Network net = TestNetworks.convBnQuadPoolDense(1);
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE));
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        int[] gather = plan.clientSpec().inputGather();
        int rounds = 40;
        AtomicInteger wrong = new AtomicInteger();
        List<Ciphertext> cts = hammer(rounds, (t, r) -> {
            double[] x = TestNetworks.image(net.inputShape(), 1000L * t + r);
            Ciphertext c = client.encrypt(x).ciphertexts().get(0);
            double[] slots = client.decryptSlots(c);
            for (int i = 0; i < gather.length; i++) {
                double expected = gather[i] < 0 ? 0 : x[gather[i]];
                if (Math.abs(slots[i] - expected) > 1e-4) {
                    wrong.incrementAndGet();
                    break;
                }
            }
            return List.of(c);
        });
        assertEquals(0, wrong.get(), "ciphertexts that did not decrypt to their image");
        assertNoSharedC1(client, cts, THREADS * rounds);
    }

    @Test
    void batchedClientSharedByThreads() throws Exception {
        Network net = TestNetworks.quadraticWithZero(2);
        HePlan plan = Compiler.compile(net, CompileOptions.batched().withSecurity(SecurityLevel.NONE_INSECURE));
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        int rounds = 12;
        int images = 3;
        AtomicInteger wrong = new AtomicInteger();
        List<Ciphertext> cts = hammer(rounds, (t, r) -> {
            double[][] x = new double[images][];
            for (int b = 0; b < images; b++) {
                x[b] = TestNetworks.image(net.inputShape(), 100_000L * t + 100L * r + b);
            }
            List<Ciphertext> out = client.encryptBatch(x).ciphertexts();
            for (int e = 0; e < out.size(); e++) {
                double[] slots = client.decryptSlots(out.get(e));
                for (int b = 0; b < images; b++) {
                    if (Math.abs(slots[b] - x[b][e]) > 1e-3) {
                        wrong.incrementAndGet();
                    }
                }
            }
            return out;
        });
        assertEquals(0, wrong.get(), "slots that did not decrypt to their pixel");
        int perBatch = net.inputShape().size();
        assertNoSharedC1(client, cts, THREADS * rounds * perBatch);
        assertTrue(cts.stream().allMatch(Ciphertext::isSeeded), "batched inputs are seeded secret-key encryptions");
    }
}
