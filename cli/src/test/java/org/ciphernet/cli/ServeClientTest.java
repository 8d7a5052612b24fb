package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.serve.InferenceService;
import org.ciphernet.serve.ServeConfig;
import org.ciphernet.serve.Tenants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client infer --server} against a running service: the plan comes from the service, the
 * secret key stays in the client's folder (600), the evaluation keys are uploaded once, and the
 * predictions are the model's.
 */
class ServeClientTest {
    static final String TOKEN = "client-test-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void classifiesThroughTheServiceAndUploadsKeysOnce() throws Exception {
        System.setProperty("ciphernet.home", "..");
        HePlan plan = PlanSource.compile(Path.of("..", "testdata", "models", "cryptonets.onnx"), CompileOptions.singleImage());
        try (InferenceService service = InferenceService.start(ServeConfig.builder(dir.resolve("data"),
                Tenants.parse(List.of(TOKEN + " tester"), "test")).port(0).model("cryptonets", plan).build())) {
            String url = "http://127.0.0.1:" + service.port();
            String[] args = {"client", "infer", "--server", url, "--token", TOKEN, "--model", "cryptonets", "--dataset", "mnist",
                "--count", "4", "--dir", dir.resolve("owner").toString()};
            String[] first = run(args);
            assertTrue(first[0].contains("accuracy 100.00 % (4 of 4)"), first[0]);
            assertTrue(first[1].contains("uploading evaluation keys"), first[1]);
            Path secret = dir.resolve("owner").resolve("cryptonets-" + plan.fingerprintHex()).resolve("secret.key");
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(secret));
            String[] second = run(args);
            assertTrue(second[0].contains("accuracy 100.00 % (4 of 4)"), second[0]);
            assertFalse(second[1].contains("uploading"), "the keys are on the service already: " + second[1]);
            // a wrong token: one line naming the problem
            String[] bad = args.clone();
            bad[5] = "not-the-token-0123456789";
            assertEquals(1, Main.commandLine().execute(bad));
        }
    }

    static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.commandLine().execute(args));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }
}
