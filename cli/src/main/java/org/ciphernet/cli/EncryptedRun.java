package org.ciphernet.cli;

import java.util.ArrayList;
import java.util.List;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.harness.Progress;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.Inference;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;

/**
 * The encrypted round trip of {@code demo} and {@code infer}: a client with fresh keys and a server
 * with its evaluation keys only ({@link Inference}) classify each image, and each prediction is set
 * beside the label and the plaintext model's. Untimed inferences of the first image come first (one,
 * then more while they take under {@value #WARM_UP_MILLIS} ms in all, at most {@value #WARM_UP_MAX}), so
 * the times shown are those of a warmed-up server, not of the JIT compiling: after a single one,
 * the first digits of {@code demo} still took up to twice the median.
 *
 * @param predictions one row per image
 * @param maxLogitError the largest |decrypted − plaintext| output over all images
 */
record EncryptedRun(List<Prediction> predictions, double maxLogitError) {
    /** Time the warm-up may take after its first inference. */
    static final long WARM_UP_MILLIS = 2000;
    /** Most warm-up inferences. */
    static final int WARM_UP_MAX = 10;

    /** One image: its label (−1 if unknown), the decrypted and the plaintext class, the server time. */
    record Prediction(int label, int encrypted, int plaintext, double millis) {
    }

    static EncryptedRun of(Network net, HePlan plan, LabeledImages images, int threads, Progress progress) {
        List<Prediction> rows = new ArrayList<>();
        double worst = 0;
        progress.start(net.name() + ": keys and warm-up inferences", 1);
        try (Inference inference = Inference.start(plan, threads)) {
            if (images.size() > 0) { // untimed: compiles the hot paths, as a running service would have
                long start = System.nanoTime();
                for (int w = 0; w < WARM_UP_MAX && (w == 0 || System.nanoTime() - start < WARM_UP_MILLIS * 1_000_000L); w++) {
                    inference.single(images.images()[0]);
                }
            }
            progress.advance();
            progress.finish();
            progress.start(net.name() + ": encrypted", images.size());
            for (int i = 0; i < images.size(); i++) {
                double[] image = images.images()[i];
                double[] plain = ReferenceEvaluator.evaluate(net, image);
                Inference.Result r = inference.single(image);
                double[] got = r.outputs()[0];
                for (int j = 0; j < plain.length; j++) {
                    worst = Math.max(worst, Math.abs(got[j] - plain[j]));
                }
                rows.add(new Prediction(images.labels()[i], Harness.argmax(got), Harness.argmax(plain), r.serverMillis()));
                progress.advance();
            }
            progress.finish();
        }
        return new EncryptedRun(rows, worst);
    }

    /** Share of decrypted predictions equal to the label. */
    double accuracy() {
        return predictions.stream().filter(p -> p.encrypted == p.label).count() / (double) predictions.size();
    }

    /** Share of decrypted predictions equal to the plaintext model's. */
    double agreement() {
        return predictions.stream().filter(p -> p.encrypted == p.plaintext).count() / (double) predictions.size();
    }

    /** Mean server time per image. */
    double millisPerImage() {
        return predictions.stream().mapToDouble(Prediction::millis).average().orElse(Double.NaN);
    }

    /** Whether the encrypted predictions agree with the plaintext ones on at least 99.5 % of the images (as the harness asks). */
    boolean agrees() {
        return agreement() >= 0.995;
    }
}
