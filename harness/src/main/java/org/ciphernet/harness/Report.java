package org.ciphernet.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the harness results: {@code report.md} (one table per case table, with its margin
 * certificate and the answer to its question), {@code results.csv} (one row per model) and PNG
 * plots ({@link Plots}).
 */
public final class Report {
    private Report() {
    }

    /**
     * Writes the report files into a folder and returns the Markdown; {@code zoo} is the whole
     * manifest, for the seed comparison of the architectures trained with several seeds.
     */
    public static String write(Path dir, List<Manifest.Table> tables, Map<String, CaseResult> results, List<Manifest.Model> zoo,
            String command, Harness.Options options) throws IOException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder();
        md.append("# Ciphernet reproducibility harness\n\n");
        md.append("Command: `").append(command).append("`  \n");
        md.append(String.format(Locale.ROOT, "Encrypted images per model: %s; plaintext accuracy on %s; "
                + "%d server thread(s); %s, %d cores, Java %s.%n%n",
                options.packed() && options.batched() ? String.format(Locale.ROOT, "the whole test set, one image per slot in batches "
                        + "(latency = batch time / images); where the batched plan does not fit the heap, in a packed plan (several "
                        + "images side by side per ciphertext, latency = ciphertext time / images), and where that would take more "
                        + "than %.0f minutes, the first %d images (the parameters column says which)", options.minutesPerModel(),
                        options.unbatchedImages())
                : options.packed() ? String.format(Locale.ROOT, "up to %d (the first of each test set), several side by side "
                        + "per ciphertext in a packed plan, latency = ciphertext time / images", options.encryptedImages())
                : options.batched() ? String.format(Locale.ROOT, "up to %d (the first of each test set), one image per slot in "
                        + "batches, latency = batch time / images; where the batched plan does not fit the heap, the first %d "
                        + "one by one (the per-layer section names these)", options.encryptedImages(), options.unbatchedImages())
                        : options.encryptedImages() + " (the first of each test set)",
                options.plaintextOnAll() ? "the whole test set" : "the same images", options.threads(),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        md.append("PyTorch: float32 accuracy recorded at training on the whole test set. Plain: our double-precision evaluation "
                + "of the imported ONNX model. Encrypted: decrypted predictions. Agreement: encrypted prediction = plaintext "
                + "prediction (required ≥ 99.5 %). Error: largest |decrypted − plaintext| logit. Latency: server time per "
                + "image. Keys: Galois + relinearization key memory.\n\n");
        options.remote().ifPresent(pass -> md.append("Encrypted pass: evaluated by ").append(pass.name()).append(" (this JVM "
                + "compiles, makes the keys, encrypts and decrypts; the job sees only the plan, the evaluation keys and the queries). "
                + "Latency there is the job's wall time over its images, a throughput figure for all its cores at once; no step is "
                + "inspected.\n\n"));
        md.append(CERTIFICATE_LEGEND);
        md.append(" The predicted bound holds for images like the test images (the range column): synthetic images spread "
                + "over the plan's declared range drive a polynomial network's values, and its error, far beyond real ones.");
        md.append("\n\n");
        for (Manifest.Table t : tables) {
            md.append("## ").append(t.title()).append("\n\n");
            md.append("| model | PyTorch acc. | plain acc. | encrypted acc. | agreement | max logit error | latency / image | levels | rotations | key switches | keys |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            List<CaseResult> rows = new ArrayList<>();
            for (String name : t.models()) {
                CaseResult r = results.get(name);
                if (r == null) {
                    continue;
                }
                rows.add(r);
                if (r.unsupported().isPresent()) {
                    md.append(String.format(Locale.ROOT, "| %s | %.2f %% | not HE-evaluable: %s | | | | | | | | |%n", name,
                            100 * r.model().plaintextAccuracy(), firstSentence(r.unsupported().get())));
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %.2f %% | %.2f %% (%d) | %.2f %% (%d) | %.1f %% | %.2g | %.0f ms | %d | %d | %d | %.0f MiB |%n",
                        name, 100 * r.model().plaintextAccuracy(), 100 * r.plaintextAccuracy(), r.plaintextImages(),
                        100 * r.encryptedAccuracy(), r.encryptedImages(), 100 * r.agreement(), r.maxLogitError(),
                        r.millisPerImage(), r.levels(), r.rotations(), r.keySwitches(), r.keyBytes() / 1048576.0));
            }
            md.append('\n');
            ensembles(rows, md);
            if (t.id().equals("clustering")) {
                clustering(rows, md);
            }
            ranges(rows, md);
            towers(rows, md);
            certificates(dir, rows, md);
            if (t.question() != null && !t.question().isBlank()) {
                md.append("**").append(t.question()).append("** ").append(answer(t, results, zoo)).append("\n\n");
            }
            if (!rows.isEmpty()) {
                Plots.accuracy(dir.resolve(t.id() + "-accuracy.png"), t.title(), rows);
                md.append("![accuracy](").append(t.id()).append("-accuracy.png)\n\n");
            }
        }
        seeds(dir, zoo, md);
        md.append("## Per-layer time and precision (first encrypted image)\n\n");
        for (CaseResult r : results.values()) {
            if (r.unsupported().isEmpty() && !r.layers().isEmpty()) {
                Plots.layers(dir, r);
                String n = r.model().name();
                md.append("- ").append(n).append(" (").append(r.parameters()).append("): ![time](").append(n)
                        .append("-time.png) ![precision](").append(n).append("-precision.png)\n");
            } else if (r.unsupported().isEmpty()) {
                md.append("- ").append(r.model().name()).append(" (").append(r.parameters()).append("): not inspected\n");
            }
        }
        Files.writeString(dir.resolve("report.md"), md.toString());
        Files.writeString(dir.resolve("results.csv"), csv(results));
        return md.toString();
    }

    static final String CERTIFICATE_LEGEND = "Margin certificate: an image's margin is its plaintext top-1 minus top-2 logit; "
            + "if no logit moves by more than a bound b under encryption, an image whose margin exceeds 2b provably keeps its "
            + "class. Observed bound: " + (int) MarginCertificate.OBSERVED_FACTOR + " × the max logit error of the encrypted "
            + "sample (a safety factor over a sample). Predicted bound: the plan's own noise on the last "
            + MarginCertificate.SAMPLE + " test images (throwaway keys; the imaginary parts at the output slots, which a "
            + "real-valued network leaves pure error, × 4), with no plaintext reference and independent of the sample. Certified: share of "
            + "the plaintext pass whose margin exceeds 2 × the bound.";

    /** The margin certificates of a table's rows: a table and a sorted-margin plot per model. */
    static void certificates(Path dir, List<CaseResult> rows, StringBuilder md) throws IOException {
        List<CaseResult> certified = rows.stream().filter(r -> r.certificate().isPresent()).toList();
        if (certified.isEmpty()) {
            return;
        }
        md.append("Margin certificate:\n\n");
        md.append("| model | plaintext images | encrypted sample | observed bound | certified (observed) | predicted bound "
                + "| certified (predicted) | estimate range |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        StringBuilder plots = new StringBuilder();
        for (CaseResult r : certified) {
            MarginCertificate c = r.certificate().get();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3g | %s | %.3g | %s | %s |%n", r.model().name(), c.images(),
                    r.encryptedImages(), c.observedBound(), percent(c.certifiedObserved()), c.predictedBound(),
                    percent(c.certifiedPredicted()), c.estimateRange() + (c.rangeFromImages() ? " (test images)" : " (declared)")));
            String png = r.model().name() + "-margins.png";
            Plots.margins(dir.resolve(png), r.model().name(), c);
            plots.append("![margins](").append(png).append(") ");
        }
        md.append('\n').append(plots.toString().strip()).append("\n\n");
    }

