package org.ciphernet.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;

/**
 * Evaluates a folder of encrypted queries ({@link EncryptedDataset}) with a compiled plan and the
 * client's evaluation keys on Spark, and writes the encrypted answers under the same ids into
 * another folder.
 *
 * <p>The driver reads the plan and keys and checks them against each other and against the first
 * record (a wrong plan or key pair fails at once, with a message naming both). The plan travels as
 * a broadcast, the keys as {@link KeyShipping} says; each executor JVM loads them once
 * ({@link ExecutorState}) and evaluates the records of every partition it runs with one thread per
 * task. Answers are published atomically and at most once per id, so retried or speculative tasks
 * leave exactly one answer per id, and a job run again on the same output folder resumes: ids
 * answered already are skipped. A record that cannot be evaluated (corrupted, made for another plan
 * or key pair) is reported with its id and problem and gets no answer; the other records go on.
 */
public final class SparkJob {
    /** Key files up to this size travel as a broadcast by default; larger ones as files. */
    public static final long DEFAULT_BROADCAST_LIMIT = 256L << 20;
    /** The most records a task gets when the partitions are chosen automatically. */
    static final int RECORDS_PER_TASK = 32;

    private SparkJob() {
    }

    /**
     * What to run.
     *
     * @param master the Spark master ({@code local[*]}, {@code local-cluster[2,1,2048]}, {@code spark://host:7077}, ...)
     * @param plan the plan file ({@code ciphernet compile})
     * @param keys the client's evaluation keys
     * @param in the folder of encrypted queries
     * @param out the folder of answers (created; answers already in it are kept and their ids skipped)
     * @param partitions partitions to split the records into; 0 for four per core, or more so that none holds more
     *     than 32 records (at most one per record)
     * @param broadcastLimit key files up to this many bytes travel as a broadcast, larger ones as files
     * @param conf further Spark settings
     * @param failFirstAttemptOf for tests of fault tolerance only: the first attempt of the task holding this id fails
     */
    public record Options(String master, Path plan, Path keys, Path in, Path out, int partitions, long broadcastLimit,
            Map<String, String> conf, Optional<String> failFirstAttemptOf) {
        /** Checks the values. */
        public Options {
            Objects.requireNonNull(master, "master");
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(in, "in");
            Objects.requireNonNull(out, "out");
            conf = Map.copyOf(conf);
            Objects.requireNonNull(failFirstAttemptOf, "failFirstAttemptOf");
            if (partitions < 0 || broadcastLimit < 0) {
                throw new IllegalArgumentException("partitions and the broadcast limit cannot be negative");
            }
        }

        /** The defaults: embedded {@code local[*]}, automatic partitions, keys up to 256 MiB broadcast. */
        public static Options of(Path plan, Path keys, Path in, Path out) {
            return new Options("local[*]", plan, keys, in, out, 0, DEFAULT_BROADCAST_LIMIT, Map.of(), Optional.empty());
        }

        /** With another master. */
        public Options withMaster(String m) {
            return new Options(m, plan, keys, in, out, partitions, broadcastLimit, conf, failFirstAttemptOf);
        }

        /** With a number of partitions (0: automatic). */
        public Options withPartitions(int p) {
            return new Options(master, plan, keys, in, out, p, broadcastLimit, conf, failFirstAttemptOf);
        }

        /** With another broadcast limit. */
        public Options withBroadcastLimit(long bytes) {
            return new Options(master, plan, keys, in, out, partitions, bytes, conf, failFirstAttemptOf);
        }

        /** With further Spark settings (added to earlier ones). */
        public Options withConf(Map<String, String> more) {
            Map<String, String> all = new LinkedHashMap<>(conf);
            all.putAll(more);
            return new Options(master, plan, keys, in, out, partitions, broadcastLimit, all, failFirstAttemptOf);
        }

        /** For fault-tolerance tests: the first attempt of the task that holds {@code id} fails. */
        public Options withInjectedFailure(String id) {
            return new Options(master, plan, keys, in, out, partitions, broadcastLimit, conf, Optional.of(id));
        }
    }

    /** Progress of a job, called from Spark's listener thread. */
    public interface Listener {
        /** The job starts: {@code partitions} tasks over {@code records} records ({@code skipped} answered already). */
        void started(int partitions, int records, int skipped);

        /** A partition finished. */
        void partitionDone(int done, int total);

        /** No progress reports. */
        static Listener none() {
            return new Listener() {
                @Override
                public void started(int partitions, int records, int skipped) {
                }

                @Override
                public void partitionDone(int done, int total) {
                }
            };
        }
    }

