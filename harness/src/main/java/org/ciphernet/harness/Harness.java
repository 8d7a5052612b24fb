package org.ciphernet.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.Inference;
import org.ciphernet.nn.Mode;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.RunReport;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.model.UnsupportedLayerException;
import org.ciphernet.nn.onnx.OnnxImporter;

/**
 * Runs one trained model on real test images, in plain doubles and encrypted: imports the ONNX
 * file, compiles it (128-bit secure parameters, single-image mode), generates keys, and for each of
 * the first K test images encrypts, evaluates on the server with evaluation keys only, decrypts and
 * compares with the plaintext model. The encrypted runs go through {@link Inference}, as the
 * {@code demo} and {@code infer} commands do.
 * Every result carries a {@link MarginCertificate}: which images of the plaintext pass provably keep
 * their class under encryption, by the error measured on the encrypted sample and by the plan's
 * predicted error.
 */
public final class Harness {
    private Harness() {
    }

    /**
     * Options of a run.
     *
     * @param encryptedImages test images encrypted per model (the first ones)
     * @param plaintextOnAll whether the plaintext pass covers the whole test set
     * @param threads server threads
     * @param batched whether the encrypted pass packs one image per slot (CryptoNets-style batches of
     *     up to N/2 images; latency is then the batch time divided by its images) instead of
     *     encrypting each image alone
     * @param unbatchedImages with {@code batched}, the images encrypted one by one instead for a model
     *     whose batched plan does not fit the heap (with {@code packed}: the sample encrypted
     *     when the whole test set would take longer than {@code minutesPerModel})
     * @param packed encrypt in a packed plan (several images side by side per ciphertext); with
     *     {@code batched}, only a model whose batched plan does not fit the heap (instead of image
     *     by image)
     * @param minutesPerModel with {@code packed}: the longest a model's packed pass may take;
     *     beyond it (judged after the first ciphertext) only {@code unbatchedImages} are encrypted
     * @param remote where the encrypted pass runs if not in this JVM (then single-image, or batched
     *     with {@code batched}; {@code packed} and the time budget do not apply)
     */
    public record Options(int encryptedImages, boolean plaintextOnAll, int threads, boolean batched, int unbatchedImages,
            boolean packed, double minutesPerModel, Optional<RemotePass> remote) {
        /** Validates the counts. */
        public Options {
            if (encryptedImages < 1 || threads < 1 || unbatchedImages < 1 || !(minutesPerModel > 0)) {
                throw new IllegalArgumentException("need at least one encrypted image, one thread and a positive time per model");
            }
            java.util.Objects.requireNonNull(remote, "remote");
        }

        /** Options of an encrypted pass in this JVM. */
        public Options(int encryptedImages, boolean plaintextOnAll, int threads, boolean batched, int unbatchedImages,
                boolean packed, double minutesPerModel) {
            this(encryptedImages, plaintextOnAll, threads, batched, unbatchedImages, packed, minutesPerModel, Optional.empty());
        }

        /** These options with the encrypted pass run by {@code pass}. */
        public Options withRemote(RemotePass pass) {
            return new Options(encryptedImages, plaintextOnAll, threads, batched, unbatchedImages, packed, minutesPerModel,
                    Optional.of(pass));
        }

        /** Options without the packed fallback. */
        public Options(int encryptedImages, boolean plaintextOnAll, int threads, boolean batched, int unbatchedImages) {
            this(encryptedImages, plaintextOnAll, threads, batched, unbatchedImages, false, Double.MAX_VALUE);
        }

        /** Single-image options. */
        public Options(int encryptedImages, boolean plaintextOnAll, int threads) {
            this(encryptedImages, plaintextOnAll, threads, false, encryptedImages);
        }

        /**
         * Whole test sets: plaintext and encrypted on every image, in the cheapest mode that fits
         * this machine (batched when its plan fits the heap, else packed), a model whose packed pass
         * would take longer than {@code minutesPerModel} encrypting its first {@code sample} images.
         */
        public static Options wholeTestSets(int threads, int sample, double minutesPerModel) {
            return new Options(Integer.MAX_VALUE, true, threads, true, sample, true, minutesPerModel);
        }
    }

    /**
     * Evaluates a model of the manifest, or an ensemble of them ({@link #ensemble}); {@code testdata}
     * is the repository's testdata folder.
     */
    public static CaseResult evaluate(Manifest.Model model, Path testdata, Options options, Progress progress) throws IOException {
        List<Network> nets = new ArrayList<>();
        try {
            for (String file : model.file().split("\\+")) {
                nets.add(OnnxImporter.read(testdata.resolve("models").resolve(file)));
            }
        } catch (UnsupportedLayerException e) {
            return CaseResult.unsupported(model, e.getMessage());
        }
        LabeledImages test = Datasets.test(model.dataset(), testdata);
        return model.isEnsemble() ? ensemble(model, nets, test, options, progress) : evaluate(model, nets.get(0), test, options, progress);
    }

