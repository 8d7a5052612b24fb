package org.ciphernet.ntt;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A residue number system basis: distinct primes {@code q_0 ... q_{k-1}} with product Q, and the
 * CRT tables computed once. An integer {@code x} in {@code [0, Q)} is represented by its residues
 * {@code x mod q_i}; a polynomial by one limb (array of residues) per prime, {@code long[k][n]}.
 *
 * <p>Immutable and shareable between threads.
 */
public final class RnsBasis {
    private final List<Modulus> moduli;
    private final BigInteger product;
    private final BigInteger halfProduct;
    /** {@code Q / q_i}. */
    private final BigInteger[] qHat;
    /** {@code (Q / q_i)^{-1} mod q_i}. */
    private final long[] qHatInv;
    /** {@code inv(q_last) mod q_i} for i below the last. */
    private final long[] lastInv;
    private final long[] lastInvShoup;

    private RnsBasis(List<Modulus> moduli) {
        this.moduli = List.copyOf(moduli);
        int k = moduli.size();
        BigInteger p = BigInteger.ONE;
        for (Modulus m : moduli) {
            p = p.multiply(BigInteger.valueOf(m.value()));
        }
        this.product = p;
        this.halfProduct = p.shiftRight(1);
        this.qHat = new BigInteger[k];
        this.qHatInv = new long[k];
        for (int i = 0; i < k; i++) {
            Modulus m = moduli.get(i);
            qHat[i] = p.divide(BigInteger.valueOf(m.value()));
            qHatInv[i] = ModArith.inverse(qHat[i].mod(BigInteger.valueOf(m.value())).longValue(), m);
        }
        this.lastInv = new long[Math.max(0, k - 1)];
        this.lastInvShoup = new long[Math.max(0, k - 1)];
        long qLast = moduli.get(k - 1).value();
        for (int i = 0; i < k - 1; i++) {
            Modulus m = moduli.get(i);
            lastInv[i] = ModArith.inverse(ModArith.reduce(qLast, m), m);
            lastInvShoup[i] = ModArith.shoup(lastInv[i], m);
        }
    }

    /** A basis of the given moduli, which must be pairwise distinct primes. */
    public static RnsBasis of(List<Modulus> moduli) {
        Objects.requireNonNull(moduli, "moduli");
        if (moduli.isEmpty()) {
            throw new IllegalArgumentException("an RNS basis needs at least one modulus");
        }
        Set<Long> seen = new HashSet<>();
        for (Modulus m : moduli) {
            if (!seen.add(m.value())) {
                throw new IllegalArgumentException("modulus " + m.value() + " appears twice in the basis");
            }
            if (!Primes.isPrime(m.value())) {
                throw new IllegalArgumentException("basis modulus " + m.value() + " is not prime");
            }
        }
        return new RnsBasis(moduli);
    }

    /** A basis of the given prime values. */
    public static RnsBasis ofValues(List<Long> primes) {
        List<Modulus> ms = new ArrayList<>(primes.size());
        for (long q : primes) {
            ms.add(Modulus.of(q));
        }
        return of(ms);
    }

    /** Number of primes. */
    public int size() {
        return moduli.size();
    }

    public Modulus modulus(int i) {
        return moduli.get(i);
    }

    public List<Modulus> moduli() {
        return moduli;
    }

    /** The product Q of the primes. */
    public BigInteger product() {
        return product;
    }

    /** The basis without its last prime (the basis after a rescale). */
    public RnsBasis dropLast() {
        if (moduli.size() == 1) {
            throw new IllegalStateException("cannot drop the only prime of a basis");
        }
        return new RnsBasis(moduli.subList(0, moduli.size() - 1));
    }

    /** {@code (Q/q_i)^{-1} mod q_i}. */
    long qHatInv(int i) {
        return qHatInv[i];
    }

    /** {@code Q/q_i}. */
    BigInteger qHat(int i) {
        return qHat[i];
    }

    // ---- integers ---------------------------------------------------------------------------

    /** Residues of an integer (any sign, any size: it is reduced modulo each prime). */
    public long[] decompose(BigInteger x) {
        long[] r = new long[size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = x.mod(BigInteger.valueOf(moduli.get(i).value())).longValue();
        }
        return r;
    }

    /** Residues of a signed long. */
    public long[] decompose(long x) {
        long[] r = new long[size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ModArith.reduce(x, moduli.get(i));
        }
        return r;
    }

