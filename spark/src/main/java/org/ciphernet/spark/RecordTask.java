package org.ciphernet.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeServer;

/**
 * The work of one Spark task, serialized to the executors: evaluates the records of a partition
 * with the executor JVM's server ({@link ExecutorState}) and publishes each answer once
 * ({@link EncryptedDataset#publishOnce}). A record answered already (by an earlier attempt of the
 * task) is not evaluated again. A record's own fault (corrupted, another plan or key pair) becomes
 * its outcome's problem; anything else fails the task, which Spark retries.
 *
 * @param in the folder of queries
 * @param out the folder of answers
 * @param cacheKey the plan's fingerprint and the key pair's identifier
 * @param plan the plan file's bytes
 * @param keys the evaluation keys, as they travel
 * @param failFirstAttemptOf for fault-tolerance tests only: the first attempt fails at this id ("" for none)
 */
record RecordTask(String in, String out, String cacheKey, Broadcast<byte[]> plan, KeyShipping keys, String failFirstAttemptOf)
        implements Serializable {
    /** One record's outcome, sent back to the driver ({@code problem} empty when it was answered). */
    record Outcome(String id, int images, double millis, String executor, double setupMillis, String problem) implements Serializable {
    }

    /** Evaluates the records of one partition, on an executor. */
    Iterator<Outcome> run(Iterator<String> ids) {
        boolean[] loadedNow = new boolean[1];
        ExecutorState.Loaded loaded = ExecutorState.server(cacheKey, plan::value, keys::bytes, loadedNow);
        HeServer server = loaded.server();
        Serialization ser = new Serialization(server.plan().context());
        EncryptedDataset inputs = EncryptedDataset.open(Path.of(in));
        EncryptedDataset answers = EncryptedDataset.open(Path.of(out));
        String executor = SparkEnv.get().executorId();
        double setup = loadedNow[0] ? loaded.setupMillis() : 0; // reported once per JVM
        List<Outcome> outcomes = new ArrayList<>();
        while (ids.hasNext()) {
            String id = ids.next();
            if (id.equals(failFirstAttemptOf) && TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("injected failure (a fault-tolerance test) at record " + id);
            }
            long t0 = System.nanoTime();
            try {
                EncryptedTensor query = EncryptedTensor.fromBytes(inputs.read(id), ser);
                if (Files.exists(answers.file(id))) {
                    outcomes.add(new Outcome(id, query.images(), 0, executor, setup, ""));
                } else {
                    EncryptedTensor answer = server.infer(query);
                    answers.publishOnce(id, answer.toBytes(ser));
                    outcomes.add(new Outcome(id, query.images(), (System.nanoTime() - t0) / 1e6, executor, setup, ""));
                }
            } catch (CkksException | IllegalArgumentException | DatasetException e) { // this record's fault: report, go on
                outcomes.add(new Outcome(id, 0, 0, executor, setup, e.getMessage()));
            }
            setup = 0;
        }
        return outcomes.iterator();
    }
}
