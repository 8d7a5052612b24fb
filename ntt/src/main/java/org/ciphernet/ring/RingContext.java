package org.ciphernet.ring;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.Galois;
import org.ciphernet.ntt.LimbOps;
import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Ntt;

/**
 * The ring {@code Z[X]/(X^N + 1)} modulo a chain of NTT-friendly primes: the NTT tables and limb
 * kernels of every prime, built once, and limb-wise polynomial operations on {@link RnsPoly}
 * values over any subset of the primes. Immutable and safe to share between threads.
 */
public final class RingContext {
    private final int n;
    private final List<Modulus> moduli;
    private final Ntt[] ntts;
    private final LimbOps[] ops;
    private final Map<Integer, int[]> permutations = new ConcurrentHashMap<>();

    /** A ring of degree n over the given distinct primes (each {@code ≡ 1 mod 2n}), preferred backend. */
    public RingContext(int n, List<Modulus> moduli) {
        this(n, moduli, Backend.preferred());
    }

    public RingContext(int n, List<Modulus> moduli, Backend backend) {
        this.n = n;
        this.moduli = List.copyOf(moduli);
        this.ntts = new Ntt[moduli.size()];
        this.ops = new LimbOps[moduli.size()];
        for (int i = 0; i < ntts.length; i++) {
            ntts[i] = Ntt.of(n, moduli.get(i), backend);
            ops[i] = LimbOps.of(moduli.get(i), backend);
        }
    }

    public int degree() {
        return n;
    }

    public int primeCount() {
        return moduli.size();
    }

    public Modulus modulus(int primeIndex) {
        return moduli.get(primeIndex);
    }

    public List<Modulus> moduli() {
        return moduli;
    }

    public Ntt ntt(int primeIndex) {
        return ntts[primeIndex];
    }

    public LimbOps ops(int primeIndex) {
        return ops[primeIndex];
    }

    /** The prime indices {@code from, from+1, ..., to-1}. */
    public static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** A zero polynomial over the given primes. */
    public RnsPoly zero(int[] primes, boolean ntt) {
        return new RnsPoly(n, primes, ntt);
    }

    /** Forward NTT of every limb, in place (no-op if already in NTT form). */
    public void toNtt(RnsPoly p) {
        if (!p.isNtt()) {
            for (int i = 0; i < p.limbCount(); i++) {
                ntts[p.primeIndex(i)].forward(p.limb(i));
            }
            p.setNtt(true);
        }
    }

    /** Inverse NTT of every limb, in place (no-op if already in coefficient form). */
    public void toCoefficients(RnsPoly p) {
        if (p.isNtt()) {
            for (int i = 0; i < p.limbCount(); i++) {
                ntts[p.primeIndex(i)].inverse(p.limb(i));
            }
            p.setNtt(false);
        }
    }

    /** {@code out = a + b}. */
    public void add(RnsPoly a, RnsPoly b, RnsPoly out) {
        check(a, b, out);
        for (int i = 0; i < a.limbCount(); i++) {
            ops[a.primeIndex(i)].add(a.limb(i), b.limb(i), out.limb(i));
        }
        out.setNtt(a.isNtt());
    }

    /** {@code out = a - b}. */
    public void sub(RnsPoly a, RnsPoly b, RnsPoly out) {
        check(a, b, out);
        for (int i = 0; i < a.limbCount(); i++) {
            ops[a.primeIndex(i)].sub(a.limb(i), b.limb(i), out.limb(i));
        }
        out.setNtt(a.isNtt());
    }

    /** {@code out = -a}. */
    public void negate(RnsPoly a, RnsPoly out) {
        check(a, a, out);
        for (int i = 0; i < a.limbCount(); i++) {
            ops[a.primeIndex(i)].negate(a.limb(i), out.limb(i));
        }
        out.setNtt(a.isNtt());
    }

    /** {@code out = a * b} (both in NTT form). */
    public void multiply(RnsPoly a, RnsPoly b, RnsPoly out) {
        check(a, b, out);
        requireNtt(a, b);
        for (int i = 0; i < a.limbCount(); i++) {
            ops[a.primeIndex(i)].multiply(a.limb(i), b.limb(i), out.limb(i));
        }
        out.setNtt(true);
    }

    /** {@code acc += a * b} (all in NTT form). */
    public void multiplyAdd(RnsPoly acc, RnsPoly a, RnsPoly b) {
        check(a, b, acc);
        requireNtt(a, b);
        long[][] one = new long[1][];
        long[][] two = new long[1][];
        for (int i = 0; i < a.limbCount(); i++) {
            one[0] = a.limb(i);
            two[0] = b.limb(i);
            ops[a.primeIndex(i)].multiplyAccumulate(acc.limb(i), one, two);
        }
    }

    /** {@code out = a * s} for one integer s (any sign, reduced modulo each prime). */
    public void multiplyScalar(RnsPoly a, long s, RnsPoly out) {
        check(a, a, out);
        for (int i = 0; i < a.limbCount(); i++) {
            Modulus m = moduli.get(a.primeIndex(i));
            ops[a.primeIndex(i)].multiplyScalar(a.limb(i), ModArith.reduce(s, m), out.limb(i));
        }
        out.setNtt(a.isNtt());
    }

    /** {@code out = a * s_i} with one canonical scalar per limb. */
    public void multiplyScalars(RnsPoly a, long[] perLimb, RnsPoly out) {
        check(a, a, out);
        if (perLimb.length != a.limbCount()) {
            throw new IllegalArgumentException(perLimb.length + " scalars for " + a.limbCount() + " limbs");
        }
        for (int i = 0; i < a.limbCount(); i++) {
            ops[a.primeIndex(i)].multiplyScalar(a.limb(i), perLimb[i], out.limb(i));
        }
        out.setNtt(a.isNtt());
    }

    /**
     * {@code out = a(X^k)} for an odd Galois element k; works in either form ({@code out} must be a
     * different polynomial over the same primes).
     */
    public void automorphism(RnsPoly a, int galoisElement, RnsPoly out) {
        check(a, a, out);
        if (a == out) {
            throw new IllegalArgumentException("automorphism cannot work in place");
        }
        if (a.isNtt()) {
            int[] perm = permutation(galoisElement);
            for (int i = 0; i < a.limbCount(); i++) {
                Galois.applyNtt(a.limb(i), perm, out.limb(i));
            }
        } else {
            for (int i = 0; i < a.limbCount(); i++) {
                Galois.applyCoefficients(a.limb(i), galoisElement, moduli.get(a.primeIndex(i)), out.limb(i));
            }
        }
        out.setNtt(a.isNtt());
    }

    /** The (cached) NTT-domain permutation of the Galois element k. */
    public int[] permutation(int galoisElement) {
        return permutations.computeIfAbsent(galoisElement, k -> Galois.nttPermutation(k, n));
    }

    private void check(RnsPoly a, RnsPoly b, RnsPoly out) {
        Objects.requireNonNull(out, "out");
        if (!a.sameBasis(b) || !a.sameBasis(out)) {
            throw new IllegalArgumentException("polynomials over different primes: " + a + ", " + b + ", " + out);
        }
        if (a.isNtt() != b.isNtt()) {
            throw new IllegalArgumentException("one operand is in NTT form and the other is not");
        }
    }

    private static void requireNtt(RnsPoly a, RnsPoly b) {
        if (!a.isNtt() || !b.isNtt()) {
            throw new IllegalArgumentException("products need both operands in NTT form");
        }
    }
}
