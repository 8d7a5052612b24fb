package org.ciphernet.spark;

import java.util.function.Supplier;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;

/**
 * The plan and keys of one executor JVM: loaded by the first task that needs them and reused by
 * every later task of the JVM (Spark runs an executor's tasks as threads of one JVM, and
 * {@link HeServer} is thread-safe). One server is kept: a job with other keys replaces it.
 */
final class ExecutorState {
    /** A loaded server, its cache key and how long loading took. */
    record Loaded(String key, HeServer server, double setupMillis) {
    }

    private static Loaded current; // guarded by ExecutorState.class

    private ExecutorState() {
    }

    /**
     * The server for {@code key}, loaded from the suppliers if this JVM has not loaded it yet;
     * {@code loadedNow[0]} is set to whether this call loaded it (so its setup time is reported once
     * per JVM). Tasks that ask while another loads wait for it.
     */
    static synchronized Loaded server(String key, Supplier<byte[]> plan, Supplier<byte[]> keys, boolean[] loadedNow) {
        loadedNow[0] = false;
        if (current != null && current.key().equals(key)) {
            return current;
        }
        release();
        long t0 = System.nanoTime();
        HePlan p = HePlan.fromBytes(plan.get());
        EvaluationKeys k = EvaluationKeys.fromBytes(keys.get(), new Serialization(p.context()));
        current = new Loaded(key, new HeServer(p, k, 1, HeServer.DEFAULT_PLAINTEXT_CACHE), (System.nanoTime() - t0) / 1e6);
        loadedNow[0] = true;
        return current;
    }

    /** Installs a server the driver already built (embedded {@code local} masters share the driver's JVM). */
    static synchronized void install(String key, HeServer server, double setupMillis) {
        release();
        current = new Loaded(key, server, setupMillis);
    }

    /** Closes and forgets the loaded server, if any. */
    static synchronized void release() {
        if (current != null) {
            current.server().close();
            current = null;
        }
    }
}
