package org.ciphernet.ckks;

import java.util.Objects;
import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Encodes vectors of N/2 complex numbers ("slots") into plaintexts and back, through the canonical
 * embedding: slot j is the evaluation of the (real-coefficient) polynomial at {@code ζ^(5^j)},
 * {@code ζ = e^(iπ/N)}, so the Galois element {@code 5^k} rotates the slots by k and {@code 2N-1}
 * conjugates them.
 *
 * <p><b>Special FFT.</b> Writing {@code m(X) = Σ_{k<n} (m_k + i·m_{k+n}) X^k} with {@code n = N/2}
 * (using {@code ζ^(n·5^j) = i}), slot j is {@code Σ_k w_k ζ^k ω^(k·e_j)} with {@code ω = ζ^4} a
 * primitive n-th root and {@code e_j = (5^j − 1)/4 mod n}, a permutation of {@code 0 … n−1}. So
 * decoding is a twist by {@code ζ^k}, one length-n complex FFT and a permutation; encoding inverts
 * it. Both are O(N log N) in double precision.
 *
 * <p><b>Decoding</b> lifts only as many of the lowest primes as the scale needs (scale times
 * {@code 2^52}): a mixed-radix (Garner) lift of two or three limbs in 64-bit arithmetic, instead of a
 * multi-precision CRT over the whole level. Immutable and thread-safe.
 */
public final class Encoder {
    /** Headroom, in bits above the scale, that decoding reconstructs exactly. */
    private static final int DECODE_HEADROOM_BITS = 52;

    private final CkksContext context;
    private final RingContext ring;
    private final int n;      // ring degree N
    private final int slots;  // n/2
    private final int[] slotIndex; // e_j
    private final double[] twistCos;
    private final double[] twistSin;
    private final double[] rootCos;
    private final double[] rootSin;
    /** garner[i][j] = q_j^{-1} mod q_i for j < i. */
    private final long[][] garner;