    /**
     * Residues of the integer nearest to a finite double (ties away from zero). Doubles beyond
     * {@code 2^63} are converted exactly through {@link BigDecimal}.
     */
    public long[] decompose(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("cannot represent " + x + " in an RNS basis");
        }
        double mag = Math.abs(x);
        double f = Math.floor(mag);
        if (mag - f >= 0.5) { // exact: mag - floor(mag) has no rounding error
            f += 1;
        }
        double r = Math.copySign(f, x);
        if (f < 0x1p62) {
            return decompose((long) r);
        }
        return decompose(new BigDecimal(x).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact());
    }

    /** The integer in {@code [0, Q)} with these residues (exact CRT). */
    public BigInteger compose(long[] residues) {
        if (residues.length != size()) {
            throw new IllegalArgumentException(residues.length + " residues for a basis of " + size() + " primes");
        }
        BigInteger acc = BigInteger.ZERO;
        for (int i = 0; i < residues.length; i++) {
            long y = ModArith.mulMod(residues[i], qHatInv[i], moduli.get(i));
            acc = acc.add(qHat[i].multiply(BigInteger.valueOf(y)));
        }
        return acc.mod(product);
    }

    /** The integer in {@code (-Q/2, Q/2]} with these residues: the centered CRT lift. */
    public BigInteger composeCentered(long[] residues) {
        BigInteger x = compose(residues);
        return x.compareTo(halfProduct) > 0 ? x.subtract(product) : x;
    }

    // ---- polynomials --------------------------------------------------------------------------

    /** Centered CRT lift of every coefficient of a polynomial given as limbs {@code [size()][n]}. */
    public BigInteger[] composeCentered(long[][] limbs) {
        checkLimbs(limbs);
        int n = limbs[0].length;
        BigInteger[] out = new BigInteger[n];
        long[] r = new long[size()];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < r.length; i++) {
                r[i] = limbs[i][j];
            }
            out[j] = composeCentered(r);
        }
        return out;
    }

    /** Limbs {@code [size()][n]} of a polynomial with integer coefficients. */
    public long[][] decompose(BigInteger[] coefficients) {
        long[][] limbs = new long[size()][coefficients.length];
        for (int i = 0; i < size(); i++) {
            BigInteger qi = BigInteger.valueOf(moduli.get(i).value());
            for (int j = 0; j < coefficients.length; j++) {
                limbs[i][j] = coefficients[j].mod(qi).longValue();
            }
        }
        return limbs;
    }

    /**
     * Divide-and-round by the last prime, in coefficient form: for each coefficient x (read in
     * {@code [0, Q)}), the residues of {@code floor((x + floor(q_last/2)) / q_last)} in the basis
     * without the last prime. This is the exact rounding {@code round(x / q_last)} (halves round
     * up) and commutes with the centered reading, so it is CKKS rescaling. Returns new limbs
     * {@code [size()-1][n]}; the input is not modified.
     */
    public long[][] divideRoundByLast(long[][] limbs) {
        checkLimbs(limbs);
        int k = size();
        if (k < 2) {
            throw new IllegalStateException("no prime left to divide by: the basis has one prime");
        }
        int n = limbs[0].length;
        Modulus last = moduli.get(k - 1);
        long qLast = last.value();
        long half = qLast >>> 1;
        // r = (x + half) mod q_last, per coefficient
        long[] r = new long[n];
        long[] xl = limbs[k - 1];
        for (int j = 0; j < n; j++) {
            r[j] = ModArith.add(xl[j], half, qLast);
        }
        long[][] out = new long[k - 1][n];
        for (int i = 0; i < k - 1; i++) {
            Modulus m = moduli.get(i);
            long q = m.value();
            long halfI = ModArith.reduce(half, m);
            long inv = lastInv[i];
            long invS = lastInvShoup[i];
            long[] xi = limbs[i];
            long[] oi = out[i];
            for (int j = 0; j < n; j++) {
                long rj = r[j] < q ? r[j] : ModArith.reduce128(0, r[j], m);
                // (x + half - r) * inv, with the sum kept lazy below 3q
                long t = xi[j] + halfI + (q - rj);
                oi[j] = ModArith.mulShoup(t, inv, invS, q);
            }
        }
        return out;
    }

    private void checkLimbs(long[][] limbs) {
        if (limbs.length != size()) {
            throw new IllegalArgumentException(limbs.length + " limbs for a basis of " + size() + " primes");
        }
        for (long[] l : limbs) {
            if (l.length != limbs[0].length) {
                throw new IllegalArgumentException("limbs of different lengths");
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RnsBasis[");
        for (int i = 0; i < moduli.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(moduli.get(i).bits()).append("b");
        }
        return sb.append(", log2 Q = ").append(product.bitLength()).append(']').toString();
    }
}