    /** A record that got no answer, and why. */
    public record Failure(String id, String problem) implements Serializable {
    }

    /**
     * What a job did.
     *
     * @param records the records of the input folder
     * @param evaluated the records evaluated by this job
     * @param skipped the records answered already (by an earlier run on the same output folder)
     * @param images the images in the evaluated records
     * @param failures the records that got no answer
     * @param startMillis starting Spark and reading and checking the plan and keys on the driver
     * @param jobSeconds the job's wall time, from submission to the last answer
     * @param setupMillis per executor: loading the plan and keys (the driver, for an embedded master)
     * @param evaluationMillis the evaluation time of every record, summed over the tasks
     * @param partitions the job's tasks
     * @param failedAttempts task attempts that failed and were retried (a lost executor, an error Spark retries)
     */
    public record Result(String master, int records, int evaluated, int skipped, int images, List<Failure> failures,
            double startMillis, double jobSeconds, Map<String, Double> setupMillis, double evaluationMillis, int partitions,
            int failedAttempts) {
        /** Images per second of wall time. */
        public double imagesPerSecond() {
            return jobSeconds > 0 ? images / jobSeconds : 0;
        }
    }

    /**
     * Runs the job.
     *
     * @throws DatasetException if a folder cannot be used or the input folder is empty
     * @throws IllegalArgumentException if the plan, the keys and the records do not belong together
     *     (naming what differs)
     * @throws IllegalStateException on a JDK Spark refuses
     */
    public static Result run(Options o, Listener listener) {
        Jdk.requireSparkCompatible();
        long t0 = System.nanoTime();
        EncryptedDataset inputs = EncryptedDataset.open(o.in());
        List<String> all = inputs.ids();
        if (all.isEmpty()) {
            throw new DatasetException("encrypted dataset " + o.in() + ": holds no records (*" + EncryptedDataset.SUFFIX + " files)");
        }
        if (o.in().toAbsolutePath().normalize().equals(o.out().toAbsolutePath().normalize())) {
            throw new DatasetException("--in and --out are the same folder " + o.in() + ": the answers need a folder of their own");
        }
        HePlan plan;
        try {
            plan = HePlan.fromBytes(read(o.plan(), "plan"));
        } catch (CkksException e) {
            throw new IllegalArgumentException("plan " + o.plan() + ": " + e.getMessage(), e);
        }
        byte[] keyBytes = read(o.keys(), "evaluation keys");
        Serialization ser = new Serialization(plan.context());
        EvaluationKeys keys;
        try {
            keys = EvaluationKeys.fromBytes(keyBytes, ser);
        } catch (CkksException e) {
            throw new IllegalArgumentException("evaluation keys " + o.keys() + ": " + e.getMessage(), e);
        }
        checkFirstRecord(o, inputs, all.get(0), plan, keys, ser);
        EncryptedDataset answers = EncryptedDataset.create(o.out(), false);
        answers.removeTemporaryFiles();
        Set<String> done = new HashSet<>(answers.ids());
        List<String> todo = all.stream().filter(id -> !done.contains(id)).toList();
        boolean embedded = o.master().startsWith("local") && !o.master().startsWith("local-cluster");
        String cacheKey = plan.fingerprintHex() + "/" + keys.keyId();
        Map<String, Double> setup = new TreeMap<>();
        if (embedded && !todo.isEmpty()) { // the tasks run in this JVM: build the server once, here
            long s0 = System.nanoTime();
            HeServer server = new HeServer(plan, keys, 1, HeServer.DEFAULT_PLAINTEXT_CACHE);
            double ms = (System.nanoTime() - s0) / 1e6;
            ExecutorState.install(cacheKey, server, ms);
            setup.put("driver", ms);
        }
        keys = null; // the driver no longer needs them (an embedded master holds them in its server)
        SparkConf conf = new SparkConf().setMaster(o.master()).setAppName("ciphernet " + plan.name())
                .set("spark.ui.enabled", "false");
        if (o.master().startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        if (LocalCluster.is(o.master())) {
            LocalCluster.conf(o.master()).forEach(conf::set);
        }
        o.conf().forEach(conf::set);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            Broadcast<byte[]> planBytes = sc.broadcast(plan.toBytes());
            KeyShipping shipped = embedded ? new KeyShipping.Broadcasted(sc.broadcast(new byte[0][]), 0)
                    : KeyShipping.ship(sc, o.keys(), keyBytes, o.broadcastLimit(), KeyShipping.CHUNK);
            keyBytes = null;
            // by default four tasks per core, and tasks of at most RECORDS_PER_TASK records: progress in small steps, and
            // a failed task redoes little
            int partitions = o.partitions() > 0 ? o.partitions()
                    : Math.max(4 * sc.defaultParallelism(), (todo.size() + RECORDS_PER_TASK - 1) / RECORDS_PER_TASK);
            partitions = Math.max(1, Math.min(partitions, todo.size()));
            listener.started(partitions, all.size(), all.size() - todo.size());
            double startMillis = (System.nanoTime() - t0) / 1e6;
            List<RecordTask.Outcome> outcomes = List.of();
            long j0 = System.nanoTime();
            AtomicInteger failedAttempts = new AtomicInteger();
            if (!todo.isEmpty()) {
                AtomicInteger finished = new AtomicInteger();
                int total = partitions;
                sc.sc().addSparkListener(new SparkListener() {
                    @Override
                    public void onTaskEnd(SparkListenerTaskEnd end) {
                        if (end.taskInfo().successful()) {
                            listener.partitionDone(finished.incrementAndGet(), total);
                        } else {
                            failedAttempts.incrementAndGet();
                        }
                    }
                });
                RecordTask task = new RecordTask(o.in().toAbsolutePath().toString(), o.out().toAbsolutePath().toString(), cacheKey, planBytes,
                        shipped, o.failFirstAttemptOf().orElse(""));
                FlatMapFunction<Iterator<String>, RecordTask.Outcome> f = task::run;
                outcomes = sc.parallelize(todo, partitions).mapPartitions(f).collect();
            }
            double jobSeconds = (System.nanoTime() - j0) / 1e9;
            return result(o, all.size(), todo, outcomes, answers, startMillis, jobSeconds, setup, partitions, failedAttempts.get());
        } finally {
            if (embedded) {
                ExecutorState.release();
            }
        }
    }