    /**
     * Evaluates an ensemble in free slots (Chielle et al. 2025): its members side by side in the
     * ciphertexts of one single-image plan, a technique of single-image plans, so it runs
     * single-image whatever the options (in a run of whole test sets, on the first
     * {@code unbatchedImages}); then the first member alone, single-image on the same images, and
     * every member's plaintext accuracy, for the ensemble's gain and cost.
     */
    static CaseResult ensemble(Manifest.Model model, List<Network> members, LabeledImages test, Options options, Progress progress) {
        int k = options.batched() || options.packed() ? Math.min(options.encryptedImages(), options.unbatchedImages())
                : options.encryptedImages();
        Options single = new Options(k, options.plaintextOnAll(), options.threads());
        CaseResult r = evaluate(model, Network.ensemble(model.name(), members), test, single, progress);
        LabeledImages plainSet = options.plaintextOnAll() ? test : test.first(k);
        List<Double> accuracies = new ArrayList<>();
        for (Network m : members) {
            progress.start(model.name() + ": plaintext, " + m.name() + " alone", plainSet.size());
            int correct = 0;
            for (int i = 0; i < plainSet.size(); i++) {
                correct += argmax(ReferenceEvaluator.evaluate(m, plainSet.images()[i])) == plainSet.labels()[i] ? 1 : 0;
                progress.advance();
            }
            progress.finish();
            accuracies.add((double) correct / plainSet.size());
        }
        int n = Math.min(k, test.size());
        try (Inference first = Inference.start(Compiler.compile(members.get(0), CompileOptions.singleImage()), options.threads())) {
            progress.start(model.name() + ": encrypted, " + model.members().get(0) + " alone", n);
            first.single(test.images()[0]); // untimed, as the ensemble's first image runs inspected before its timed runs
            double millis = 0;
            for (int i = 0; i < n; i++) {
                millis += first.single(test.images()[i]).serverMillis();
                progress.advance();
            }
            progress.finish();
            PlanReport rep = first.plan().report();
            return r.withMembers(new CaseResult.Members(model.members(), accuracies, millis / n, rep.rotations(), rep.keySwitches(),
                    rep.parameters()));
        }
    }

    /** Evaluates an imported network on labelled images. */
    public static CaseResult evaluate(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress) {
        LabeledImages plainSet = options.plaintextOnAll() ? test : test.first(options.encryptedImages());
        int k = Math.min(options.encryptedImages(), test.size());
        double[][] reference = new double[k][]; // plaintext logits of the images that are also encrypted
        int[] plain = new int[plainSet.size()];
        MarginCertificate.Builder certificate = new MarginCertificate.Builder(test.images(), plain.length);
        int correct = 0;
        ValueRanges.Builder ranges = new ValueRanges.Builder(net);
        progress.start(model.name() + ": plaintext", plainSet.size());
        for (int i = 0; i < plain.length; i++) {
            double[] logits;
            if (i < ValueRanges.IMAGES) {
                Map<String, double[]> all = ReferenceEvaluator.evaluateAll(net, plainSet.images()[i]);
                ranges.add(all);
                logits = all.get(net.output().name());
            } else {
                logits = ReferenceEvaluator.evaluate(net, plainSet.images()[i]);
            }
            if (i < k) {
                reference[i] = logits;
            }
            plain[i] = argmax(logits);
            certificate.margin(i, logits);
            correct += plain[i] == plainSet.labels()[i] ? 1 : 0;
            progress.advance();
        }
        progress.finish();
        return encrypted(model, net, test, options, progress, plain, plainSet.size(), (double) correct / plain.length, reference, k,
                certificate).withRanges(ranges.build());
    }

    /** The encrypted pass, in the mode the options ask for and the plan's size allows. */
    private static CaseResult encrypted(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress,
            int[] plain, int plainImages, double plainAccuracy, double[][] reference, int k, MarginCertificate.Builder certificate) {
        String note = "";
        if (options.remote().isPresent()) {
            return remote(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate);
        }
        if (!options.batched() && options.packed()) {
            return packed(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate, "");
        }
        if (options.batched()) {
            try {
                return batched(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate);
            } catch (IllegalStateException tooLarge) { // the server refuses plans beyond the heap: fall back
                progress.finish();
                if (options.packed()) {
                    return packed(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate,
                            " (batched: " + tooLarge.getMessage() + ")");
                }
                k = Math.min(k, options.unbatchedImages());
                note = ", single-image (batched: " + tooLarge.getMessage() + ")";
            }
        }
        Tally tally = new Tally(model, plainAccuracy, plainImages, certificate);
        try (Inference inference = compileAndKeys(model, net, CompileOptions.singleImage(), options.threads(), progress, tally)) {
            progress.start(model.name() + ": encrypted", k);
            for (int i = 0; i < k; i++) {
                double[] image = test.images()[i];
                if (i == 0) {
                    // the inspected run decrypts every step; the timed run below does not
                    tally.layers(inference.single(image, inference.inspector(net, image)).report());
                }
                Inference.Result r = inference.single(image);
                tally.image(test.labels()[i], plain[i], reference[i], r.outputs()[0], r.serverMillis());
                progress.advance();
            }
            progress.finish();
            return tally.result(inference, note);
        }
    }

