package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.junit.jupiter.api.Test;

/**
 * Encrypted answers are bit-identical to those recorded before the nn redesign (issue 14): for
 * fixed networks, options, key seeds and images, the SHA-256 of every output ciphertext's bytes and
 * of the decrypted values must equal {@code golden-outputs.txt}, which was written by the code of
 * commit 999fbd2, its single-image lines re-recorded once in issue 15 and the lines of networks
 * with quadratic activations before skips once in issue 16, each for an intended change of the
 * arithmetic (the file's header says which and why). Run with
 * {@code -Dciphernet.golden.write=<file>} to print new values; never overwrite the committed file
 * to make this test pass.
 */
class GoldenOutputsTest {
    private static final byte[] SEED = new byte[32];

    private static Map<String, String> compute() {
        Map<String, String> out = new LinkedHashMap<>();
        Network cn = ExampleNetworks.cryptoNets(1);
        out.put("cryptonets-single", single(cn, CompileOptions.singleImage(), 1));
        out.put("cryptonets-single-2threads", single(cn, CompileOptions.singleImage(), 2));
        out.put("cryptonets-batched", batched(cn, CompileOptions.batched(), 5));
        // added after the redesign, recorded by the code before it (999fbd2): batched squares that keep 3 parts
        // (scale 2^40) and single-image rotations composed from a reduced key set
        out.put("cryptonets-batched-scale40", batched(cn, CompileOptions.batched().withSmallPrimes(false).withScaleBits(40, 40), 3));
        out.put("residual-batched-scale40", batched(TestNetworks.residual(4), CompileOptions.batched().withSmallPrimes(false).withScaleBits(40, 40), 3));
        out.put("strided-stack-single-composed", single(TestNetworks.stridedStack(5), CompileOptions.singleImage().withMaxKeyBytes(1), 1));
        for (Network net : List.of(TestNetworks.convBnQuadPoolDense(1), TestNetworks.quadraticWithZero(2),
                TestNetworks.sharedSource(3), TestNetworks.residual(4), TestNetworks.stridedStack(5),
                TestNetworks.mixedLayoutAdd(6))) {
            out.put(net.name() + "-single", single(net, CompileOptions.singleImage(), 2));
            out.put(net.name() + "-batched", batched(net, CompileOptions.batched(), 3));
        }
        Network strided = TestNetworks.stridedStack(5);
        for (boolean multiplex : new boolean[] {false, true}) {
            HePlan p = Compiler.compile(strided, CompileOptions.singleImage().withIm2col(false)
                    .withStridedLayout(multiplex ? CompileOptions.StridedLayout.MULTIPLEXED : CompileOptions.StridedLayout.FLAT));
            out.put(strided.name() + "-multiplex-" + multiplex, run(p, strided, 1));
        }
        return out;
    }

    private static String single(Network net, CompileOptions options, int threads) {
        return run(Compiler.compile(net, options), net, threads);
    }

    private static String batched(Network net, CompileOptions options, int images) {
        return run(Compiler.compile(net, options), net, images);
    }

    private static String run(HePlan plan, Network net, int threadsOrImages) {
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), SEED);
        Serialization ser = new Serialization(plan.context());
        MessageDigest md = sha256();
        boolean batched = plan.mode() == Mode.BATCHED;
        int threads = batched ? 2 : threadsOrImages;
        try (HeServer server = new HeServer(plan, client.evaluationKeys(), threads, HeServer.DEFAULT_PLAINTEXT_CACHE)) {
            EncryptedTensor in;
            if (batched) {
                double[][] images = new double[threadsOrImages][];
                for (int b = 0; b < images.length; b++) {
                    images[b] = TestNetworks.image(net.inputShape(), 40 + b);
                }
                in = client.encryptBatch(images);
            } else {
                in = client.encrypt(TestNetworks.image(net.inputShape(), 40));
            }
            EncryptedTensor answer = server.infer(in);
            for (Ciphertext c : answer.ciphertexts()) {
                md.update(ser.write(c));
            }
            List<double[]> values = new ArrayList<>();
            if (batched) {
                values.addAll(List.of(client.decryptBatch(answer)));
            } else {
                values.add(client.decrypt(answer));
            }
            for (double[] v : values) {
                for (double x : v) {
                    long bits = Double.doubleToLongBits(x);
                    for (int k = 0; k < 8; k++) {
                        md.update((byte) (bits >>> (8 * k)));
                    }
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void answersAreBitIdenticalToTheRecordedOnes() throws IOException {
        Map<String, String> got = compute();
        String write = System.getProperty("ciphernet.golden.write");
        if (write != null) {
            StringBuilder sb = new StringBuilder();
            got.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
            Files.writeString(Path.of(write), sb.toString());
        }
        Map<String, String> want = new LinkedHashMap<>();
        try (InputStream s = GoldenOutputsTest.class.getResourceAsStream("golden-outputs.txt")) {
            for (String line : new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] kv = line.trim().split(" ");
                    want.put(kv[0], kv[1]);
                }
            }
        }
        assertEquals(want, got);
    }
}
