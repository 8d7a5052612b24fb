package org.ciphernet.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ciphernet.harness.CaseResult;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.Manifest;
import org.ciphernet.harness.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ciphernet harness}: every case table of {@code testdata/harness/cases.json}, with a report. */
@Command(name = "harness", mixinStandardHelpOptions = true,
        description = "Runs the trained models on real test images, plaintext and encrypted, and writes report.md, results.csv and PNG plots.")
final class HarnessCommand implements Callable<Integer> {
    @Option(names = "--images", defaultValue = "4", description = "encrypted test images per model (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--full", description = "whole test sets, plaintext and encrypted, each model in the cheapest mode that fits "
            + "this machine (batched when its plan fits the heap, else packed); a model whose whole set would take longer than "
            + "--minutes-per-model encrypts --unbatched-images images, and its margin certificate covers the rest")
    boolean full;

    @Option(names = "--minutes-per-model", defaultValue = "20", description = "with --full: the longest a model's packed pass may take "
            + "(default ${DEFAULT-VALUE})")
    double minutesPerModel;

    @Option(names = "--batched", description = "encrypt one image per slot, in batches of up to N/2 images (CryptoNets-style), "
            + "instead of one image per inference: whole test sets in minutes for small networks; needs memory for "
            + "thousands of ciphertexts per layer")
    boolean batched;

    @Option(names = "--packed", description = "encrypt several images side by side per ciphertext (a packed plan: the one-image "
            + "layout repeated as often as the slots allow), --images per model")
    boolean packed;

    @Option(names = "--unbatched-images", defaultValue = "10", description = "with --batched: images encrypted one by one "
            + "for a model whose batched plan does not fit the heap; with --full: the sample of a model whose whole test set is "
            + "too slow (default ${DEFAULT-VALUE})")
    int unbatchedImages;

    @Option(names = "--threads", defaultValue = "2", description = "server threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "local[*]", paramLabel = "MASTER", description = "run the "
            + "encrypted pass as a Spark job (ciphernet spark) on MASTER (default local[*]): this JVM encrypts and decrypts, Spark "
            + "evaluates; single-image, or batched with --batched")
    String spark;

    @Option(names = "--out", defaultValue = "harness-report", description = "report folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--only", split = ",", description = "run only these models")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        List<Manifest.Model> models = Manifest.models(Home.testdata());
        List<Manifest.Table> tables = Manifest.tables(Home.testdata());
        Harness.Options options = full ? Harness.Options.wholeTestSets(threads, unbatchedImages, minutesPerModel)
                : new Harness.Options(images, false, threads, batched, unbatchedImages, packed, Double.MAX_VALUE);
        if (spark != null) {
            if (full || packed) {
                throw new UserError("--spark runs single-image (or --batched) passes of --images images; not with --full or --packed");
            }
            options = options.withRemote(new SparkPass(spark, Path.of(System.getProperty("java.io.tmpdir"))));
        }
        Map<String, CaseResult> results = new LinkedHashMap<>();
        for (Manifest.Table t : tables) {
            for (String name : t.models()) {
                if ((only == null || only.contains(name)) && !results.containsKey(name)) { // a model of two tables runs once
                    results.put(name, Harness.evaluate(Manifest.model(models, name), Home.testdata(), options, new BarProgress()));
                }
            }
        }
        String command = "./ciphernet harness" + (full ? " --full --unbatched-images " + unbatchedImages + " --minutes-per-model "
                + minutesPerModel : " --images " + images + (batched ? " --batched --unbatched-images " + unbatchedImages : "")
                + (packed ? " --packed" : ""))
                + (spark == null ? "" : " --spark " + spark)
                + " --threads " + threads
                + (only == null ? "" : " --only " + String.join(",", only));
        System.out.println(Report.write(out, tables, results, models, command, options));
        System.out.println("report written to " + out.toAbsolutePath());
        return results.values().stream().allMatch(CaseResult::agrees) ? 0 : 1;
    }
}
