package org.ciphernet.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Spark's {@code local-cluster[workers,cores,MiB]} master: a standalone master and workers inside
 * this JVM that start separate executor JVMs. Spark meant it for its own tests; here it shows on one
 * machine what a cluster does (plan and keys loaded per executor JVM, tasks retried elsewhere). The
 * workers build the executors' command through a Spark home, which Ciphernet does not need
 * otherwise: an empty one (its {@code jars} folder empty) is enough when the executors get this
 * JVM's class path, and the launcher and the tests point {@code SPARK_HOME} at one.
 */
final class LocalCluster {
    private LocalCluster() {
    }

    /** Whether {@code master} is a local-cluster master. */
    static boolean is(String master) {
        return master.startsWith("local-cluster");
    }

    /**
     * The settings a local-cluster master needs: executors on this JVM's class path, with the
     * memory the master string gives each worker.
     *
     * @throws IllegalStateException if {@code SPARK_HOME} or {@code SPARK_SCALA_VERSION} is not set (naming what to set)
     */
    static Map<String, String> conf(String master) {
        String home = System.getenv("SPARK_HOME");
        if (home == null || home.isBlank() || System.getenv("SPARK_SCALA_VERSION") == null) {
            throw new IllegalStateException("a local-cluster master starts executor JVMs through a Spark home: set SPARK_HOME to a folder "
                    + "(an empty one will do) and SPARK_SCALA_VERSION=2.13 (./ciphernet does both)");
        }
        try {
            Files.createDirectories(Path.of(home, "jars"));
        } catch (IOException e) {
            throw new UncheckedIOException("SPARK_HOME " + home + ": cannot create its jars folder (" + e.getMessage() + ")", e);
        }
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path").replace(File.pathSeparatorChar, ':'));
        // each worker offers MiB, but an executor takes spark.executor.memory (1 GiB by default): give it the worker's
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*\\d+\\s*,\\s*(\\d+)\\s*]")
                .matcher(master);
        if (m.matches()) {
            conf.put("spark.executor.memory", m.group(1) + "m");
        }
        return conf;
    }
}