    /** What the encrypted pass measured so far, image by image. */
    private static final class Tally {
        private final Manifest.Model model;
        private final double plainAccuracy;
        private final int plainImages;
        private final MarginCertificate.Builder certificate;
        private final List<CaseResult.Prediction> predictions = new ArrayList<>();
        private final List<CaseResult.Layer> layers = new ArrayList<>();
        private double worst;
        private double totalMillis;
        private int correct;
        private int agree;

        Tally(Manifest.Model model, double plainAccuracy, int plainImages, MarginCertificate.Builder certificate) {
            this.model = model;
            this.plainAccuracy = plainAccuracy;
            this.plainImages = plainImages;
            this.certificate = certificate;
        }

        /** The per-step time and precision of an (inspected) run. */
        void layers(RunReport report) {
            for (RunReport.Row row : report.rows()) {
                layers.add(new CaseResult.Layer(row.layers(), row.kind(), row.millis(), row.errorBits().orElse(Double.NaN)));
            }
        }

        /** One decrypted image against its label and plaintext prediction and logits. */
        void image(int label, int plain, double[] want, double[] got, double millis) {
            for (int j = 0; j < want.length; j++) {
                worst = Math.max(worst, Math.abs(got[j] - want[j]));
            }
            int enc = argmax(got);
            predictions.add(new CaseResult.Prediction(label, plain, enc, millis));
            totalMillis += millis;
            correct += enc == label ? 1 : 0;
            agree += enc == plain ? 1 : 0;
        }

        CaseResult result(Inference inference, String note) {
            return result(inference.plan(), inference.serverSetupMillis(), note);
        }

        CaseResult result(HePlan plan, double serverSetupMillis, String note) {
            int k = predictions.size();
            PlanReport rep = plan.report();
            return new CaseResult(model, plainAccuracy, plainImages, (double) correct / k, k, (double) agree / k, worst,
                    totalMillis / k, plan.depth(), rep.rotations(), rep.keySwitches(),
                    rep.galoisKeyBytes() + rep.relinearizationKeyBytes(), rep.parameters() + note, layers, predictions,
                    Optional.empty(), Optional.of(certificate.certify(worst))).withWeights(weights(plan, serverSetupMillis))
                    .withTower(TowerReuse.of(plan.parameters()));
        }
    }

    /** The plan's encoded weights: diagonals in a plan that rotates, weighted-sum terms in a batched one. */
    private static CaseResult.Weights weights(HePlan plan, double serverSetupMillis) {
        org.ciphernet.nn.plan.PlaintextCounts c = plan.plaintexts();
        boolean rotates = plan.mode().rotates();
        return new CaseResult.Weights(rotates ? c.diagonals() : c.weightedTerms(), rotates ? c.distinctDiagonals() : c.distinctRowWeights(),
                serverSetupMillis);
    }

    /**
     * The encrypted pass run elsewhere ({@link Options#remote()}): this JVM compiles, makes the keys,
     * encrypts the first {@code k} images (one per query, or batches with {@code batched}) and
     * decrypts; the pass evaluates. Latency per image is the pass's wall time over its images (a
     * throughput figure: the pass runs many queries at once); no step is inspected.
     */
    private static CaseResult remote(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress,
            int[] plain, int plainImages, double plainAccuracy, double[][] reference, int k, MarginCertificate.Builder certificate) {
        RemotePass pass = options.remote().orElseThrow();
        Tally tally = new Tally(model, plainAccuracy, plainImages, certificate);
        progress.start(model.name() + ": compile, noise estimate and keys", 3);
        HePlan plan = Compiler.compile(net, options.batched() ? CompileOptions.batched() : CompileOptions.singleImage());
        progress.advance();
        certificate.estimate(plan);
        progress.advance();
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        EvaluationKeys keys = client.evaluationKeys();
        progress.advance();
        progress.finish();
        int per = plan.mode() == Mode.BATCHED ? plan.context().slots() : 1;
        int queries = (k + per - 1) / per;
        double[][][] logits = new double[queries][][];
        double millis = pass.evaluate(plan, keys, queries, q -> {
            int from = q * per;
            double[][] images = java.util.Arrays.copyOfRange(test.images(), from, Math.min(k, from + per));
            return per == 1 ? client.encrypt(images[0]) : client.encryptBatch(images);
        }, (answer, q) -> logits[q] = per == 1 ? new double[][] {client.decrypt(answer)} : client.decryptBatch(answer), progress);
        for (int q = 0; q < queries; q++) {
            for (int b = 0; b < logits[q].length; b++) {
                int i = q * per + b;
                tally.image(test.labels()[i], plain[i], reference[i], logits[q][b], millis / k);
            }
        }
        return tally.result(plan, Double.NaN, String.format(java.util.Locale.ROOT, "%s, through %s: %.2f images/s",
                per == 1 ? "" : ", batched", pass.name(), k / (millis / 1000)));
    }

