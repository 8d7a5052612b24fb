package org.ciphernet.harness;

import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ntt.Modulus;

/**
 * Tower reuse (Chielle et al. 2025) for a plan's chain: primes of twice the scale's bits, each
 * absorbing two rescalings, so the scaling primes pair up and Q has about half as many. Our
 * moduli take the vector (double/FMA) path only below 2^{@value Modulus#DOUBLE_PATH_MAX_BITS}: a
 * tower prime stays on it only for scales up to 2^25; above, its limbs run on the exact 64-bit
 * scalar path, which bench/RESULTS.md measures at about 7× the vector NTT per limb, more than the
 * halved limb count wins back.
 *
 * @param scaleBits the plan's scale, log2
 * @param qPrimes the primes of Q now
 * @param towerQPrimes the primes of Q with the scaling primes paired (the first prime kept)
 * @param towerPrimeBits the bits of a tower prime (twice the scale)
 */
public record TowerReuse(int scaleBits, int qPrimes, int towerQPrimes, int towerPrimeBits) {
    /** The chain of a plan's parameters with tower reuse. */
    public static TowerReuse of(CkksParameters p) {
        int scaling = 0;
        for (int i = 1; i < p.qBits().size(); i++) {
            scaling += p.qBits().get(i) == p.logScale() ? 1 : 0;
        }
        int others = p.qBits().size() - scaling;
        return new TowerReuse(p.logScale(), p.qBits().size(), others + (scaling + 1) / 2, 2 * p.logScale());
    }

    /** Whether a tower prime fits our moduli at all (below {@code 2^MAX_BITS}). */
    public boolean fits() {
        return towerPrimeBits <= Modulus.MAX_BITS;
    }

    /** Whether a tower prime keeps the vector path. */
    public boolean vectorPath() {
        return towerPrimeBits <= Modulus.DOUBLE_PATH_MAX_BITS;
    }

    /** Where tower reuse stands for this chain, in a few words. */
    public String verdict() {
        if (!fits()) {
            return towerPrimeBits + "-bit primes: beyond our " + Modulus.MAX_BITS + "-bit moduli";
        }
        if (!vectorPath()) {
            return towerPrimeBits + "-bit primes leave the vector path: half the limbs at about 7× the cost each";
        }
        return "pays: " + qPrimes + " → " + towerQPrimes + " primes of Q on the vector path";
    }
}