    /**
     * The ensembles of a table against their members: plaintext accuracy of every member and of the
     * ensemble on the same images, and the latency and rotations of the first member alone.
     */
    static void ensembles(List<CaseResult> rows, StringBuilder md) {
        List<CaseResult> ensembles = rows.stream().filter(r -> r.ensemble().isPresent()).toList();
        if (ensembles.isEmpty()) {
            return;
        }
        md.append("Ensembles against their members (plaintext accuracy on the same images; single-image latency on the same "
                + "encrypted images):\n\n");
        md.append("| ensemble | members' plain acc. | ensemble plain acc. | gain over the mean / best member | latency: one member → "
                + "ensemble | rotations: one member → ensemble | same parameters |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (CaseResult r : ensembles) {
            CaseResult.Members m = r.ensemble().get();
            double mean = m.plaintextAccuracies().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double best = m.plaintextAccuracies().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            StringBuilder accs = new StringBuilder();
            for (double a : m.plaintextAccuracies()) {
                accs.append(accs.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f %%", 100 * a));
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f %% | %+.2f / %+.2f points | %.0f → %.0f ms (%.2f×) | %d → %d | %s |%n",
                    r.model().name(), accs, 100 * r.plaintextAccuracy(), 100 * (r.plaintextAccuracy() - mean),
                    100 * (r.plaintextAccuracy() - best), m.firstMillisPerImage(), r.millisPerImage(),
                    r.millisPerImage() / m.firstMillisPerImage(), m.firstRotations(), r.rotations(),
                    m.firstParameters().equals(r.parameters()) ? "yes" : "no: " + m.firstParameters()));
        }
        md.append('\n');
    }

