package org.ciphernet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ciphernet infer}: any supported ONNX model on any IDX image file, encrypted, in one process. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Runs an ONNX model encrypted on images: keys, encryption, server evaluation, decryption.")
final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "ONNX model file")
    Path model;

    @Mixin
    ImageSource source;

    @Option(names = "--count", defaultValue = "10", description = "how many images, from the first (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--threads", defaultValue = "2", description = "server threads (default ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Network net = OnnxImporter.read(model);
        LabeledImages images = source.load().first(count);
        if (!images.shape().equals(net.inputShape())) {
            throw new IllegalArgumentException("the images are " + images.shape() + " but the model expects " + net.inputShape());
        }
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage().withInputRange(0, 1));
        EncryptedRun r = EncryptedRun.of(net, plan, images, threads, new BarProgress());
        out.println(" image  label  encrypted  plaintext     ms");
        for (int i = 0; i < r.predictions().size(); i++) {
            EncryptedRun.Prediction p = r.predictions().get(i);
            out.printf(Locale.ROOT, "%6d  %5s  %9d  %9d  %5.0f%n", i, p.label() < 0 ? "-" : Integer.toString(p.label()), p.encrypted(),
                    p.plaintext(), p.millis());
        }
        if (images.labels().length > 0 && images.labels()[0] >= 0) {
            out.printf(Locale.ROOT, "encrypted accuracy %.1f %%%n", 100 * r.accuracy());
        }
        out.printf(Locale.ROOT, "agreement with the plaintext model %.1f %%, largest logit error %.2g, %.0f ms per image, %s%n",
                100 * r.agreement(), r.maxLogitError(), r.millisPerImage(), plan.report().parameters());
        return r.agrees() ? 0 : 1;
    }
}
