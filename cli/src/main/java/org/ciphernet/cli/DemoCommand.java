package org.ciphernet.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.harness.Manifest;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet demo}: the bundled CryptoNets model (trained on MNIST) classifies 20 held-out
 * real digits under encryption: keys, encryption, server evaluation with evaluation keys only,
 * decryption, and each prediction beside its label.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Classifies 20 real MNIST digits under encryption with the bundled CryptoNets model.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--images", defaultValue = "20", description = "how many test digits (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--threads", defaultValue = "1", description = "server threads (default ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Manifest.Model model = Manifest.model(Manifest.models(Home.testdata()), "cryptonets");
        long t0 = System.nanoTime();
        Network net = OnnxImporter.read(Home.testdata().resolve("models").resolve(model.file()));
        LabeledImages digits = Datasets.test(model.dataset(), Home.testdata()).first(images);
        out.printf(Locale.ROOT, "Model %s (%s, trained on %d digits, %.2f %% plaintext test accuracy), %d held-out digits.%n",
                model.file(), model.dataset(), model.trainImages(), 100 * model.plaintextAccuracy(), digits.size());
        out.println("The client generates keys and encrypts each digit; the server sees only ciphertexts and evaluation keys;");
        out.println("the client decrypts the 10 logits. (Untimed inferences warm the server up first.)");
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage().withInputRange(0, 1));
        EncryptedRun r = EncryptedRun.of(net, plan, digits, threads, new BarProgress());
        out.println();
        out.println(" digit  label  encrypted  plaintext     ms");
        List<EncryptedRun.Prediction> ps = r.predictions();
        for (int i = 0; i < ps.size(); i++) {
            EncryptedRun.Prediction p = ps.get(i);
            out.printf(Locale.ROOT, "%6d  %5d  %9d  %9d  %5.0f  %s%n", i, p.label(), p.encrypted(), p.plaintext(), p.millis(),
                    p.encrypted() == p.label() ? "ok" : "WRONG");
        }
        out.printf(Locale.ROOT, "%nencrypted accuracy %.1f %% (%d/%d); agreement with the plaintext model %.1f %%; "
                        + "largest logit error %.2g%n", 100 * r.accuracy(), Math.round(r.accuracy() * ps.size()),
                ps.size(), 100 * r.agreement(), r.maxLogitError());
        PlanReport report = plan.report();
        out.printf(Locale.ROOT, "server time %.0f ms per digit (%d thread(s)); %d levels, %d rotations, %.0f MiB of evaluation keys%n",
                r.millisPerImage(), threads, plan.depth(), report.rotations(),
                (report.galoisKeyBytes() + report.relinearizationKeyBytes()) / 1048576.0);
        out.printf(Locale.ROOT, "parameters: %s%ntotal %.1f s%n", report.parameters(), (System.nanoTime() - t0) / 1e9);
        return r.agrees() ? 0 : 1;
    }
}
