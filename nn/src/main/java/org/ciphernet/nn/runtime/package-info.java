/**
 * The runtimes that execute a plan's steps on ciphertexts, one per packing mode, chosen once when a
 * server is built: {@link org.ciphernet.nn.runtime.SingleImageRuntime} (one image in the slots of
 * one ciphertext: diagonal products with hoisted baby-step rotations, pre-encoded weights) and
 * {@link org.ciphernet.nn.runtime.BatchedRuntime} (one image per slot, one ciphertext per tensor
 * element: weighted sums of ciphertexts, deferred square rescales, a check that the ciphertexts fit
 * the heap). Both share the step loop of {@link org.ciphernet.nn.runtime.PlanRuntime} and the one
 * thread pool of {@link org.ciphernet.nn.runtime.Workers}. They read only the plan's values
 * ({@code org.ciphernet.nn.plan}) and {@code ckks}; they know nothing of the compiler. Internal:
 * not exported; {@link org.ciphernet.nn.HeServer} is the public face.
 */
package org.ciphernet.nn.runtime;
