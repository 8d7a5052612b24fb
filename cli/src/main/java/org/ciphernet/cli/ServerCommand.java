package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.CompileOptions;
import org.ciphernet.nn.Compiler;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ciphernet server}: evaluates an encrypted image with the evaluation keys only (no secret key). */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Evaluates the model on an encrypted input file with the client's evaluation keys; writes the encrypted logits.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "ONNX model file (the client uses the same)")
    Path model;

    @Option(names = "--keys", required = true, description = "the client's evaluation.keys")
    Path keys;

    @Option(names = "--in", required = true, description = "encrypted input")
    Path in;

    @Option(names = "--out", required = true, description = "encrypted output to write")
    Path out;

    @Option(names = "--threads", defaultValue = "2", description = "threads (default ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws IOException {
        HePlan plan = Compiler.compile(OnnxImporter.read(model), CompileOptions.singleImage());
        Serialization ser = new Serialization(plan.context());
        EvaluationKeys k = EvaluationKeys.fromBytes(Files.readAllBytes(keys), ser);
        EncryptedTensor input = EncryptedTensor.fromBytes(Files.readAllBytes(in), ser);
        try (HeServer server = new HeServer(plan, k, threads, HeServer.DEFAULT_PLAINTEXT_CACHE)) {
            long t0 = System.nanoTime();
            EncryptedTensor result = server.infer(input);
            double ms = (System.nanoTime() - t0) / 1e6;
            byte[] bytes = result.toBytes(ser);
            Files.write(out, bytes);
            System.out.printf(Locale.ROOT, "evaluated %s in %.0f ms; wrote %s (%.2f MiB)%n", model.getFileName(), ms, out,
                    bytes.length / 1048576.0);
        }
        return 0;
    }
}
