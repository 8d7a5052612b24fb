package org.ciphernet.ntt;

import java.util.Objects;
import org.ciphernet.ntt.internal.NttEngine;
import org.ciphernet.ntt.internal.NttTables;

/**
 * The negacyclic number-theoretic transform of degree n modulo a prime {@code q ≡ 1 (mod 2n)}:
 * evaluation of a polynomial of {@code Z_q[X]/(X^n + 1)} at the n primitive 2n-th roots of unity.
 *
 * <p>{@link #forward} maps natural-order coefficients to evaluations in bit-reversed order: index
 * {@code j} holds {@code a(psi^(2*bitrev(j)+1))}, {@code psi = }{@link #root()}. In that domain
 * ring multiplication is element-wise. {@link #inverse} undoes it exactly. Both work in place on
 * canonical residues. Instances are immutable and safe to share between threads.
 */
public final class Ntt {
    private final NttTables tables;
    private final NttEngine engine;
    private final Backend backend;

    private Ntt(NttTables tables, Backend backend) {
        this.tables = tables;
        this.backend = backend;
        this.engine = backend.ntt(tables);
    }

    /** The transform of degree {@code n} (a power of two, 2 to 2^17) modulo q, on the preferred backend. */
    public static Ntt of(int n, Modulus q) {
        return of(n, q, Backend.preferred());
    }

    /** The transform on a chosen backend (tests and benchmarks compare them). */
    public static Ntt of(int n, Modulus q, Backend backend) {
        Objects.requireNonNull(q, "modulus");
        Objects.requireNonNull(backend, "backend");
        if (n < 2 || n > (1 << 17) || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two in [2, 2^17]");
        }
        if (!Primes.isPrime(q.value())) {
            throw new IllegalArgumentException("NTT modulus " + q.value() + " is not prime");
        }
        return new Ntt(new NttTables(n, q), backend);
    }

    /** Forward transform in place: coefficients to bit-reversed evaluations. */
    public void forward(long[] a) {
        check(a);
        engine.forward(a);
    }

    /** Inverse transform in place: bit-reversed evaluations to coefficients. */
    public void inverse(long[] a) {
        check(a);
        engine.inverse(a);
    }

    private void check(long[] a) {
        if (a.length != tables.n) {
            throw new IllegalArgumentException("array of length " + a.length + " given to an NTT of degree " + tables.n);
        }
    }

    /** Ring degree n. */
    public int degree() {
        return tables.n;
    }

    /** The modulus. */
    public Modulus modulus() {
        return tables.modulus;
    }

    /** The primitive 2n-th root of unity psi defining the evaluation points. */
    public long root() {
        return tables.psi;
    }

    /** The backend this transform runs on. */
    public Backend backend() {
        return backend;
    }
}
