package org.ciphernet.ckks;

import org.ciphernet.ntt.Galois;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Sums of plaintext-weighted rotations of one ciphertext with one ModDown per sum and part (the
 * baby steps of a baby-step/giant-step linear transform, "double hoisting" in Bossuat et al.,
 * Eurocrypt 2021, §4, and in Lattigo's and OpenFHE's linear transforms).
 *
 * <p>A rotation by Galois element g of {@code (c0, c1)} is {@code (φ(c0) + ⌊u0/P⌉, ⌊u1/P⌉)}, where
 * {@code (u0, u1) = Σ_d φ(digit_d(c1)) · key_d} over {@code Q_ℓ ∪ P} (ModUp, shared by all
 * rotations, then the key's inner product). For a sum {@code Σ_s w_s · rot_s(c)} with plaintexts
 * w_s known modulo Q and P, this computes
 * <pre>  part0 = Σ_s w_s·φ_s(c0) + ⌊Σ_s w_s·u0_s / P⌉,   part1 = Σ_{s: g_s = 1} w_s·c1 + ⌊Σ_s w_s·u1_s / P⌉</pre>
 * (the identity step contributes to the Q sums only). Exactness: ModDown divides by P with
 * rounding, {@code ⌊x/P⌉ = (x − [x]_P)/P} with {@code |[x]_P| ≤ P/2}; summing before it replaces the
 * rounding errors {@code Σ_s w_s·r_s} of per-rotation ModDowns (each r_s of coefficients at most 1/2,
 * multiplied by a plaintext of norm about its scale) by a single r of coefficients at most 1/2, so the
 * result is the same message with less noise. The cost: one ModUp, one key inner product per
 * rotation and two ModDowns per sum, instead of two ModDowns per rotation.
 */
final class HoistedProducts {
    private HoistedProducts() {}

    /**
     * Row r of the result is {@code Σ_s w[s] · rotate(a, step s)} for {@code w = rows.apply(r)}, where
     * {@code perms[s]} is the NTT-domain permutation of step s and {@code keys[s]} its switching key,
     * both null for the identity. The supplier checks its rows (every plaintext at a's level or
     * above, extended for a rotated step, one scale per row); a has two parts.
     */
    static Ciphertext[] compute(CkksContext context, LimbParallelism par, Ciphertext a, int[][] perms,
            SwitchingKey[] keys, int rowCount, java.util.function.IntFunction<Plaintext[]> rows) {
        return computeWeights(context, par, a, perms, keys, rowCount, r -> Weights.of(rows.apply(r)));
    }

    /**
     * One row's weights as limbs: per step, the residues modulo Q's primes (at least the level's,
     * NTT form) and modulo P's (null for an identity step), or null for a missing term; the row's
     * scale; and what to do once the row's sum is computed (give pooled limbs back).
     */
    record Weights(long[][][] q, long[][][] p, double scale, Runnable release) {
        static Weights of(Plaintext[] pts) {
            long[][][] q = new long[pts.length][][];
            long[][][] p = new long[pts.length][][];
            double scale = Double.NaN;
            for (int s = 0; s < pts.length; s++) {
                if (pts[s] != null) {
                    q[s] = pts[s].poly().limbs();
                    p[s] = pts[s].specialLimbs();
                    scale = pts[s].scale();
                }
            }
            return new Weights(q, p, scale, () -> {});
        }
    }

    /** As {@link #compute(CkksContext, LimbParallelism, Ciphertext, int[][], SwitchingKey[], int, java.util.function.IntFunction)}, weights given as limbs. */
    static Ciphertext[] computeWeights(CkksContext context, LimbParallelism par, Ciphertext a, int[][] perms,
            SwitchingKey[] keys, int rowCount, Row rows) {
        int level = a.level();
        RingContext ring = context.ring();
        KeySwitcher ks = context.keySwitcher();
        LimbPool pool = ks.pool();
        int steps = perms.length;
        int q = level + 1;
        int[] target = context.levelAndSpecialPrimes(level);
        long[][] c0 = a.part(0).limbs();
        long[][] c1 = a.part(1).limbs();
        long[][][] rotated0 = new long[steps][][]; // φ_s(c0) over Q (pooled), or c0 itself for the identity
        long[][][][] products = new long[steps][][][]; // (u0_s, u1_s) over Q ∪ P (pooled), null for the identity
        long[][][] digits = null;
        try {
            for (int s = 0; s < steps; s++) {
                if (perms[s] == null) {
                    rotated0[s] = c0;
                    continue;
                }
                if (digits == null) {
                    digits = ks.decompose(c1, level, par);
                }
                products[s] = ks.applyKey(digits, keys[s], level, perms[s], par);
                long[][] r0 = pool.take(q);
                for (int i = 0; i < q; i++) {
                    Galois.applyNtt(c0[i], perms[s], r0[i]);
                }
                rotated0[s] = r0;
            }
            pool.give(digits);
            digits = null;
            Ciphertext[] out = new Ciphertext[rowCount];
            for (int r = 0; r < rowCount; r++) {
                Weights w = rows.weights(r);
                try {
                    out[r] = row(context, ring, ks, pool, par, w, perms, rotated0, products, c1, level, target, a.scale());
                } finally {
                    w.release().run();
                }
            }
            return out;
        } finally {
            pool.give(digits);
            for (int s = 0; s < steps; s++) {
                if (perms[s] != null) {
                    pool.give(rotated0[s]);
                    pool.give(products[s]);
                }
            }
        }
    }

    /** The weights of row r. */
    interface Row {
        Weights weights(int r);
    }

    private static Ciphertext row(CkksContext context, RingContext ring, KeySwitcher ks, LimbPool pool, LimbParallelism par,
            Weights w, int[][] perms, long[][][] rotated0, long[][][][] products, long[][] c1, int level, int[] target,
            double inputScale) {
        int q = level + 1;
        long[][][] wq = w.q();
        long[][][] wp = w.p();
        double scale = Double.isNaN(w.scale()) ? inputScale : inputScale * w.scale(); // one scale per row, checked by the caller
        int present = 0;
        int identities = 0;
        for (int s = 0; s < wq.length; s++) {
            if (wq[s] != null) {
                present++;
                identities += perms[s] == null ? 1 : 0;
            }
        }
        int all = present;
        int identityTerms = identities;
        int rotatedTerms = present - identities;
        int[] allIdx = new int[all];
        int[] rotIdx = new int[rotatedTerms];
        int[] idIdx = new int[identityTerms];
        for (int s = 0, x = 0, y = 0, z = 0; s < wq.length; s++) {
            if (wq[s] != null) {
                allIdx[x++] = s;
                if (perms[s] == null) {
                    idIdx[z++] = s;
                } else {
                    rotIdx[y++] = s;
                }
            }
        }
        int[] qPrimes = context.levelPrimes(level);
        RnsPoly out0 = ring.zero(qPrimes, true);
        RnsPoly out1 = ring.zero(qPrimes, true);
        long[][] ext0 = rotatedTerms > 0 ? pool.takeZeroed(target.length) : null;
        long[][] ext1 = rotatedTerms > 0 ? pool.takeZeroed(target.length) : null;
        try {
            par.forEach(target.length, t -> {
                int prime = target[t];
                boolean inQ = t < q;
                if (inQ) {
                    long[][] x = new long[all][];
                    long[][] v = new long[all][];
                    for (int k = 0; k < all; k++) {
                        x[k] = rotated0[allIdx[k]][t];
                        v[k] = wq[allIdx[k]][t];
                    }
                    ring.ops(prime).multiplyAccumulate(out0.limb(t), x, v);
                    if (identityTerms > 0) {
                        long[][] y = new long[identityTerms][];
                        long[][] vi = new long[identityTerms][];
                        for (int k = 0; k < identityTerms; k++) {
                            y[k] = c1[t];
                            vi[k] = wq[idIdx[k]][t];
                        }
                        ring.ops(prime).multiplyAccumulate(out1.limb(t), y, vi);
                    }
                }
                if (rotatedTerms > 0) {
                    long[][] u0 = new long[rotatedTerms][];
                    long[][] u1 = new long[rotatedTerms][];
                    long[][] vr = new long[rotatedTerms][];
                    for (int k = 0; k < rotatedTerms; k++) {
                        int s = rotIdx[k];
                        u0[k] = products[s][0][t];
                        u1[k] = products[s][1][t];
                        vr[k] = inQ ? wq[s][t] : wp[s][t - q];
                    }
                    ring.ops(prime).multiplyAccumulatePair(ext0[t], ext1[t], vr, u0, u1);
                }
            });
            if (rotatedTerms > 0) {
                ks.modDownInto(ext0, null, level, out0.limbs(), out0.limbs(), par);
                ks.modDownInto(ext1, null, level, out1.limbs(), out1.limbs(), par);
            }
        } finally {
            pool.give(ext0);
            pool.give(ext1);
        }
        return new Ciphertext(new RnsPoly[] {out0, out1}, level, scale, context.fingerprint());
    }
}
