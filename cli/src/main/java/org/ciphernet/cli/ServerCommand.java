package org.ciphernet.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.MismatchedTensorException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet server}: evaluates an encrypted image with the evaluation keys only (no secret
 * key). The cheap inputs are checked first (the input file exists, is readable and parses as a
 * query), then the keys, which can be hundreds of MiB, are read.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Evaluates the model on an encrypted input file with the client's evaluation keys; writes the encrypted logits.")
final class ServerCommand implements Callable<Integer> {
    @Mixin
    PlanSource source;

    @Option(names = "--keys", required = true, description = "the client's evaluation.keys")
    Path keys;

    @Option(names = "--in", required = true, description = "encrypted input")
    Path in;

    @Option(names = "--out", required = true, description = "encrypted output to write")
    Path out;

    @Option(names = "--threads", defaultValue = "2", description = "threads (default ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() {
        if (threads < 1) {
            throw new UserError("--threads must be at least 1, got " + threads);
        }
        CliFiles.requireReadable(in, "encrypted input");
        CliFiles.requireReadable(keys, "evaluation keys");
        HePlan plan = source.plan();
        Serialization ser = new Serialization(plan.context());
        EncryptedTensor input = CliFiles.parse(in, "encrypted input", b -> EncryptedTensor.fromBytes(b, ser));
        if (input.kind() != EncryptedTensor.Kind.QUERY) {
            throw new UserError("encrypted input " + in + ": is an encrypted " + input.kind().name().toLowerCase(Locale.ROOT)
                    + ", not a query");
        }
        if (input.planFingerprint() != plan.fingerprint()) {
            throw new UserError("encrypted input " + in + ": was made for another plan (plan " + input.planFingerprintHex() + ", "
                    + source.option() + " is plan " + plan.fingerprintHex() + ")");
        }
        EvaluationKeys k = CliFiles.parse(keys, "evaluation keys", b -> EvaluationKeys.fromBytes(b, ser));
        if (!k.keyId().equals(input.keyId())) {
            throw new UserError(in + " with " + keys + ": the input is encrypted under another key pair than the evaluation keys (input key id "
                    + input.keyId() + ", evaluation keys " + k.keyId() + ")");
        }
        HeServer built;
        try {
            built = new HeServer(plan, k, threads, HeServer.DEFAULT_PLAINTEXT_CACHE);
        } catch (MismatchedTensorException e) { // keys made for another plan: HeServer names both fingerprints
            throw new UserError(keys + " with " + source.option() + ": " + e.getMessage(), e);
        }
        try (HeServer server = built) {
            long t0 = System.nanoTime();
            EncryptedTensor result;
            try {
                result = server.infer(input);
            } catch (MismatchedTensorException e) {
                throw new UserError(in + " with " + keys + ": " + e.getMessage(), e);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            byte[] bytes = result.toBytes(ser);
            CliFiles.write(out, bytes, "encrypted output");
            System.out.printf(Locale.ROOT, "evaluated %s in %.0f ms; wrote %s (%.2f MiB)%n", plan.name(), ms, out,
                    bytes.length / 1048576.0);
        }
        return 0;
    }
}
