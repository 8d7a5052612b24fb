package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 part 3, the command line: keys are never overwritten silently, the key folder and the
 * secret key are private whatever the umask, a shared secret key is warned about, and every error
 * is one line naming the file and the problem, with a non-zero exit.
 */
class CliSafetyTest {
    static final String MODEL = ClientServerFilesTest.MODEL.toString();

    @TempDir
    static Path dir;

    static Path owner;
    static Path other;

    /** The outcome of one command: exit code, standard output and standard error. */
    record Run(int exit, String out, String err) {
        /** The error output is exactly one line, without a stack trace. */
        void oneLineError(String... parts) {
            assertEquals(1, exit, err);
            assertEquals(1, err.strip().lines().count(), "one line expected: " + err);
            assertFalse(err.contains("\tat "), err);
            for (String p : parts) {
                assertTrue(err.contains(p), "'" + p + "' missing from: " + err);
            }
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void keys() {
        System.setProperty("ciphernet.home", "..");
        owner = dir.resolve("owner");
        other = dir.resolve("other");
        assertEquals(0, run("client", "keygen", "--model", MODEL, "--dir", owner.toString()).exit());
        assertEquals(0, run("client", "keygen", "--model", MODEL, "--dir", other.toString()).exit());
    }

    @Test
    void keygenIsPrivateAndNeverOverwritesSilently() throws Exception {
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(owner), "the key folder is private");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(owner.resolve("secret.key")));
        byte[] before = Files.readAllBytes(owner.resolve("secret.key"));
        run("client", "keygen", "--model", MODEL, "--dir", owner.toString()).oneLineError("secret.key already exists", "--force");
        assertArrayEquals(before, Files.readAllBytes(owner.resolve("secret.key")));
        Path forced = dir.resolve("forced");
        assertEquals(0, run("client", "keygen", "--model", MODEL, "--dir", forced.toString()).exit());
        byte[] first = Files.readAllBytes(forced.resolve("secret.key"));
        assertEquals(0, run("client", "keygen", "--model", MODEL, "--dir", forced.toString(), "--force").exit());
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(forced.resolve("secret.key"))));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(forced.resolve("secret.key")));
    }

    @Test
    void misuseGivesOneLineNamingTheFile() throws Exception {
        Path q = dir.resolve("q.ct");
        Path a = dir.resolve("a.ct");
        assertEquals(0, run("client", "encrypt", "--model", MODEL, "--dir", owner.toString(), "--dataset", "mnist", "--index", "0",
                "--out", q.toString()).exit());
        // the server checks its input before the (large) keys: a missing or empty input is reported first
        run("server", "--model", MODEL, "--keys", dir.resolve("nokeys").toString(), "--in", dir.resolve("missing.ct").toString(),
                "--out", a.toString()).oneLineError("encrypted input", "missing.ct", "no such file");
        Path empty = Files.createFile(dir.resolve("empty.ct"));
        run("server", "--model", MODEL, "--keys", owner.resolve("evaluation.keys").toString(), "--in", empty.toString(),
                "--out", a.toString()).oneLineError("empty.ct", "the file is empty");
        Path emptyKeys = Files.createFile(dir.resolve("empty.keys"));
        run("server", "--model", MODEL, "--keys", emptyKeys.toString(), "--in", q.toString(), "--out", a.toString())
                .oneLineError("evaluation keys", "empty.keys", "the file is empty");
        // another owner's keys with this owner's query
        run("server", "--model", MODEL, "--keys", other.resolve("evaluation.keys").toString(), "--in", q.toString(),
                "--out", a.toString()).oneLineError("another key pair");
        assertEquals(0, run("server", "--model", MODEL, "--keys", owner.resolve("evaluation.keys").toString(), "--in", q.toString(),
                "--out", a.toString(), "--threads", "1").exit());
        // the encrypted input given to decrypt
        run("client", "decrypt", "--model", MODEL, "--dir", owner.toString(), "--in", q.toString())
                .oneLineError("q.ct", "this is an encrypted query, not an answer");
        // the answer decrypted with another owner's folder
        run("client", "decrypt", "--model", MODEL, "--dir", other.toString(), "--in", a.toString())
                .oneLineError("a.ct", "this answer was made for another key pair (key id");
        // the answer given back to the server
        run("server", "--model", MODEL, "--keys", owner.resolve("evaluation.keys").toString(), "--in", a.toString(),
                "--out", dir.resolve("x.ct").toString()).oneLineError("not a query");
        // an empty answer and a corrupted one
        run("client", "decrypt", "--model", MODEL, "--dir", owner.toString(), "--in", empty.toString())
                .oneLineError("answer", "empty.ct", "the file is empty");
        byte[] bad = Files.readAllBytes(a);
        bad[bad.length / 2] ^= 4;
        Files.write(dir.resolve("bad.ct"), bad);
        run("client", "decrypt", "--model", MODEL, "--dir", owner.toString(), "--in", dir.resolve("bad.ct").toString())
                .oneLineError("bad.ct", "CRC32C mismatch");
        // a missing model
        run("client", "decrypt", "--model", "nope.onnx", "--dir", owner.toString(), "--in", a.toString())
                .oneLineError("model nope.onnx: no such file");
        // --debug adds the trace
        Run debug = run("client", "decrypt", "--debug", "--model", MODEL, "--dir", owner.toString(), "--in", q.toString());
        assertEquals(1, debug.exit());
        assertTrue(debug.err().contains("\tat "), debug.err());
        // the right answer still decrypts
        Run ok = run("client", "decrypt", "--model", MODEL, "--dir", owner.toString(), "--in", a.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("class: 7"), ok.out()); // test digit 0 is a 7
    }

    @Test
    void aVersion2SecretKeyIsRefusedWithTheWayOutAndUpgradedOnRequest() throws Exception {
        Path legacy = dir.resolve("legacy");
        Files.createDirectories(legacy);
        byte[] v3 = Files.readAllBytes(owner.resolve("secret.key"));
        // format version 2 is version 3 without its 4-byte CRC32C trailer, with version byte 2
        byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - 4);
        v2[4] = 2;
        Files.write(legacy.resolve("secret.key"), v2);
        Files.setPosixFilePermissions(legacy.resolve("secret.key"), PosixFilePermissions.fromString("rw-------"));
        Path q = dir.resolve("legacy-q.ct");
        run("client", "encrypt", "--model", MODEL, "--dir", legacy.toString(), "--dataset", "mnist", "--index", "0",
                "--out", q.toString()).oneLineError("format version 2", "ciphernet client upgrade");
        Run up = run("client", "upgrade", "--model", MODEL, "--dir", legacy.toString());
        assertEquals(0, up.exit(), up.err());
        assertTrue(up.err().contains("read without an integrity check"), up.err());
        assertArrayEquals(v3, Files.readAllBytes(legacy.resolve("secret.key")), "the same key, written as version 3");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(legacy.resolve("secret.key")));
        assertTrue(Files.size(legacy.resolve("evaluation.keys")) > 0);
        assertEquals(0, run("client", "encrypt", "--model", MODEL, "--dir", legacy.toString(), "--dataset", "mnist", "--index", "0",
                "--out", q.toString()).exit());
    }

    @Test
    void sharedSecretKeyIsWarnedAbout() throws Exception {
        Path shared = dir.resolve("shared");
        assertEquals(0, run("client", "keygen", "--model", MODEL, "--dir", shared.toString()).exit());
        Files.setPosixFilePermissions(shared.resolve("secret.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Run r = run("client", "encrypt", "--model", MODEL, "--dir", shared.toString(), "--dataset", "mnist", "--out",
                dir.resolve("s.ct").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("chmod 600 " + shared.resolve("secret.key")), r.err());
    }
}
