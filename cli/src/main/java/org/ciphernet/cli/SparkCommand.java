package org.ciphernet.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.spark.DatasetException;
import org.ciphernet.spark.SparkJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet spark}: the server's side of a whole dataset. Evaluates a folder of encrypted
 * records ({@code client encrypt-dataset}) with a plan file and the client's evaluation keys on
 * Spark, embedded {@code local[*]} by default, and writes the encrypted answers under the same ids.
 * Under {@code spark-submit} the master comes from {@code spark-submit}.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Evaluates a folder of encrypted records on Apache Spark (embedded local[*] by default) with a plan",
            "file and the client's evaluation keys; writes the encrypted answers under the same ids. Run again on",
            "the same --out, it resumes: records answered already are skipped."})
final class SparkCommand implements Callable<Integer> {
    @Option(names = "--plan", required = true, description = "plan file written by 'ciphernet compile'")
    Path plan;

    @Option(names = "--keys", required = true, description = "the client's evaluation.keys")
    Path keys;

    @Option(names = "--in", required = true, description = "folder of encrypted records ('client encrypt-dataset')")
    Path in;

    @Option(names = "--out", required = true, description = "folder of answers (created; kept answers are not recomputed)")
    Path out;

    @Option(names = "--master", description = "Spark master: local[*] (default; this JVM, every core), local[N], "
            + "local-cluster[W,C,MiB] (W executor JVMs of C cores), spark://host:7077, ...")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "tasks to split the records into (default: four per core, "
            + "or more so that a task holds at most 32 records)")
    int partitions;

    @Option(names = "--broadcast-limit-mib", defaultValue = "256", description = "key files up to this size travel as a "
            + "broadcast, larger ones as files Spark copies to each executor (default ${DEFAULT-VALUE})")
    long broadcastLimitMib;

    @Option(names = "--conf", description = "a further Spark setting, KEY=VALUE (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if (partitions < 0 || broadcastLimitMib < 0) {
            throw new UserError("--partitions and --broadcast-limit-mib cannot be negative");
        }
        CliFiles.requireReadable(plan, "plan");
        CliFiles.requireReadable(keys, "evaluation keys");
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        Map<String, String> settings = new LinkedHashMap<>(conf);
        Path clusterJar = Home.root().resolve("cli/target/ciphernet-cluster.jar");
        if (!m.startsWith("local") && System.getProperty("spark.jars") == null && !settings.containsKey("spark.jars")
                && java.nio.file.Files.isRegularFile(clusterJar)) {
            // a cluster's executors need Ciphernet's classes: the cluster jar (spark-submit ships it itself)
            settings.put("spark.jars", clusterJar.toAbsolutePath().toString());
        }
        SparkJob.Options options = new SparkJob.Options(m, plan, keys, in, out, partitions, broadcastLimitMib << 20, settings,
                java.util.Optional.empty());
        SparkJob.Result r;
        PartitionBar bar = new PartitionBar();
        try {
            r = SparkJob.run(options, bar);
        } catch (DatasetException | IllegalArgumentException | IllegalStateException | CkksException e) {
            throw new UserError(e.getMessage(), e);
        } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
            throw explained(e);
        } finally {
            bar.close();
        }
        System.out.println(summary(r));
        for (SparkJob.Failure f : r.failures()) {
            System.err.println("record " + f.id() + ": " + f.problem());
        }
        if (!r.failures().isEmpty()) {
            System.err.println(r.failures().size() + " records got no answer; fix or remove them and run again on the same --out");
            return 1;
        }
        return 0;
    }

    /**
     * A Spark failure with what to do about it where the cause is known: an executor that ran out of
     * memory exits with code 52 (Spark's OOM exit code), which Spark reports only as a lost executor.
     */
    static RuntimeException explained(Exception e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("exited with code 52") || m.contains("OutOfMemoryError")) {
            return new UserError("Spark's executors ran out of memory (each holds the plan's evaluation keys and encoded weights "
                    + "and one evaluation per core): give them more with --conf spark.executor.memory=4g or more. Spark said: "
                    + m.lines().findFirst().orElse(m), e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(m, e);
    }

    /** What the job did, in two lines. */
    static String summary(SparkJob.Result r) {
        StringBuilder setup = new StringBuilder();
        r.setupMillis().forEach((who, ms) -> setup.append(setup.isEmpty() ? "" : ", ").append(who).append(' ')
                .append(String.format(Locale.ROOT, "%.0f ms", ms)));
        return String.format(Locale.ROOT, "%s: %d records (%d evaluated, %d answered before, %d failed), %d images in %.1f s: "
                + "%.2f images/s over %d partitions%s%nstart-up %.0f ms; plan and keys loaded by %s", r.master(), r.records(),
                r.evaluated(), r.skipped(), r.failures().size(), r.images(), r.jobSeconds(), r.imagesPerSecond(), r.partitions(),
                r.failedAttempts() == 0 ? "" : " (" + r.failedAttempts() + " task attempts failed and were retried)",
                r.startMillis(), setup.isEmpty() ? "nobody (nothing to do)" : setup);
    }

    /** Job progress, partitions done of all, as a bar. */
    private static final class PartitionBar implements SparkJob.Listener {
        private BarProgress bar;

        @Override
        public synchronized void started(int partitions, int records, int skipped) {
            if (skipped > 0) {
                System.err.println("resuming: " + skipped + " of " + records + " records are answered already");
            }
            bar = new BarProgress();
            bar.start("partitions", partitions);
        }

        @Override
        public synchronized void partitionDone(int done, int total) {
            bar.advance();
        }

        synchronized void close() {
            if (bar != null) {
                bar.finish();
                bar = null;
            }
        }
    }
}
