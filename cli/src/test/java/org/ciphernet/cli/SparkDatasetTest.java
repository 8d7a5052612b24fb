package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.onnx.OnnxImporter;
import org.ciphernet.spark.EncryptedDataset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dataset flow the README shows, as separate command invocations exchanging folders: compile,
 * client keygen, client encrypt-dataset (32 test images), spark on an embedded {@code local[2]}
 * master, client decrypt-dataset. Every id of the input gets exactly one answer, and every class
 * equals the plaintext model's.
 */
class SparkDatasetTest {
    static final int IMAGES = 32;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"cryptonets, mnist", "small-quadratic, fashion-mnist"})
    void encryptSparkDecryptGivesThePlaintextClasses(String model, String dataset) throws Exception {
        System.setProperty("ciphernet.home", "..");
        Path onnx = Path.of("..", "testdata", "models", model + ".onnx");
        String plan = dir.resolve("model.plan").toString();
        String owner = dir.resolve("owner").toString();
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Path predictions = dir.resolve("predictions.csv");
        assertEquals(0, run("compile", "--model", onnx.toString(), "--out", plan));
        assertEquals(0, run("client", "keygen", "--plan", plan, "--dir", owner));
        assertEquals(0, run("client", "encrypt-dataset", "--plan", plan, "--dir", owner, "--dataset", dataset, "--count",
                String.valueOf(IMAGES), "--out", in.toString()));
        // the server's side sees only the plan, the evaluation keys and the records
        assertEquals(0, run("spark", "--plan", plan, "--keys", owner + "/evaluation.keys", "--in", in.toString(), "--out",
                out.toString(), "--master", "local[2]"));
        assertEquals(EncryptedDataset.open(in).ids(), EncryptedDataset.open(out).ids(), "one answer per id, the same ids");
        assertEquals(0, run("client", "decrypt-dataset", "--plan", plan, "--dir", owner, "--in", out.toString(), "--dataset", dataset,
                "--predictions", predictions.toString()));

        LabeledImages test = Datasets.test(dataset, Path.of("..", "testdata"));
        Network net = OnnxImporter.read(onnx);
        List<String> lines = Files.readAllLines(predictions);
        assertEquals("id,image,class,label", lines.get(0));
        List<String> ids = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int image = Integer.parseInt(f[1]);
            ids.add(f[0]);
            assertEquals(EncryptedDataset.idOfImage(image), f[0]);
            assertEquals(test.labels()[image], Integer.parseInt(f[3]));
            int plain = Harness.argmax(ReferenceEvaluator.evaluate(net, test.images()[image]));
            assertEquals(plain, Integer.parseInt(f[2]), model + " image " + image + ": encrypted class differs from the plaintext model's");
        }
        assertEquals(EncryptedDataset.open(in).ids(), ids, "every image predicted once, in id order");
        assertEquals(IMAGES, ids.size());

        // run again on the same answers: nothing to evaluate, nothing changes
        assertEquals(0, run("spark", "--plan", plan, "--keys", owner + "/evaluation.keys", "--in", in.toString(), "--out",
                out.toString(), "--master", "local[1]"));
        assertEquals(EncryptedDataset.open(in).ids(), EncryptedDataset.open(out).ids());
    }

    @org.junit.jupiter.api.Test
    void mistakesAreRefusedWithClearErrors() throws Exception {
        System.setProperty("ciphernet.home", "..");
        Path onnx = Path.of("..", "testdata", "models", "cryptonets.onnx");
        String plan = dir.resolve("model.plan").toString();
        String owner = dir.resolve("owner").toString();
        assertEquals(0, run("compile", "--model", onnx.toString(), "--out", plan));
        assertEquals(0, run("client", "keygen", "--plan", plan, "--dir", owner));
        Path in = dir.resolve("in");
        assertEquals(0, run("client", "encrypt-dataset", "--plan", plan, "--dir", owner, "--dataset", "mnist", "--count", "2",
                "--out", in.toString()));
        // the same output folder again: refused, the records are not mixed
        assertNotEquals(0, run("client", "encrypt-dataset", "--plan", plan, "--dir", owner, "--dataset", "mnist", "--count", "2",
                "--out", in.toString()));
        assertNotEquals(0, run("client", "encrypt-dataset", "--plan", plan, "--dir", owner, "--dataset", "mnist", "--count", "0",
                "--out", dir.resolve("in0").toString()));
        // keys of another client: refused before Spark starts, naming both key ids
        String other = dir.resolve("other").toString();
        assertEquals(0, run("client", "keygen", "--plan", plan, "--dir", other));
        String err = ClientServerFilesTest.captureErr(1, "spark", "--plan", plan, "--keys", other + "/evaluation.keys", "--in",
                in.toString(), "--out", dir.resolve("out").toString(), "--master", "local[1]");
        assertTrue(err.contains("another key pair"), err);
        // an empty input folder
        Files.createDirectories(dir.resolve("empty"));
        err = ClientServerFilesTest.captureErr(1, "spark", "--plan", plan, "--keys", owner + "/evaluation.keys", "--in",
                dir.resolve("empty").toString(), "--out", dir.resolve("out").toString());
        assertTrue(err.contains("holds no records"), err);
    }

    static int run(String... args) {
        return ClientServerFilesTest.run(args);
    }
}
