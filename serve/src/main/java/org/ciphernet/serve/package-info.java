/**
 * {@code ciphernet serve}: a long-running encrypted-inference service over HTTP. It hosts compiled
 * plans ({@link org.ciphernet.serve.InferenceService}), keeps each tenant's evaluation keys on disk
 * (durable across restarts) and, within a memory budget, loaded; it evaluates encrypted queries
 * under a bounded number of concurrent evaluations and a bounded queue, and answers every bad
 * request with a 4xx naming the problem. {@link org.ciphernet.serve.InferenceClient} is its Java
 * client: plan, keys, encryption and decryption stay on the client's side. Built on Javalin 7
 * (Jetty 12, virtual threads) and Micrometer (Prometheus). A class-path module, like the Spark one.
 */
package org.ciphernet.serve;
