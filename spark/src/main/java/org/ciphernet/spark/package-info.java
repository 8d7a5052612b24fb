/**
 * Encrypted inference over whole datasets on Apache Spark: {@link org.ciphernet.spark.SparkJob}
 * evaluates a folder of encrypted inputs ({@link org.ciphernet.spark.EncryptedDataset}) with a
 * compiled plan and the client's evaluation keys, each executor JVM loading them once, and writes
 * the encrypted answers under the same ids. Embedded {@code local[*]} by default; the same job runs
 * on a cluster through {@code --master} or {@code spark-submit}. This module runs on the class
 * path (Spark is not modular): it has no module descriptor.
 */
package org.ciphernet.spark;
