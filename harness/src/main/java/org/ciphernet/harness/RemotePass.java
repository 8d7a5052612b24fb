package org.ciphernet.harness;

import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;

/**
 * Where the harness's encrypted pass can run instead of this JVM's {@code HeServer}: a Spark job,
 * say (the CLI's {@code harness --spark}). The harness keeps the client's side (keys, encryption,
 * decryption); the pass gets the plan, the evaluation keys and the queries, and gives back the
 * answers. Queries are asked for and answers handed over one at a time, so a pass over a whole test
 * set can keep them on disk rather than in memory.
 */
public interface RemotePass {
    /** What the pass is called in reports ("Spark local[2]"). */
    String name();

    /**
     * Evaluates {@code count} queries.
     *
     * @param query the {@code i}-th query (asked for once each, in order)
     * @param answer receives each answer with its query's index
     * @return the wall time of the evaluation in milliseconds (not counting encryption, decryption
     *     or the pass's start-up)
     * @throws RuntimeException if a query gets no answer (naming it)
     */
    double evaluate(HePlan plan, EvaluationKeys keys, int count, IntFunction<EncryptedTensor> query,
            ObjIntConsumer<EncryptedTensor> answer, Progress progress);
}
