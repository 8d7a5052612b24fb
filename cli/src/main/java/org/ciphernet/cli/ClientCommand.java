package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.MismatchedTensorException;
import org.ciphernet.nn.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet client keygen|encrypt|decrypt|upgrade}: the data owner's side of a deployment, one step
 * per invocation, exchanging files with {@code ciphernet server}. The secret key stays in the
 * client's folder (owner-only permissions); the server gets {@code evaluation.keys} and ciphertexts.
 * Problems with files are reported as one line naming the file (see {@link Main}).
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "The data owner's steps: keygen, encrypt, decrypt (files exchanged with 'ciphernet server'), upgrade; "
                + "encrypt-dataset and decrypt-dataset (folders exchanged with 'ciphernet spark'); infer (through 'ciphernet serve').",
        subcommands = {ClientCommand.Keygen.class, ClientCommand.Encrypt.class, ClientCommand.Decrypt.class,
            ClientCommand.Upgrade.class, DatasetCommands.Encrypt.class, DatasetCommands.Decrypt.class,
            RemoteInferCommand.class})
final class ClientCommand implements Runnable {
    static final String SECRET = "secret.key";
    static final String EVALUATION = "evaluation.keys";

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options every client step shares. */
    static final class Common {
        @Mixin
        PlanSource source;

        @Option(names = "--dir", required = true, description = "the client's key folder")
        Path dir;

        HePlan plan() {
            return source.plan();
        }

        /** The plan, refused with a clear error if it is batched (these steps handle one image). */
        HePlan singleImagePlan(String step) {
            HePlan plan = plan();
            if (plan.mode() == Mode.BATCHED) {
                throw new UserError(source.option() + ": a " + plan.mode() + " plan (one image per slot); 'client " + step
                        + "' handles single-image and packed plans (one image per query): compile without --batched");
            }
            return plan;
        }

        /** The client of the secret key in the folder (warns if the key file is open to others). */
        HeClient restore(HePlan plan) {
            Path secret = dir.resolve(SECRET);
            CliFiles.requireReadable(secret, "secret key");
            CliFiles.warnIfShared(secret, System.err);
            byte[] bytes = CliFiles.read(secret, "secret key");
            if (bytes.length > 4 && bytes[4] == Serialization.LEGACY_VERSION_2) {
                throw new UserError("secret key " + secret + ": written in format version 2 (no integrity check); run once: "
                        + "ciphernet client upgrade " + source.option() + " --dir " + dir);
            }
            org.ciphernet.ckks.SecretKey key;
            try {
                key = new Serialization(plan.context()).readSecretKey(bytes);
            } catch (org.ciphernet.ckks.CkksException e) {
                throw new UserError("secret key " + secret + ": " + e.getMessage(), e);
            }
            return HeClient.restore(plan.clientSpec(), plan.context(), key);
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Generates keys: <dir>/secret.key (keep it) and <dir>/evaluation.keys (for the server).",
                "The folder is created private (700) and the secret key owner-only (600). An existing",
                "secret key is never replaced without --force (it decrypts the answers to earlier queries)."})
    static final class Keygen implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--force", description = "replace an existing secret key")
        boolean force;

