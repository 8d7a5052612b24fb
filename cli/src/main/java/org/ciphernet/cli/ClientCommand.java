package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.CompileOptions;
import org.ciphernet.nn.Compiler;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet client keygen|encrypt|decrypt}: the data owner's side of a deployment, one step
 * per invocation, exchanging files with {@code ciphernet server}. The secret key stays in the
 * client's folder (owner-only permissions); the server gets {@code evaluation.keys} and ciphertexts.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "The data owner's steps: keygen, encrypt, decrypt (files exchanged with 'ciphernet server').",
        subcommands = {ClientCommand.Keygen.class, ClientCommand.Encrypt.class, ClientCommand.Decrypt.class})
final class ClientCommand implements Runnable {
    static final String SECRET = "secret.key";
    static final String EVALUATION = "evaluation.keys";

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options every client step shares. */
    static final class Common {
        @Option(names = "--model", required = true, description = "ONNX model file (the server uses the same)")
        Path model;

        @Option(names = "--dir", required = true, description = "the client's key folder")
        Path dir;

        HePlan plan() throws IOException {
            return Compiler.compile(OnnxImporter.read(model), CompileOptions.singleImage());
        }

        HeClient restore(HePlan plan) throws IOException {
            Serialization ser = new Serialization(plan.context());
            return HeClient.restore(plan.clientSpec(), plan.context(), ser.readSecretKey(Files.readAllBytes(dir.resolve(SECRET))));
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Generates keys: <dir>/secret.key (keep it) and <dir>/evaluation.keys (for the server).")
    static final class Keygen implements Callable<Integer> {
        @Mixin
        Common common;

        @Override
        public Integer call() throws IOException {
            HePlan plan = common.plan();
            HeClient client = HeClient.create(plan.clientSpec(), plan.context());
            Files.createDirectories(common.dir);
            Path secret = common.dir.resolve(SECRET);
            Files.deleteIfExists(secret);
            try {
                Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(secret);
            }
            Files.write(secret, client.serialization().write(client.secretKey()), StandardOpenOption.TRUNCATE_EXISTING);
            byte[] keys = client.evaluationKeys().toBytes(client.serialization());
            Files.write(common.dir.resolve(EVALUATION), keys);
            System.out.printf(Locale.ROOT, "wrote %s (secret: keep it here) and %s (%.1f MiB, for the server)%n%s%n", secret,
                    common.dir.resolve(EVALUATION), keys.length / 1048576.0, plan.parameters());
            return 0;
        }
    }

    @Command(name = "encrypt", mixinStandardHelpOptions = true, description = "Encrypts one image for the server.")
    static final class Encrypt implements Callable<Integer> {
        @Mixin
        Common common;

        @Mixin
        ImageSource source;

        @Option(names = "--index", defaultValue = "0", description = "which image of the file (default ${DEFAULT-VALUE})")
        int index;

        @Option(names = "--out", required = true, description = "ciphertext file to write")
        Path out;

        @Override
        public Integer call() throws IOException {
            HePlan plan = common.plan();
            HeClient client = common.restore(plan);
            LabeledImages images = source.load();
            if (index < 0 || index >= images.size()) {
                throw new IllegalArgumentException("--index " + index + " is outside the " + images.size() + " images");
            }
            byte[] ct = client.encrypt(images.images()[index]).toBytes(client.serialization());
            Files.write(out, ct);
            System.out.printf(Locale.ROOT, "encrypted image %d%s into %s (%.1f MiB)%n", index,
                    images.labels()[index] >= 0 ? " (label " + images.labels()[index] + ")" : "", out, ct.length / 1048576.0);
            return 0;
        }
    }

    @Command(name = "decrypt", mixinStandardHelpOptions = true, description = "Decrypts the server's answer: logits and class.")
    static final class Decrypt implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--in", required = true, description = "the server's ciphertext file")
        Path in;

        @Override
        public Integer call() throws IOException {
            HePlan plan = common.plan();
            HeClient client = common.restore(plan);
            double[] logits = client.decrypt(EncryptedTensor.fromBytes(Files.readAllBytes(in), client.serialization()));
            StringBuilder s = new StringBuilder("logits:");
            for (double v : logits) {
                s.append(String.format(Locale.ROOT, " %.4f", v));
            }
            System.out.println(s);
            System.out.println("class: " + Harness.argmax(logits));
            return 0;
        }
    }
}
