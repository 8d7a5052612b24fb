/**
 * Leveled RNS-CKKS, in the order a user meets it: {@link org.ciphernet.ckks.CkksParameters} →
 * {@link org.ciphernet.ckks.CkksContext} → {@link org.ciphernet.ckks.KeyGenerator} →
 * {@link org.ciphernet.ckks.Encoder}, {@link org.ciphernet.ckks.Encryptor},
 * {@link org.ciphernet.ckks.Evaluator}, {@link org.ciphernet.ckks.Decryptor}; batched (one image
 * per slot) linear layers use {@link org.ciphernet.ckks.WeightedSums}.
 *
 * <pre>{@code
 * CkksContext ctx = CkksContext.create(CkksParameters.presetN14Depth7());
 * KeyGenerator keys = new KeyGenerator(ctx);
 * Encoder enc = new Encoder(ctx);
 * Encryptor encryptor = Encryptor.withPublicKey(ctx, keys.publicKey());
 * Evaluator eval = new Evaluator(ctx);
 * Ciphertext x = encryptor.encrypt(enc.encode(new double[] {1.5, 2.5}));
 * Ciphertext y = eval.multiplyRelinRescale(x, x, keys.relinearizationKey());
 * Ciphertext z = eval.rotate(y, 1, keys.galoisKeys(new int[] {1}, false));
 * double[] out = enc.decode(new Decryptor(ctx, keys.secretKey()).decrypt(z)); // out[0] ≈ 6.25
 * }</pre>
 *
 * Internals (key switching, switching keys, sampling and its generator) are package-private; misuse raises a subclass of
 * {@link org.ciphernet.ckks.CkksException} that names the cause.
 */
package org.ciphernet.ckks;