    /**
     * Parameter clustering (Chielle et al. 2025): how many of the plan's plaintext operands are
     * distinct, and the server's start-up, against the clusters per layer.
     */
    static void clustering(List<CaseResult> rows, StringBuilder md) {
        md.append("Weights (single-image: diagonals, each encoded once per distinct value; batched: weighted-sum terms, and the "
                + "distinct weights per row, the products by constants a grouped sum makes): \n\n");
        md.append("| model | clusters per layer | plaintext operands | distinct | server start-up (keys + encoding) | latency / image |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (CaseResult r : rows) {
            r.weights().ifPresent(w -> md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %.0f ms |%n",
                    r.model().name(), r.model().clusters() == 0 ? "none" : Integer.toString(r.model().clusters()), w.operands(),
                    w.distinct(), Double.isNaN(w.setupMillis()) ? "not here (a remote pass)" : String.format(Locale.ROOT, "%.0f ms",
                            w.setupMillis()), r.millisPerImage())));
        }
        md.append('\n');
    }

    /**
     * The value ranges of a table's models (weight redistribution, Chielle et al. 2025): integer
     * bits the widest intermediate value and the output need.
     */
    static void ranges(List<CaseResult> rows, StringBuilder md) {
        List<CaseResult> measured = rows.stream().filter(r -> r.ranges().isPresent()).toList();
        if (measured.isEmpty()) {
            return;
        }
        md.append("Value ranges (weight redistribution, Chielle et al. 2025): the largest magnitudes over the first test images, "
                + "and the integer bits (sign included) each needs above the scale. A chain whose every level is only just above "
                + "the scale must hold the widest value, which redistribution brings down to the output's need; ours keep a "
                + "whole prime of headroom at every level above the last, so only the output needs integer bits (10 by default).\n\n");
        md.append("| model | images | widest intermediate value (layer) | its integer bits | largest output | output's integer bits "
                + "| bits redistribution saves in a tight chain |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (CaseResult r : measured) {
            ValueRanges v = r.ranges().get();
            int wide = ValueRanges.integerBits(v.widest());
            int out = ValueRanges.integerBits(v.output());
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f (%s) | %d | %.1f | %d | %d |%n", r.model().name(), v.images(), v.widest(),
                    v.widestLayer(), wide, v.output(), out, Math.max(0, wide - out)));
        }
        md.append('\n');
    }

    /** Tower reuse (Chielle et al. 2025) for the chains of a table's plans. */
    static void towers(List<CaseResult> rows, StringBuilder md) {
        List<CaseResult> chains = rows.stream().filter(r -> r.tower().isPresent()).toList();
        if (chains.isEmpty()) {
            return;
        }
        md.append("Tower reuse (Chielle et al. 2025: primes of twice the scale, each absorbing two rescalings): our moduli take "
                + "the vector path below 2^50 (a tower prime only for scales up to 2^25) and the scalar 64-bit path up to 2^61, "
                + "whose NTT bench/RESULTS.md measures at about 7× the vector one:\n\n");
        md.append("| model | scale | primes of Q | with tower reuse | verdict |\n");
        md.append("|---|---|---|---|---|\n");
        for (CaseResult r : chains) {
            TowerReuse t = r.tower().get();
            md.append(String.format(Locale.ROOT, "| %s | 2^%d | %d | %d of up to %d bits | %s |%n", r.model().name(), t.scaleBits(),
                    t.qPrimes(), t.towerQPrimes(), t.towerPrimeBits(), t.verdict()));
        }
        md.append('\n');
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.2f %%", 100 * share);
    }

    /** The seed comparison: a table and a bar chart of the architectures trained with more than one seed. */
    static void seeds(Path dir, List<Manifest.Model> zoo, StringBuilder md) throws IOException {
        Map<String, List<Manifest.Model>> byArchitecture = new java.util.LinkedHashMap<>();
        for (Manifest.Model m : zoo) {
            byArchitecture.computeIfAbsent(m.architecture(), a -> new ArrayList<>()).add(m);
        }
        byArchitecture.values().removeIf(l -> l.size() < 2);
        if (byArchitecture.isEmpty()) {
            return;
        }
        byArchitecture.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(Manifest.Model::seed)));
        Files.createDirectories(dir);
        md.append("## Seed comparison\n\n");
        md.append("PyTorch float32 accuracy on the whole test set, recorded at training, for every seed trained "
                + "(`train.py <model> --seed S`); the tables above use seed 1.\n\n");
        md.append("| architecture | accuracy per seed | mean | spread (max − min) |\n|---|---|---|---|\n");
        for (var e : byArchitecture.entrySet()) {
            StringBuilder per = new StringBuilder();
            double sum = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Manifest.Model m : e.getValue()) {
                double a = 100 * m.plaintextAccuracy();
                per.append(per.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "seed %d: %.2f %%", m.seed(), a));
                sum += a;
                lo = Math.min(lo, a);
                hi = Math.max(hi, a);
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f %% | %.2f points |%n", e.getKey(), per,
                    sum / e.getValue().size(), hi - lo));
        }
        Plots.seeds(dir.resolve("seeds.png"), byArchitecture);
        md.append("\n![seeds](seeds.png)\n\n");
    }

    /** The D&amp;Z question: compute ratio reference / Dirac+shared and the accuracy gap. */
    static String answer(Manifest.Table t, Map<String, CaseResult> results, List<Manifest.Model> zoo) {
        if (t.id().equals("ensembles")) {
            return ensembleAnswer(t, results);
        }
        if (t.id().equals("she")) {
            return sheAnswer(t, results);
        }
        if (!t.id().equals("drucker-zimerman")) {
            return "";
        }
        CaseResult ref = results.get("resnet-residual");
        CaseResult shared = results.get("resnet-shared");
        if (ref == null || shared == null || ref.unsupported().isPresent() || shared.unsupported().isPresent()) {
            return "Not measured (a variant is missing).";
        }
        double latency = ref.millisPerImage() / shared.millisPerImage();
        double switches = (double) ref.keySwitches() / shared.keySwitches();
        double gap = 100 * (ref.model().plaintextAccuracy() - shared.model().plaintextAccuracy());
        boolean yes = latency >= 1.3 && gap <= 0.5;
        double[] refSeeds = seedAccuracies(zoo, "resnet-residual");
        double[] sharedSeeds = seedAccuracies(zoo, "resnet-shared");
        String seeds = "";
        if (refSeeds.length > 1 && sharedSeeds.length > 1) {
            double meanGap = 100 * (mean(refSeeds) - mean(sharedSeeds));
            seeds = String.format(Locale.ROOT, " Over %d and %d seeds the mean gap is %.2f points.", refSeeds.length,
                    sharedSeeds.length, meanGap);
            yes = yes && meanGap <= 0.5;
        }
        return String.format(Locale.ROOT, "Measured: the reference takes %.2f× the latency and %.2f× the key switches of "
                + "Dirac + shared-source; the accuracy gap (PyTorch, whole test set, seed 1) is %.2f points.%s %s", latency, switches,
                gap, seeds, yes ? "Yes." : "No, not in this measurement.");
    }

    /**
     * SHE's published MNIST row (Lou & Jiang, NeurIPS 2019, Table 4 and Section 4), for the
     * comparison with our x² LeNet-5.
     */
    static final String SHE_ROW = "SHE (Lou & Jiang 2019, Table 4) reports 99.54 % on MNIST at 9.3 s per image: leveled TFHE "
            + "(152-bit security), exact ReLU and max pooling on 5-bit fixed-point values with power-of-two weights, a "
            + "CryptoNets-shaped network, one image per inference, on an Intel Xeon E7-4850 with 1 TB of memory, trained and "
            + "tested on the full MNIST (60,000 / 10,000 images).";

    private static String sheAnswer(Manifest.Table t, Map<String, CaseResult> results) {
        StringBuilder measured = new StringBuilder();
        for (String name : t.models()) {
            CaseResult r = results.get(name);
            if (r != null && r.unsupported().isEmpty()) {
                measured.append(String.format(Locale.ROOT, " Measured here, %s: %.2f %% in plaintext (%d test images), %.2f %% "
                        + "encrypted (%d images) at %.0f ms per image (%s), 128-bit CKKS, %d levels; trained on the 8,000 digits "
                        + "of our MNIST split and tested on its 2,000 (a tenth of SHE's data), on this %d-core machine.", name,
                        100 * r.plaintextAccuracy(), r.plaintextImages(), 100 * r.encryptedAccuracy(), r.encryptedImages(),
                        r.millisPerImage(), r.parameters().contains(", packed") ? "packed: ciphertext time / images"
                                : r.parameters().contains(", batched") ? "batched: batch time / images" : "one image per inference",
                        r.levels(), Runtime.getRuntime().availableProcessors()));
            }
        }
        return SHE_ROW + (measured.length() == 0 ? " Not measured here." : measured.toString());
    }

    /** Latency ratios up to this count as "nearly no extra latency". */
    static final double ENSEMBLE_LATENCY_BOUND = 1.25;

    private static String ensembleAnswer(Manifest.Table t, Map<String, CaseResult> results) {
        StringBuilder measured = new StringBuilder();
        boolean yes = true;
        int n = 0;
        for (String name : t.models()) {
            CaseResult r = results.get(name);
            if (r == null || r.ensemble().isEmpty()) {
                continue;
            }
            CaseResult.Members m = r.ensemble().get();
            double mean = m.plaintextAccuracies().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double gain = 100 * (r.plaintextAccuracy() - mean);
            double ratio = r.millisPerImage() / m.firstMillisPerImage();
            yes &= gain > 0 && ratio <= ENSEMBLE_LATENCY_BOUND;
            n++;
            measured.append(String.format(Locale.ROOT, " %s: %+.2f points over its members' mean (%d plaintext images) at %.2f× one "
                    + "member's latency.", name, gain, r.plaintextImages(), ratio));
        }
        if (n == 0) {
            return "Not measured.";
        }
        return "Measured:" + measured + (yes ? " Yes." : String.format(Locale.ROOT, " Not for every ensemble (\"nearly no extra "
                + "latency\" taken as at most %.2f×).", ENSEMBLE_LATENCY_BOUND));
    }

    private static double[] seedAccuracies(List<Manifest.Model> zoo, String architecture) {
        return zoo.stream().filter(m -> m.architecture().equals(architecture)).mapToDouble(Manifest.Model::plaintextAccuracy).toArray();
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    static String csv(Map<String, CaseResult> results) {
        StringBuilder s = new StringBuilder("model,dataset,seed,pytorch_accuracy,plain_accuracy,plain_images,encrypted_accuracy,"
                + "encrypted_images,agreement,max_logit_error,ms_per_image,levels,rotations,key_switches,key_bytes,unsupported,"
                + "margin_images,observed_bound,certified_observed,predicted_bound,certified_predicted,estimate_min,estimate_max,"
                + "estimate_from_images\n");
        for (CaseResult r : results.values()) {
            s.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%d,%.4f,%d,%.4f,%.4g,%.1f,%d,%d,%d,%d,%s", r.model().name(),
                    r.model().dataset(), r.model().seed(), r.model().plaintextAccuracy(), r.plaintextAccuracy(), r.plaintextImages(),
                    r.encryptedAccuracy(), r.encryptedImages(), r.agreement(), r.maxLogitError(), r.millisPerImage(), r.levels(),
                    r.rotations(), r.keySwitches(), r.keyBytes(), r.unsupported().map(Report::csvText).orElse("")));
            s.append(r.certificate().map(c -> String.format(Locale.ROOT, ",%d,%.4g,%.4f,%.4g,%.4f,%s,%s,%b%n", c.images(), c.observedBound(),
                    c.certifiedObserved(), c.predictedBound(), c.certifiedPredicted(), c.estimateRange().min(), c.estimateRange().max(),
                    c.rangeFromImages())).orElse(String.format(",,,,,,,,%n")));
        }
        return s.toString();
    }

    private static String csvText(String s) {
        return '"' + firstSentence(s).replace("\"", "'") + '"';
    }

    private static String firstSentence(String s) {
        int colon = s.indexOf(": ");
        return colon > 0 ? s.substring(0, colon) : s;
    }
}
