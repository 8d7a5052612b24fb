/**
 * Ciphernet's arithmetic core: everything CKKS computes reduces to the operations here.
 *
 * <h2>Concepts</h2>
 * <ul>
 *   <li>{@link org.ciphernet.ntt.Modulus} and {@link org.ciphernet.ntt.ModArith}: scalar modular
 *       arithmetic for moduli below 2^61 (exact 128-bit products, Barrett and Shoup reduction).</li>
 *   <li>{@link org.ciphernet.ntt.Primes}: deterministic primality for every 64-bit integer, NTT-friendly
 *       primes {@code q ≡ 1 (mod 2N)} of a given size or closest to {@code 2^k}, primitive roots.</li>
 *   <li>{@link org.ciphernet.ntt.Ntt}: the negacyclic NTT of {@code Z_q[X]/(X^N+1)}, N = 2 … 2^17.</li>
 *   <li>{@link org.ciphernet.ntt.LimbOps}: element-wise limb arithmetic, including multiply-accumulate
 *       with the reduction delayed across the terms.</li>
 *   <li>{@link org.ciphernet.ntt.RnsBasis} and {@link org.ciphernet.ntt.BasisConverter}: CRT composition and
 *       decomposition, divide-and-round by the last prime (rescale), fast basis conversion Q→P and
 *       ModDown (hybrid key switching).</li>
 *   <li>{@link org.ciphernet.ntt.Galois}: automorphisms {@code X → X^k} in coefficient and NTT form.</li>
 *   <li>{@link org.ciphernet.ntt.Backend}: the scalar and Vector-API implementations, which give
 *       bit-identical results; the vector one is chosen at start-up when available.</li>
 * </ul>
 *
 * <h2>Memory layout of an RNS polynomial</h2>
 * An RNS polynomial of degree N over k primes is held as {@code long[k][N]}: one array per prime
 * ("limb"), each holding canonical residues in {@code [0, q_i)}. The reasons:
 * <ul>
 *   <li><b>Per-limb work is the unit.</b> NTTs, products, rescaling and key switching all loop over
 *       one prime at a time with that prime's tables; an array per limb gives each loop a plain,
 *       bounds-check-friendly array, and dropping a level is dropping the last array (no copy).</li>
 *   <li><b>Long residues, not doubles.</b> Residues are exact integers of up to 61 bits. The fast
 *       path computes in double/FMA lanes (primes below 2^50, the size CKKS uses, where a double
 *       holds a residue exactly and a fused multiply-add recovers the low half of a product), but
 *       converting between {@code long} and {@code double} costs one instruction per 8 lanes and
 *       is fused into the first and last NTT stage. Keeping {@code long} storage keeps a single
 *       exact representation for serialization, CRT, BigInteger tests, and primes above 2^50
 *       (handled by the exact scalar path).</li>
 *   <li><b>Not one flat array.</b> A flat {@code long[k*N]} would save one indirection per limb
 *       (negligible against N ≥ 2^12 elements per limb) but would need copying when levels are
 *       dropped and would limit polynomials to 2^31 elements in total.</li>
 * </ul>
 *
 * <h2>Why double lanes</h2>
 * JDK 25's Vector API has no 64-bit multiply-high lane operation, so 64-bit Shoup/Barrett products
 * cannot be vectorized directly. Doubles give an exact 106-bit product as {@code hi + lo} with one
 * FMA, and a quotient estimate from a multiplication by a precomputed {@code w/q}; the error
 * analysis is in the internal class {@code DoubleModMath}. Values are kept signed and lazily
 * reduced: a per-stage plan computed from the proven bounds inserts reductions only where needed.
 */
package org.ciphernet.ntt;