    /** An encoder for the context. */
    public Encoder(CkksContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.n = context.degree();
        this.slots = n / 2;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(slots, n));
        slotIndex = new int[slots];
        long g = 1;
        long fourN = 2L * n; // 4 * slots
        for (int j = 0; j < slots; j++) {
            slotIndex[j] = (int) (((g - 1) / 4) % slots);
            g = g * 5 % fourN;
        }
        twistCos = new double[slots];
        twistSin = new double[slots];
        for (int k = 0; k < slots; k++) {
            double a = Math.PI * k / n;
            twistCos[k] = Math.cos(a);
            twistSin[k] = Math.sin(a);
        }
        rootCos = new double[slots / 2 + 1];
        rootSin = new double[slots / 2 + 1];
        for (int k = 0; k <= slots / 2; k++) {
            double a = 2 * Math.PI * k / slots;
            rootCos[k] = Math.cos(a);
            rootSin[k] = Math.sin(a);
        }
        int q = context.qCount();
        garner = new long[q][];
        for (int i = 0; i < q; i++) {
            garner[i] = new long[i];
            Modulus mi = ring.modulus(i);
            for (int j = 0; j < i; j++) {
                garner[i][j] = ModArith.inverse(ModArith.reduce(ring.modulus(j).value(), mi), mi);
            }
        }
    }

    /** Number of slots, N/2. */
    public int slots() {
        return slots;
    }

    /** Encodes real values (fewer than N/2 are padded with zeros) at the top level and default scale. */
    public Plaintext encode(double[] values) {
        return encode(values, null, context.maxLevel(), context.parameters().defaultScale());
    }

    /** Encodes real values at a level and scale. */
    public Plaintext encode(double[] values, int level, double scale) {
        return encode(values, null, level, scale);
    }

    /**
     * Encodes complex values (real and imaginary parts; {@code imag} may be null for real values) at
     * a level and scale.
     *
     * @throws CkksException.ScaleOverflowException if a value times the scale exceeds half the modulus
     */
    public Plaintext encode(double[] real, double[] imag, int level, double scale) {
        return encode(real, imag, level, scale, false);
    }

    /**
     * Encodes real values at a level and scale for hoisted products
     * ({@link Evaluator#multiplyRotationsHoisted}): also modulo the special primes P, so that
     * the products can be summed before the one division by P that ends their key switches. The
     * result works wherever a plaintext does; its P residues take {@code |P| / (level + 1)} more
     * memory, and {@link Serialization} does not keep them.
     */
    public Plaintext encodeExtended(double[] values, int level, double scale) {
        return encode(values, null, level, scale, true);
    }

    private Plaintext encode(double[] real, double[] imag, int level, double scale, boolean extended) {
        int[] primes = extended ? context.levelAndSpecialPrimes(level) : context.levelPrimes(level);
        RnsPoly p = ring.zero(primes, true);
        encodeInto(real, imag, level, scale, primes, p.limbs());
        if (!extended) {
            return new Plaintext(p, level, scale, context.fingerprint());
        }
        long[][] limbs = p.limbs();
        RnsPoly q = new RnsPoly(n, context.levelPrimes(level), java.util.Arrays.copyOf(limbs, level + 1), true);
        return new Plaintext(q, java.util.Arrays.copyOfRange(limbs, level + 1, limbs.length), level, scale, context.fingerprint());
    }

    /** Per-thread working arrays of an encoding (an encoding submits no parallel work, so it never reenters). */
    private final ThreadLocal<Scratch> scratch;

    private record Scratch(double[] re, double[] im, double[] coeffs, long[] rounded, double[] roundedDoubles) {
        Scratch(int slots, int n) {
            this(new double[slots], new double[slots], new double[n], new long[n], new double[n]);
        }
    }

    /**
     * Encodes values at a level and scale into limbs (NTT form, every entry overwritten) modulo the
     * given context primes ({@code level}'s, possibly followed by P's): what {@link #encode} and
     * {@link #encodeExtended} compute, into caller-owned arrays, allocating nothing once the
     * thread's working arrays exist.
     */
    void encodeInto(double[] real, double[] imag, int level, double scale, int[] primes, long[][] out) {
        Arguments.present(real, "the real values");
        checkLevel(level);
        checkScale(scale, level);
        checkLength(real, "real");
        if (imag != null) {
            checkLength(imag, "imag");
        }
        Scratch sc = scratch.get();
        double[] re = sc.re();
        double[] im = sc.im();
        java.util.Arrays.fill(re, 0.0);
        java.util.Arrays.fill(im, 0.0);
        for (int j = 0; j < real.length; j++) {
            re[slotIndex[j]] = Arguments.finite(real[j], "slot value real[" + j + "]");
        }
        if (imag != null) {
            for (int j = 0; j < imag.length; j++) {
                im[slotIndex[j]] = Arguments.finite(imag[j], "slot value imag[" + j + "]");
            }
        }
        fft(re, im, -1);
        double[] coeffs = sc.coeffs();
        double inv = 1.0 / slots;
        for (int k = 0; k < slots; k++) {
            // w_k = x_k / n * ζ^(-k)
            double xr = re[k] * inv;
            double xi = im[k] * inv;
            coeffs[k] = xr * twistCos[k] + xi * twistSin[k];
            coeffs[k + slots] = xi * twistCos[k] - xr * twistSin[k];
        }
        scaledToRnsInto(coeffs, primes, level, scale, out, sc.rounded(), sc.roundedDoubles());
        for (int i = 0; i < primes.length; i++) {
            ring.ntt(primes[i]).forward(out[i]);
        }
    }

    /**
     * Encodes the same real constant in every slot without an FFT or NTT: a constant polynomial's
     * NTT is the constant.
     */
    public Plaintext encodeConstant(double value, int level, double scale) {
        Arguments.finite(value, "the constant");
        checkLevel(level);
        checkScale(scale, level);
        double v = value * scale;
        context.checkFits(Math.abs(v), level, describe(value, scale));
        RnsPoly p = ring.zero(context.levelPrimes(level), true);
        long[] residues = context.residues(v, level);
        for (int i = 0; i <= level; i++) {
            java.util.Arrays.fill(p.limb(i), residues[i]);
        }
        return new Plaintext(p, level, scale, context.fingerprint());
    }

    /** Decodes the real parts of the slots. */
    public double[] decode(Plaintext pt) {
        return decodeComplex(pt)[0];
    }

    /** Decodes the slots: {@code [0]} real parts, {@code [1]} imaginary parts. */
    public double[][] decodeComplex(Plaintext pt) {
        context.check(Arguments.present(pt, "the plaintext").fingerprint(), "the plaintext");
        int limbs = limbsForDecoding(pt.scale(), pt.level());
        long[][] c = new long[limbs][];
        for (int i = 0; i < limbs; i++) {
            c[i] = pt.poly().limb(i).clone();
            if (pt.poly().isNtt()) {
                ring.ntt(i).inverse(c[i]);
            }
        }
        double[] coeffs = lift(c);
        double invScale = 1.0 / pt.scale();
        double[] re = new double[slots];
        double[] im = new double[slots];
        for (int k = 0; k < slots; k++) {
            double wr = coeffs[k] * invScale;
            double wi = coeffs[k + slots] * invScale;
            re[k] = wr * twistCos[k] - wi * twistSin[k];
            im[k] = wr * twistSin[k] + wi * twistCos[k];
        }
        fft(re, im, +1);
        double[][] out = new double[2][slots];
        for (int j = 0; j < slots; j++) {
            out[0][j] = re[slotIndex[j]];
            out[1][j] = im[slotIndex[j]];
        }
        return out;
    }

    /** The fewest lowest primes whose product exceeds {@code scale · 2^52} (at most level + 1). */
    private int limbsForDecoding(double scale, int level) {
        double need = Math.log(scale) / Math.log(2) + DECODE_HEADROOM_BITS;
        double have = 0;
        for (int i = 0; i <= level; i++) {
            have += Math.log(ring.modulus(i).value()) / Math.log(2);
            if (have >= need) {
                return i + 1;
            }
        }
        return level + 1;
    }

    /** Centered lift of each coefficient from the first c.length primes, as a double (Garner). */
    private double[] lift(long[][] c) {
        int k = c.length;
        double[] out = new double[n];
        long[] v = new long[k];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < k; i++) {
                Modulus mi = ring.modulus(i);
                long qi = mi.value();
                long x = c[i][t];
                for (int j = 0; j < i; j++) {
                    x = ModArith.mulMod(ModArith.sub(x, ModArith.reduce(v[j], mi), qi), garner[i][j], mi);
                }
                v[i] = x;
            }
            // X = v0 + q0 (v1 + q1 (v2 + ...)); center through the top digit
            long top = v[k - 1];
            long qTop = ring.modulus(k - 1).value();
            double val = top > qTop / 2 ? top - qTop : top;
            for (int i = k - 2; i >= 0; i--) {
                val = val * ring.modulus(i).value() + v[i];
            }
            out[t] = val;
        }
        return out;
    }

    /** Rounds scaled coefficients into RNS limbs (NTT form) at a level. */
    RnsPoly scaledToRns(double[] coeffs, int level, double scale) {
        return scaledToRns(coeffs, context.levelPrimes(level), level, scale);
    }

    /**
     * Rounds scaled coefficients into RNS limbs (NTT form) modulo the given context primes, after
     * checking that they fit the modulus at a level.
     */
    private RnsPoly scaledToRns(double[] coeffs, int[] primes, int level, double scale) {
        RnsPoly p = ring.zero(primes, false);
        scaledToRnsInto(coeffs, primes, level, scale, p.limbs(), new long[n], new double[n]);
        ring.toNtt(p);
        return p;
    }

    /**
     * Rounds scaled coefficients into limbs (coefficient form, every entry overwritten) modulo the
     * given context primes, after checking that they fit the modulus at a level; {@code x} and
     * {@code xd} are working arrays of N entries.
     */
    private void scaledToRnsInto(double[] coeffs, int[] primes, int level, double scale, long[][] out, long[] x, double[] xd) {
        double maxAbs = 0;
        for (double c : coeffs) {
            maxAbs = Math.max(maxAbs, Math.abs(c));
        }
        context.checkFits(maxAbs * scale, level, describe(maxAbs, scale));
        if (maxAbs * scale < 0x1p62) {
            // the common case: round once, then reduce per prime — in doubles when the rounded
            // values and the prime are exact doubles (a loop the JIT vectorizes), else with Barrett
            for (int t = 0; t < n; t++) {
                x[t] = Math.round(coeffs[t] * scale);
            }
            boolean doubles = maxAbs * scale < 0x1p52;
            if (doubles) {
                for (int t = 0; t < n; t++) {
                    xd[t] = x[t];
                }
            }
            for (int i = 0; i < primes.length; i++) {
                Modulus m = ring.modulus(primes[i]);
                long q = m.value();
                long[] limb = out[i];
                if (doubles && m.fitsDoublePath()) {
                    reduceExact(xd, q, limb);
                    continue;
                }
                for (int t = 0; t < n; t++) {
                    long v = x[t];
                    long r = ModArith.reduce128(0, Math.abs(v), m);
                    limb[t] = v < 0 && r != 0 ? q - r : r;
                }
            }
        } else {
            for (int t = 0; t < n; t++) {
                long[] r = context.residues(coeffs[t] * scale, primes);
                for (int i = 0; i < primes.length; i++) {
                    out[i][t] = r[i];
                }
            }
        }
    }

    /**
     * {@code out[t] = x[t] mod q} for integers {@code |x[t]| < 2^52} and {@code q < 2^50}: the
     * quotient estimate may be off by one, but {@code x − k·q} is an integer below q in magnitude,
     * so the fused multiply-add computes it exactly and one correction makes it canonical.
     */
    private static void reduceExact(double[] x, long q, long[] out) {
        double qd = q;
        double qinv = 1.0 / qd;
        for (int t = 0; t < x.length; t++) {
            double v = x[t];
            double r = Math.fma(-Math.rint(v * qinv), qd, v);
            out[t] = (long) (r < 0 ? r + qd : r);
        }
    }

    private static String describe(double value, double scale) {
        return String.format("value %.3g × scale 2^%.1f", value, Math.log(scale) / Math.log(2));
    }

    private void checkLength(double[] values, String name) {
        if (values.length > slots) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, more than the " + slots + " slots");
        }
    }

    private void checkLevel(int level) {
        if (level < 0 || level > context.maxLevel()) {
            throw new CkksException.LevelException("level " + level + " outside [0, " + context.maxLevel() + "]");
        }
    }

    private void checkScale(double scale, int level) {
        if (!(scale >= 1) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a finite number >= 1, got " + scale);
        }
        if (Math.log(scale) / Math.log(2) >= context.log2Modulus(level) - 1) {
            throw new CkksException.ScaleOverflowException(String.format("scale 2^%.1f does not fit level %d (%.1f bits)",
                    Math.log(scale) / Math.log(2), level, context.log2Modulus(level)));
        }
    }

    /**
     * In-place radix-2 complex FFT of length {@code slots}: {@code X_t = Σ_k x_k e^(sign·2πi·k·t/n)}
     * (no normalization).
     */
    private void fft(double[] re, double[] im, int sign) {
        int len = re.length;
        int logLen = Integer.numberOfTrailingZeros(len);
        for (int i = 0; i < len; i++) {
            int j = Integer.reverse(i) >>> (32 - logLen);
            if (logLen == 0) {
                j = 0;
            }
            if (j > i) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int size = 2; size <= len; size <<= 1) {
            int half = size >> 1;
            int step = len / size;
            for (int start = 0; start < len; start += size) {
                for (int k = 0; k < half; k++) {
                    int idx = k * step; // angle 2π k/size = 2π (k·step)/len
                    double wr = cosAt(idx);
                    double wi = sign * sinAt(idx);
                    int a = start + k;
                    int b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }

    private double cosAt(int idx) {
        return idx <= slots / 2 ? rootCos[idx] : -rootCos[slots - idx];
    }

    private double sinAt(int idx) {
        return idx <= slots / 2 ? rootSin[idx] : rootSin[slots - idx];
    }
}