    private static Result result(Options o, int records, List<String> todo, List<RecordTask.Outcome> outcomes, EncryptedDataset answers,
            double startMillis, double jobSeconds, Map<String, Double> setup, int partitions, int failedAttempts) {
        List<Failure> failures = new ArrayList<>();
        int images = 0;
        double evaluation = 0;
        Set<String> answered = new HashSet<>(answers.ids());
        for (RecordTask.Outcome r : outcomes) {
            if (!r.problem().isEmpty()) {
                failures.add(new Failure(r.id(), r.problem()));
            } else if (!answered.contains(r.id())) {
                failures.add(new Failure(r.id(), "evaluated, but its answer is missing from " + o.out()));
            } else {
                images += r.images();
                evaluation += r.millis();
            }
            if (r.setupMillis() > 0) {
                setup.merge("executor " + r.executor(), r.setupMillis(), Math::max);
            }
        }
        return new Result(o.master(), records, todo.size(), records - todo.size(), images, List.copyOf(failures), startMillis,
                jobSeconds, setup, evaluation, partitions, failedAttempts);
    }

    /** The first record must be a query of this plan under the keys' key pair: else nothing runs. */
    private static void checkFirstRecord(Options o, EncryptedDataset inputs, String id, HePlan plan, EvaluationKeys keys,
            Serialization ser) {
        EncryptedTensor first;
        try {
            first = EncryptedTensor.fromBytes(inputs.read(id), ser);
        } catch (CkksException e) {
            throw new IllegalArgumentException("record " + inputs.file(id) + ": " + e.getMessage(), e);
        }
        if (first.kind() != EncryptedTensor.Kind.QUERY) {
            throw new IllegalArgumentException("record " + inputs.file(id) + ": is an encrypted "
                    + first.kind().name().toLowerCase(Locale.ROOT) + ", not a query");
        }
        if (first.planFingerprint() != plan.fingerprint()) {
            throw new IllegalArgumentException("record " + inputs.file(id) + ": was made for another plan (plan "
                    + first.planFingerprintHex() + ", " + o.plan() + " is plan " + plan.fingerprintHex() + ")");
        }
        if (!first.keyId().equals(keys.keyId())) {
            throw new IllegalArgumentException("record " + inputs.file(id) + " with " + o.keys()
                    + ": encrypted under another key pair than the evaluation keys (record key id " + first.keyId()
                    + ", evaluation keys " + keys.keyId() + ")");
        }
    }

    private static byte[] read(Path file, String what) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new DatasetException(what + " " + file + ": " + size + " bytes, more than the 2 GiB a key or plan file can hold");
            }
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                throw new DatasetException(what + " " + file + ": the file is empty");
            }
            return b;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DatasetException(what + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new DatasetException(what + " " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }
}
