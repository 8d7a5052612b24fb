/**
 * The polynomial ring {@code Z_Q[X]/(X^N + 1)} in RNS form, one layer above the per-prime
 * arithmetic of {@link org.ciphernet.ntt}: {@link org.ciphernet.ring.RingContext} owns the NTT tables and limb
 * kernels of every prime of a chain, and {@link org.ciphernet.ring.RnsPoly} is a polynomial over any subset of
 * those primes (a level of Q, or Q and the special primes P of key switching).
 */
package org.ciphernet.ring;
