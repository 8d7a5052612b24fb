package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a plan compiled once by {@code ciphernet compile} runs in {@code server --plan} in
 * another JVM and gives the answer an in-process server compiling the model gives, bit for bit;
 * keys, queries and answers of another plan (here: the same architecture with other weights) and
 * corrupted plan files are refused, naming the plan fingerprints or the file.
 */
class PlanFileTest {
    static final String MODEL = ClientServerFilesTest.MODEL.toString();
    static final String OTHER_MODEL = Path.of("..", "testdata", "models", "cryptonets-seed2.onnx").toString();

    @TempDir
    Path dir;

    @Test
    void aCompiledPlanRunsInAnotherProcessAndOtherPlansAreRefusedByFingerprint() throws Exception {
        System.setProperty("ciphernet.home", "..");
        Path plan = dir.resolve("cryptonets.plan");
        CliSafetyTest.Run compiled = CliSafetyTest.run("compile", "--model", MODEL, "--out", plan.toString());
        assertEquals(0, compiled.exit(), compiled.err());
        assertTrue(compiled.out().contains("plan for") && compiled.out().contains("wrote " + plan), compiled.out());
        Path owner = dir.resolve("owner");
        assertEquals(0, CliSafetyTest.run("client", "keygen", "--plan", plan.toString(), "--dir", owner.toString()).exit());
        Path keys = owner.resolve("evaluation.keys");
        Path query = dir.resolve("in.ct");
        assertEquals(0, CliSafetyTest.run("client", "encrypt", "--plan", plan.toString(), "--dir", owner.toString(), "--dataset",
                "mnist", "--index", "3", "--out", query.toString()).exit());

        // the server in its own JVM, loading the plan file (it never sees the model)
        Path answer = dir.resolve("out.ct");
        Process server = otherJvm("server", "--plan", plan.toString(), "--keys", keys.toString(), "--in", query.toString(), "--out",
                answer.toString(), "--threads", "1");
        String log = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(server.waitFor(5, TimeUnit.MINUTES), "the server process did not finish");
        assertEquals(0, server.exitValue(), log);

        // the same answer as a server that compiles the model itself, and the right class
        Path again = dir.resolve("again.ct");
        assertEquals(0, CliSafetyTest.run("server", "--model", MODEL, "--keys", keys.toString(), "--in", query.toString(), "--out",
                again.toString(), "--threads", "2").exit());
        assertArrayEquals(Files.readAllBytes(again), Files.readAllBytes(answer), "a plan file runs exactly as the compiled model");
        CliSafetyTest.Run decrypted = CliSafetyTest.run("client", "decrypt", "--plan", plan.toString(), "--dir", owner.toString(),
                "--in", answer.toString());
        assertEquals(0, decrypted.exit(), decrypted.err());
        assertTrue(decrypted.out().contains("class: 9"), decrypted.out()); // test digit 3 is a 9

        // another plan: same architecture, other weights; its fingerprint differs, so everything is refused by name
        Path other = dir.resolve("other.plan");
        assertEquals(0, CliSafetyTest.run("compile", "--model", OTHER_MODEL, "--out", other.toString()).exit());
        String fp = fingerprint(compiled.out());
        CliSafetyTest.run("server", "--plan", other.toString(), "--keys", keys.toString(), "--in", query.toString(), "--out",
                dir.resolve("x.ct").toString()).oneLineError("in.ct", "was made for another plan (plan " + fp, "--plan " + other);
        CliSafetyTest.run("client", "decrypt", "--plan", other.toString(), "--dir", owner.toString(), "--in", answer.toString())
                .oneLineError("out.ct", "this answer was made for another plan (plan " + fp);

        // a corrupted plan file is refused as a whole
        byte[] bad = Files.readAllBytes(plan);
        bad[bad.length / 2] ^= 8;
        Path corrupted = Files.write(dir.resolve("bad.plan"), bad);
        CliSafetyTest.run("server", "--plan", corrupted.toString(), "--keys", keys.toString(), "--in", query.toString(), "--out",
                dir.resolve("y.ct").toString()).oneLineError("plan " + corrupted, "CRC32C mismatch");
        CliSafetyTest.run("server", "--plan", MODEL, "--keys", keys.toString(), "--in", query.toString(), "--out",
                dir.resolve("z.ct").toString()).oneLineError("plan " + MODEL, "not a plan file");
    }

    /** The plan fingerprint {@code compile} printed ("plan 0123456789abcdef"). */
    private static String fingerprint(String compileOutput) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("plan ([0-9a-f]{16})").matcher(compileOutput);
        assertTrue(m.find(), compileOutput);
        return m.group(1);
    }

    @Test
    void ensemblesCompileFromMembersOfOneArchitectureAndOthersAreRefused() {
        System.setProperty("ciphernet.home", "..");
        Path plan = dir.resolve("ensemble.plan");
        CliSafetyTest.Run compiled = CliSafetyTest.run("compile", "--model", MODEL, "--ensemble-member", OTHER_MODEL, "--out",
                plan.toString());
        assertEquals(0, compiled.exit(), compiled.err());
        assertTrue(compiled.out().contains("ensemble.mean") && Files.exists(plan), compiled.out());
        String other = Path.of("..", "testdata", "models", "small-quadratic.onnx").toString();
        CliSafetyTest.Run mixed = CliSafetyTest.run("compile", "--model", MODEL, "--ensemble-member", other, "--out",
                dir.resolve("mixed.plan").toString());
        assertTrue(mixed.exit() != 0 && mixed.err().contains("ensemble") && mixed.err().contains(other), mixed.err());
        CliSafetyTest.Run packed = CliSafetyTest.run("compile", "--model", MODEL, "--ensemble-member", OTHER_MODEL, "--packed",
                "--out", dir.resolve("packed.plan").toString());
        assertTrue(packed.exit() != 0 && packed.err().contains("single-image"), packed.err());
        assertTrue(Files.notExists(dir.resolve("mixed.plan")) && Files.notExists(dir.resolve("packed.plan")));
    }

    private static Process otherJvm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Dciphernet.home=..");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path").replace(File.pathSeparator + File.pathSeparator, File.pathSeparator));
        cmd.add("org.ciphernet.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