        @Override
        public Integer call() {
            HePlan plan = common.plan();
            Path secret = common.dir.resolve(SECRET);
            if (Files.exists(secret) && !force) {
                throw new UserError(secret + " already exists: a new key could no longer decrypt answers made for it; "
                        + "pass --force to replace it");
            }
            CliFiles.privateFolder(common.dir, System.err);
            HeClient client = HeClient.create(plan.clientSpec(), plan.context());
            CliFiles.writeSecret(secret, client.serialization().write(client.secretKey()));
            byte[] keys = client.evaluationKeys().toBytes(client.serialization());
            CliFiles.write(common.dir.resolve(EVALUATION), keys, "evaluation keys");
            System.out.printf(Locale.ROOT, "wrote %s (secret: keep it here) and %s (%.1f MiB, for the server)%nkey id %s, plan %s%n%s%n",
                    secret, common.dir.resolve(EVALUATION), keys.length / 1048576.0, client.keyId(), plan.clientSpec().fingerprintHex(),
                    plan.parameters());
            return 0;
        }
    }

    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = {"Rewrites the key folder in the current formats: a secret.key of format version 2 (which",
                "had no integrity check) is read once, checked against the plan, written again as version "
                        + Serialization.VERSION + " (600),",
                "and evaluation.keys is made again from it. Answers to earlier queries stay decryptable."})
    static final class Upgrade implements Callable<Integer> {
        @Mixin
        Common common;

        @Override
        public Integer call() {
            HePlan plan = common.plan();
            Path secret = common.dir.resolve(SECRET);
            byte[] bytes = CliFiles.read(secret, "secret key");
            boolean legacy = bytes.length > 4 && bytes[4] == Serialization.LEGACY_VERSION_2;
            Serialization ser = new Serialization(plan.context());
            Serialization reader = legacy ? ser.withUnverifiedVersion2() : ser;
            org.ciphernet.ckks.SecretKey key;
            try {
                key = reader.readSecretKey(bytes);
            } catch (org.ciphernet.ckks.CkksException e) {
                throw new UserError("secret key " + secret + ": " + e.getMessage(), e);
            }
            CliFiles.warnIfShared(secret, System.err);
            HeClient client = HeClient.restore(plan.clientSpec(), plan.context(), key);
            if (legacy) {
                System.err.println("warning: " + secret + " was format version 2, read without an integrity check;"
                        + " if it was corrupted, answers will not decrypt: keep your backup until you have checked one");
                CliFiles.writeSecret(secret, ser.write(client.secretKey()));
            }
            byte[] keys = client.evaluationKeys().toBytes(client.serialization());
            CliFiles.write(common.dir.resolve(EVALUATION), keys, "evaluation keys");
            System.out.printf(Locale.ROOT, "%s %s; wrote %s (%.1f MiB, for the server)%nkey id %s, plan %s%n",
                    legacy ? "rewrote" : "kept", secret, common.dir.resolve(EVALUATION), keys.length / 1048576.0,
                    client.keyId(), plan.clientSpec().fingerprintHex());
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

        @Option(names = "--clip", description = "clip values outside the model's input range (with a warning) instead of refusing")
        boolean clip;

        @Override
        public Integer call() throws IOException {
            HePlan plan = common.singleImagePlan("encrypt");
            LabeledImages images = source.load();
            if (index < 0 || index >= images.size()) {
                throw new UserError("--index " + index + " is outside the " + images.size() + " images");
            }
            HeClient client = common.restore(plan);
            double[] image = images.images()[index];
            InputRange range = plan.clientSpec().inputRange();
            long outside = java.util.Arrays.stream(image).filter(v -> !range.contains(v)).count();
            if (outside > 0 && clip) {
                System.err.println("warning: " + outside + " values of image " + index + " are outside the input range " + range
                        + " and were clipped");
            }
            byte[] ct = client.encrypt(image, clip ? HeClient.OutOfRange.CLIP : HeClient.OutOfRange.REFUSE).toBytes(client.serialization());
            CliFiles.write(out, ct, "ciphertext");
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
        public Integer call() {
            HePlan plan = common.singleImagePlan("decrypt");
            CliFiles.requireReadable(in, "answer");
            HeClient client = common.restore(plan);
            EncryptedTensor answer = CliFiles.parse(in, "answer", b -> EncryptedTensor.fromBytes(b, client.serialization()));
            double[] logits;
            try {
                logits = client.decrypt(answer);
            } catch (MismatchedTensorException e) {
                throw new UserError(in + " with " + common.source.option() + ": " + e.getMessage(), e);
            }
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
