package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The deployment the CLI shows: client keygen, client encrypt, server, client decrypt as separate
 * command invocations exchanging only files; the server never reads the secret key.
 */
class ClientServerFilesTest {
    static final Path MODEL = Path.of("..", "testdata", "models", "cryptonets.onnx");

    @TempDir
    Path dir;

    @Test
    void encryptedDigitRoundTripsThroughFiles() throws Exception {
        System.setProperty("ciphernet.home", "..");
        Path owner = dir.resolve("owner");
        assertEquals(0, run("client", "keygen", "--model", MODEL.toString(), "--dir", owner.toString()));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(owner.resolve("secret.key")), "the secret key is readable by its owner only");
        // the server's folder holds only what the client sends it
        Path server = Files.createDirectories(dir.resolve("server"));
        Files.copy(owner.resolve("evaluation.keys"), server.resolve("evaluation.keys"));
        assertEquals(0, run("client", "encrypt", "--model", MODEL.toString(), "--dir", owner.toString(), "--dataset", "mnist",
                "--index", "3", "--out", server.resolve("in.ct").toString()));
        assertEquals(0, run("server", "--model", MODEL.toString(), "--keys", server.resolve("evaluation.keys").toString(),
                "--in", server.resolve("in.ct").toString(), "--out", server.resolve("out.ct").toString(), "--threads", "1"));
        String out = capture("client", "decrypt", "--model", MODEL.toString(), "--dir", owner.toString(), "--in",
                server.resolve("out.ct").toString());
        assertTrue(out.contains("class: 9"), out); // test digit 3 is a 9, and the model gets it right in plaintext

        // a tampered answer is refused with a clear error, not decrypted into garbage
        byte[] bad = Files.readAllBytes(server.resolve("out.ct"));
        bad[0] ^= 1;
        Files.write(server.resolve("bad.ct"), bad);
        assertNotEquals(0, run("client", "decrypt", "--model", MODEL.toString(), "--dir", owner.toString(), "--in",
                server.resolve("bad.ct").toString()));
    }

    static int run(String... args) {
        return Main.commandLine().execute(args);
    }

    static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run(args));
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Runs a command expected to fail with {@code status}; returns what it printed on standard error. */
    static String captureErr(int status, String... args) {
        CommandLine cl = Main.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(status, cl.execute(args));
        return err.toString();
    }
}
