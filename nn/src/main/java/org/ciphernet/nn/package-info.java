/**
 * The HE-CNN engine: compile a {@link org.ciphernet.nn.model.Network} into an {@link org.ciphernet.nn.HePlan}
 * with {@link org.ciphernet.nn.compiler.Compiler}, then run it between an {@link org.ciphernet.nn.HeClient}
 * (secret key, encryption, decryption) and an {@link org.ciphernet.nn.HeServer} (public evaluation
 * keys only), in single-image or batched {@link org.ciphernet.nn.Mode}.
 */
package org.ciphernet.nn;
