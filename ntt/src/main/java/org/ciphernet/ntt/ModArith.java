package org.ciphernet.ntt;

/**
 * Scalar modular arithmetic on unsigned residues for moduli {@code 2 <= q < 2^61}.
 *
 * <p>Products are formed exactly in 128 bits with {@link Math#unsignedMultiplyHigh} and reduced
 * with a Barrett estimate against {@code floor(2^128 / q)} (see {@link Modulus}); products against
 * a fixed operand use Shoup's precomputed quotient {@code floor(w * 2^64 / q)}. Every method
 * expects canonical inputs in {@code [0, q)} unless it says otherwise and returns canonical output.
 */
public final class ModArith {
    private ModArith() {}

    /** {@code (a + b) mod q} for canonical inputs. */
    public static long add(long a, long b, long q) {
        long s = a + b;
        return s >= q ? s - q : s;
    }

    /** {@code (a - b) mod q} for canonical inputs. */
    public static long sub(long a, long b, long q) {
        long d = a - b;
        return d < 0 ? d + q : d;
    }

    /** {@code -a mod q} for a canonical input. */
    public static long negate(long a, long q) {
        return a == 0 ? 0 : q - a;
    }

    /**
     * {@code (a * b) mod q} for any unsigned 64-bit {@code a, b} whose product is below
     * {@code 2^128}; exact for every {@code q < 2^61}.
     *
     * <p>Error bound: with {@code x = a*b = xh*2^64 + xl} and {@code R = floor(2^128/q) =
     * rh*2^64 + rl}, the estimate {@code qhat = xh*rh + floor(xh*rl/2^64) + floor(xl*rh/2^64)}
     * drops two floors and the term {@code xl*rl/2^128 < 1}, and {@code x*R/2^128 > x/q - 1},
     * so {@code x/q - 4 < qhat <= x/q}; the remainder {@code x - qhat*q} lies in {@code [0, 4q)},
     * which is below {@code 2^63} for {@code q < 2^61}, so it is computed exactly modulo 2^64 and
     * at most three subtractions finish it.
     */
    public static long mulMod(long a, long b, Modulus m) {
        long xh = Math.unsignedMultiplyHigh(a, b);
        long xl = a * b;
        return reduce128(xh, xl, m);
    }

    /**
     * {@code (xh * 2^64 + xl) mod q} for any unsigned 128-bit value (the bound of
     * {@link #mulMod} holds for every {@code x < 2^128}; the quotient is only needed modulo 2^64).
     */
    public static long reduce128(long xh, long xl, Modulus m) {
        long q = m.value();
        long qhat = xh * m.barrettHi() + Math.unsignedMultiplyHigh(xh, m.barrettLo())
                + Math.unsignedMultiplyHigh(xl, m.barrettHi());
        long r = xl - qhat * q;
        while (Long.compareUnsigned(r, q) >= 0) {
            r -= q;
        }
        return r;
    }

    /**
     * Shoup's precomputation {@code floor(w * 2^64 / q)} for a canonical {@code w}: the exact
     * 128-by-64-bit quotient (the Barrett estimate of {@link #reduce128} plus at most four corrections).
     */
    public static long shoup(long w, Modulus m) {
        long q = m.value();
        // x = w * 2^64: xh = w, xl = 0.
        long qhat = w * m.barrettHi() + Math.unsignedMultiplyHigh(w, m.barrettLo());
        long r = -qhat * q; // x - qhat*q mod 2^64, in [0, 5q)
        while (Long.compareUnsigned(r, q) >= 0) {
            r -= q;
            qhat++;
        }
        return qhat;
    }

    /**
     * Shoup product {@code (a * w) mod q} with {@code wShoup = shoup(w)}, canonical output.
     * Valid for any unsigned 64-bit {@code a}: the lazy remainder lies in {@code [0, 2q)}.
     */
    public static long mulShoup(long a, long w, long wShoup, long q) {
        long r = mulShoupLazy(a, w, wShoup, q);
        return r >= q ? r - q : r;
    }

    /**
     * Lazy Shoup product: a value congruent to {@code a * w} in {@code [0, 2q)} for any unsigned
     * 64-bit {@code a} (Harvey 2014, Lemma 2: the quotient estimate is short by at most one).
     */
    public static long mulShoupLazy(long a, long w, long wShoup, long q) {
        long qhat = Math.unsignedMultiplyHigh(a, wShoup);
        return a * w - qhat * q;
    }

    /** {@code base^exp mod q} for {@code exp >= 0}. */
    public static long pow(long base, long exp, Modulus m) {
        if (exp < 0) {
            throw new IllegalArgumentException("negative exponent " + exp);
        }
        long result = 1 % m.value();
        long b = reduce(base, m);
        long e = exp;
        while (e != 0) {
            if ((e & 1) != 0) {
                result = mulMod(result, b, m);
            }
            b = mulMod(b, b, m);
            e >>>= 1;
        }
        return result;
    }

    /**
     * Inverse of {@code a} modulo {@code q} by the extended Euclidean algorithm (works for any
     * modulus, prime or not).
     *
     * @throws ArithmeticException if {@code gcd(a, q) != 1}
     */
    public static long inverse(long a, Modulus m) {
        long q = m.value();
        long r0 = q;
        long r1 = reduce(a, m);
        long t0 = 0;
        long t1 = 1;
        while (r1 != 0) {
            long quotient = r0 / r1;
            long r2 = r0 - quotient * r1;
            r0 = r1;
            r1 = r2;
            long t2 = t0 - quotient * t1;
            t0 = t1;
            t1 = t2;
        }
        if (r0 != 1) {
            throw new ArithmeticException(a + " has no inverse modulo " + q);
        }
        return t0 < 0 ? t0 + q : t0;
    }

    /** Reduces an arbitrary (signed) {@code long} to {@code [0, q)}. */
    public static long reduce(long a, Modulus m) {
        long r = a % m.value();
        return r < 0 ? r + m.value() : r;
    }

    /** Reduces an unsigned 64-bit value to {@code [0, q)}. */
    public static long reduceUnsigned(long a, Modulus m) {
        return Long.remainderUnsigned(a, m.value());
    }
}