    /**
     * Compiles, predicts the plan's output error for the tally's certificate (before the run's keys
     * exist: the estimate makes its own), makes a client with fresh keys and a server with its
     * evaluation keys.
     */
    private static Inference compileAndKeys(Manifest.Model model, Network net, CompileOptions options, int threads,
            Progress progress, Tally tally) {
        progress.start(model.name() + ": compile, noise estimate and keys", 3);
        HePlan plan = Compiler.compile(net, options);
        progress.advance();
        tally.certificate.estimate(plan);
        progress.advance();
        Inference inference = Inference.start(plan, threads);
        progress.advance();
        progress.finish();
        return inference;
    }

    /** The encrypted pass in batches of one image per slot. */
    private static CaseResult batched(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress,
            int[] plain, int plainImages, double plainAccuracy, double[][] reference, int k, MarginCertificate.Builder certificate) {
        return inGroups(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate,
                CompileOptions.batched(), ", batched", false);
    }

    /**
     * The encrypted pass in a packed plan, k images per ciphertext. After the first ciphertext the
     * pass is cut to the first {@code options.unbatchedImages()} images (rounded up to whole
     * ciphertexts) if all {@code k} would take longer than {@code options.minutesPerModel()}.
     */
    private static CaseResult packed(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress,
            int[] plain, int plainImages, double plainAccuracy, double[][] reference, int k, MarginCertificate.Builder certificate,
            String why) {
        return inGroups(model, net, test, options, progress, plain, plainImages, plainAccuracy, reference, k, certificate,
                CompileOptions.packed(), why, true);
    }

    /**
     * The encrypted pass in groups of as many images as one evaluation serves
     * ({@link HePlan#imagesPerCiphertext()}: a batch, or a packed ciphertext); the first group is
     * also run inspected. With {@code timeBudget}, the pass is cut after the first group as
     * {@link #packed} says.
     */
    private static CaseResult inGroups(Manifest.Model model, Network net, LabeledImages test, Options options, Progress progress,
            int[] plain, int plainImages, double plainAccuracy, double[][] reference, int k, MarginCertificate.Builder certificate,
            CompileOptions compileOptions, String why, boolean timeBudget) {
        Tally tally = new Tally(model, plainAccuracy, plainImages, certificate);
        try (Inference inference = compileAndKeys(model, net, compileOptions, options.threads(), progress, tally)) {
            int per = inference.plan().imagesPerCiphertext();
            boolean packedPlan = inference.plan().mode() == Mode.PACKED;
            String note = packedPlan ? ", packed, " + per + " images per ciphertext" + why : why;
            progress.start(model.name() + (packedPlan ? ": encrypted, " + per + " images per ciphertext"
                    : ": encrypted batches of up to " + per), k);
            for (int from = 0; from < k; from += per) {
                int n = Math.min(per, k - from);
                double[][] images = java.util.Arrays.copyOfRange(test.images(), from, from + n);
                if (from == 0) {
                    // the inspected run decrypts every step of every image; the timed run below does not
                    tally.layers(inference.batch(images, inference.inspector(net, images)).report());
                }
                Inference.Result r = inference.batch(images);
                for (int b = 0; b < n; b++) {
                    int i = from + b;
                    tally.image(test.labels()[i], plain[i], reference[i], r.outputs()[b], r.serverMillis() / n);
                    progress.advance();
                }
                double minutes = r.serverMillis() * Math.ceil((double) k / per) / 60000;
                if (timeBudget && from == 0 && minutes > options.minutesPerModel() && k > options.unbatchedImages()) {
                    int sample = Math.min(k, (options.unbatchedImages() + per - 1) / per * per);
                    note += String.format(java.util.Locale.ROOT, "; all %d images would take about %.0f min, more than %.0f: the first %d",
                            k, minutes, options.minutesPerModel(), sample);
                    k = sample;
                    progress.finish();
                    progress.start(model.name() + ": encrypted sample, " + per + " images per ciphertext", k - n);
                }
            }
            progress.finish();
            return tally.result(inference, note);
        }
    }

    /** The index of the largest value. */
    public static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
