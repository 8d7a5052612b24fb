/**
 * The HE-CNN engine's public face. An {@link org.ciphernet.nn.HePlan} (made by
 * {@code org.ciphernet.nn.compiler.Compiler} or read from a plan file) is the program both parties
 * follow: the {@link org.ciphernet.nn.HeClient} holds the secret key, makes the
 * {@link org.ciphernet.nn.EvaluationKeys}, encrypts images into
 * {@link org.ciphernet.nn.EncryptedTensor}s and decrypts answers, following only the plan's
 * {@link org.ciphernet.nn.ClientSpec}; the {@link org.ciphernet.nn.HeServer} evaluates with the
 * evaluation keys alone, on the runtime of the plan's {@link org.ciphernet.nn.Mode}.
 * {@link org.ciphernet.nn.Inference} runs both in one process. Keys, tensors and plans carry the
 * plan's fingerprint and are integrity-checked on the wire. Nothing here imports the compiler.
 */
package org.ciphernet.nn;
