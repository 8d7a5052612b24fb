package org.ciphernet.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * How the evaluation keys reach the executors: keys up to a limit travel as a broadcast (Spark's
 * torrent distribution, in chunks, since one broadcast value is capped at 2 GiB), larger ones as a
 * file Spark copies to each executor ({@code addFile}), read there once per JVM.
 */
sealed interface KeyShipping extends Serializable {
    /** Chunk size of a broadcast key file. */
    int CHUNK = 64 << 20;

    /** The key bytes, on an executor. */
    byte[] bytes();

    /** Ships {@code bytes} (the file's content, already read) as a broadcast of chunks, or the file itself, by size. */
    static KeyShipping ship(JavaSparkContext sc, Path file, byte[] bytes, long broadcastLimit, int chunk) {
        if (bytes.length <= broadcastLimit) {
            byte[][] chunks = new byte[(int) ((bytes.length + (long) chunk - 1) / chunk)][];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = Arrays.copyOfRange(bytes, i * chunk, (int) Math.min(bytes.length, (long) (i + 1) * chunk));
            }
            return new Broadcasted(sc.broadcast(chunks), bytes.length);
        }
        sc.addFile(file.toAbsolutePath().toString());
        return new Shipped(file.getFileName().toString());
    }

    /** Keys as a broadcast of chunks. */
    record Broadcasted(Broadcast<byte[][]> chunks, int length) implements KeyShipping {
        @Override
        public byte[] bytes() {
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] c : chunks.value()) {
                System.arraycopy(c, 0, all, at, c.length);
                at += c.length;
            }
            return all;
        }
    }

    /** Keys as a file Spark copied to the executor. */
    record Shipped(String name) implements KeyShipping {
        @Override
        public byte[] bytes() {
            Path local = Path.of(SparkFiles.get(name));
            try {
                return Files.readAllBytes(local);
            } catch (IOException e) {
                throw new UncheckedIOException("evaluation keys " + local + " (shipped by Spark): " + e.getMessage(), e);
            }
        }
    }
}
