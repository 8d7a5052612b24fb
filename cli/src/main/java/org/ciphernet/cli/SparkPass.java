package org.ciphernet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.harness.Progress;
import org.ciphernet.harness.RemotePass;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.spark.EncryptedDataset;
import org.ciphernet.spark.SparkJob;

/**
 * {@code harness --spark}: the harness's encrypted pass through {@link SparkJob}, exactly as a
 * user's dataset goes: the plan, keys and queries written to a scratch folder (a record per query,
 * named by its index), the job run on {@code master}, the answers read back; the folder is deleted
 * afterwards.
 */
final class SparkPass implements RemotePass {
    private final String master;
    private final Path scratch;

    /** A pass on {@code master}, with its scratch folders under {@code scratch}. */
    SparkPass(String master, Path scratch) {
        this.master = master;
        this.scratch = scratch;
    }

    @Override
    public String name() {
        return "Spark " + master;
    }

    @Override
    public double evaluate(HePlan plan, EvaluationKeys keys, int count, IntFunction<EncryptedTensor> query,
            ObjIntConsumer<EncryptedTensor> answer, Progress progress) {
        Path dir;
        try {
            Files.createDirectories(scratch);
            dir = Files.createTempDirectory(scratch, "spark-pass-");
        } catch (IOException e) {
            throw new UncheckedIOException("scratch folder " + scratch + ": " + e.getMessage(), e);
        }
        try {
            Serialization ser = new Serialization(plan.context());
            Files.write(dir.resolve("model.plan"), plan.toBytes());
            Files.write(dir.resolve("evaluation.keys"), keys.toBytes(ser));
            EncryptedDataset in = EncryptedDataset.create(dir.resolve("in"), true);
            progress.start(plan.name() + ": encrypting " + count + " queries", count);
            for (int i = 0; i < count; i++) {
                in.write(EncryptedDataset.idOfImage(i), query.apply(i).toBytes(ser));
                progress.advance();
            }
            progress.finish();
            SparkJob.Options options = SparkJob.Options.of(dir.resolve("model.plan"), dir.resolve("evaluation.keys"), dir.resolve("in"),
                    dir.resolve("out")).withMaster(master);
            SparkJob.Result r = SparkJob.run(options, new SparkJob.Listener() {
                @Override
                public synchronized void started(int partitions, int records, int skipped) {
                    progress.start(plan.name() + ": " + name() + ", partitions", partitions);
                }

                @Override
                public synchronized void partitionDone(int done, int total) {
                    progress.advance();
                }
            });
            progress.finish();
            if (!r.failures().isEmpty()) {
                SparkJob.Failure f = r.failures().get(0);
                throw new IllegalStateException(r.failures().size() + " queries got no answer from " + name() + "; the first, " + f.id()
                        + ": " + f.problem());
            }
            System.err.println(SparkCommand.summary(r));
            EncryptedDataset out = EncryptedDataset.open(dir.resolve("out"));
            progress.start(plan.name() + ": decrypting", count);
            for (int i = 0; i < count; i++) {
                answer.accept(EncryptedTensor.fromBytes(out.read(EncryptedDataset.idOfImage(i)), ser), i);
                progress.advance();
            }
            progress.finish();
            return r.jobSeconds() * 1000;
        } catch (IOException e) {
            throw new UncheckedIOException("scratch folder " + dir + ": " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("warning: scratch folder " + dir + " could not be deleted (" + e.getMessage() + ")");
        }
    }
}
