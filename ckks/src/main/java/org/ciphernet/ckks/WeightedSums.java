package org.ciphernet.ckks;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import org.ciphernet.ntt.SparseRows;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Weighted sums of ciphertexts with real weights, in batched evaluation (one image per slot, so a
 * weight multiplies every slot alike and is encoded as one integer per prime): the kernel of a
 * batched dense or convolutional layer. The sums are computed coefficient block by coefficient
 * block, with one delayed modular reduction per coefficient and output.
 *
 * <p>Every method returns new ciphertexts and leaves its inputs untouched. The object holds no
 * mutable state other than per-thread scratch space, so one instance may serve many threads.
 * Results are the same bits whether the work runs in the calling thread or on a pool.
 */
public final class WeightedSums {
    private final CkksContext context;
    private final RingContext ring;
    private final LimbParallelism par;
    /**
     * A limb's worth of residues per thread, for rescales done in place. A task holds it only
     * while it runs arithmetic that submits no parallel work, so a thread never needs two at once.
     */
    private final ThreadLocal<long[]> rescaleScratch;

    /** Weighted sums computed in the calling thread. */
    public WeightedSums(CkksContext context) {
        this(context, LimbParallelism.SEQUENTIAL);
    }

    /**
     * Weighted sums whose per-limb work runs on {@code pool}. The pool stays the caller's: it is
     * never shut down here. Calls may come from the pool's own workers (they help with the work
     * instead of waiting for it).
     */
    public WeightedSums(CkksContext context, ForkJoinPool pool) {
        this(context, new LimbParallelism(Objects.requireNonNull(pool, "pool")));
    }

    private WeightedSums(CkksContext context, LimbParallelism par) {
        this.context = Objects.requireNonNull(context, "context");
        this.ring = context.ring();
        this.par = par;
        this.rescaleScratch = ThreadLocal.withInitial(() -> new long[this.context.degree()]);
    }

    /**
     * {@code Σ_i weights[i] · cts[i]} for real weights, each encoded as the integer nearest to
     * {@code weights[i] · weightScale}, with one delayed reduction per coefficient and no rescale:
     * the inner loop of linear layers in batched (one image per slot) evaluation. The result has
     * scale {@code cts[i].scale · weightScale}, as many parts as the largest input (2 or 3) and the
     * lowest input level. All inputs must share one scale.
     */
    public Ciphertext linearCombination(Ciphertext[] cts, double[] weights, double weightScale) {
        Arguments.present(cts, "the ciphertexts");
        Arguments.present(weights, "the weights");
        if (cts.length != weights.length || cts.length == 0) {
            throw new IllegalArgumentException("linearCombination needs as many weights as ciphertexts, at least one; got "
                    + cts.length + " ciphertexts and " + weights.length + " weights");
        }
        int[] all = new int[cts.length];
        for (int t = 0; t < all.length; t++) {
            all[t] = t;
        }
        return linearTransform(cts, new int[][] {all}, new double[][] {weights}, weightScale)[0];
    }

    /** Coefficients per block of {@link #linearTransform}: the blocks of all inputs stay in cache. */
    private static final int TRANSFORM_BLOCK = 1024;

    /**
     * Many weighted sums of one set of ciphertexts at once: output r is
     * {@code Σ_k weights[r][k] · cts[columns[r][k]]}, as {@link #linearCombination} computes it
     * (same bits), but blocked over coefficients so that each block of all inputs is read from
     * cache by every output instead of streaming all inputs from memory once per output: the
     * batched (one image per slot) form of a dense or convolutional layer. A row with no terms gives
     * a zero ciphertext. No rescale. Per-limb work runs on this object's pool, if any.
     */
    public Ciphertext[] linearTransform(Ciphertext[] cts, int[][] columns, double[][] weights, double weightScale) {
        return linearTransform(cts, columns, weights, weightScale, new double[columns.length]);
    }

    /**
     * {@link #linearTransform(Ciphertext[], int[][], double[][], double)} plus a constant per row,
     * added to every slot of output r at the output's scale: {@code Σ_k weights[r][k] · cts[columns[r][k]]
     * + constants[r]} (a layer's bias, without a second pass over the outputs). Rescaling afterwards
     * divides the constant with the sum.
     */
    public Ciphertext[] linearTransform(Ciphertext[] cts, int[][] columns, double[][] weights, double weightScale,
            double[] constants) {
        Sums s = sums(cts, columns, weights, weightScale, constants);
        Ciphertext[] result = new Ciphertext[s.out.length];
        for (int r = 0; r < result.length; r++) {
            result[r] = new Ciphertext(s.out[r], s.level, s.scale, context.fingerprint());
        }
        return result;
    }

    /**
     * {@code rescale(linearTransform(cts, columns, weights, weightScale, constants)[r])} for every
     * row, in one pass and the same bits: each sum is divided by the last prime in place, with
     * no intermediate ciphertexts (a batched layer's outputs are many and large). Level − 1, scale
     * {@code cts.scale · weightScale / q_ℓ}.
     *
     * @throws CkksException.LevelException when the inputs are at level 0
     */
    public Ciphertext[] linearTransformRescaled(Ciphertext[] cts, int[][] columns, double[][] weights, double weightScale,
            double[] constants) {
        for (Ciphertext c : cts) {
            if (c.level() == 0) {
                throw new CkksException.LevelException("no level left to rescale: an input is at level 0");
            }
        }
        Sums s = sums(cts, columns, weights, weightScale, constants);
        int rows = s.out.length;
        int size = rows == 0 ? 0 : s.out[0].length;
        int level = s.level;
        long qLast = ring.modulus(level).value();
        int[] primes = context.levelPrimes(level - 1);
        int n = context.degree();
        RnsPoly[][] out = new RnsPoly[rows][size];
        par.forEach(rows * size, task -> {
            int r = task / size;
            int p = task % size;
            RnsPoly src = s.out[r][p];
            long[] last = src.limb(level); // owned here: transformed in place
            ring.ntt(level).inverse(last);
            long[] scratch = rescaleScratch.get();
            for (int i = 0; i < level; i++) {
                context.rescaleLimb(src.limb(i), last, level, i, src.limb(i), scratch);
            }
            out[r][p] = new RnsPoly(n, primes, Arrays.copyOf(src.limbs(), level), true);
        });
        Ciphertext[] result = new Ciphertext[rows];
        for (int r = 0; r < rows; r++) {
            result[r] = new Ciphertext(out[r], level - 1, s.scale / qLast, context.fingerprint());
        }
        return result;
    }

    /** The unrescaled sums of a linear transform: parts per row, their level and scale. */
    private record Sums(RnsPoly[][] out, int level, double scale) {}

    private Sums sums(Ciphertext[] cts, int[][] columns, double[][] weights, double weightScale, double[] constants) {
        Arguments.present(cts, "the ciphertexts");
        Arguments.present(columns, "the columns");
        Arguments.present(weights, "the weights");
        Arguments.present(constants, "the constants");
        if (cts.length == 0 || columns.length != weights.length || constants.length != columns.length) {
            throw new IllegalArgumentException("need inputs and, per row, columns, weights and a constant: " + columns.length
                    + " column rows, " + weights.length + " weight rows, " + constants.length + " constants");
        }
        if (!(weightScale >= 1) || Double.isInfinite(weightScale)) {
            throw new IllegalArgumentException("weight scale must be finite and at least 1, got " + weightScale);
        }
        int level = Integer.MAX_VALUE;
        int size = 0;
        for (int t = 0; t < cts.length; t++) {
            context.check(Arguments.present(cts[t], "the ciphertext").fingerprint(), "a ciphertext");
            Evaluator.checkScales(cts[0].scale(), cts[t].scale(), "linearTransform input " + t);
            level = Math.min(level, cts[t].level());
            size = Math.max(size, cts[t].size());
        }
        double scale = cts[0].scale() * weightScale;
        context.checkScaleFits(scale, level);
        int rows = columns.length;
        int ones = cts.length; // the operand of the constants, in part 0: the polynomial 1 (1 at every NTT point)
        boolean anyConstant = false;
        int[][] cols = new int[rows][];
        long[][][] w = new long[rows][][]; // [row][term][limb]
        for (int r = 0; r < rows; r++) {
            if (columns[r].length != weights[r].length) {
                throw new IllegalArgumentException("row " + r + " has " + columns[r].length + " columns but " + weights[r].length + " weights");
            }
            Arguments.finite(constants[r], "constant " + r);
            boolean constant = constants[r] != 0;
            anyConstant |= constant;
            int terms = columns[r].length;
            cols[r] = constant ? Arrays.copyOf(columns[r], terms + 1) : columns[r];
            w[r] = new long[terms + (constant ? 1 : 0)][];
            for (int k = 0; k < terms; k++) {
                if (columns[r][k] < 0 || columns[r][k] >= cts.length) {
                    throw new IllegalArgumentException("row " + r + " reads input " + columns[r][k] + ", outside [0, "
                            + cts.length + ")");
                }
                double v = Arguments.finite(weights[r][k], "weight (" + r + ", " + k + ")") * weightScale;
                context.checkFits(Math.abs(v), level, "weight (" + r + ", " + k + ") × scale");
                w[r][k] = context.residues(v, level);
            }
            if (constant) {
                double v = constants[r] * scale;
                context.checkFits(Math.abs(v), level, "constant " + r + " × scale");
                cols[r][terms] = ones;
                w[r][terms] = context.residues(v, level);
            }
        }
        boolean withConstants = anyConstant;
        long[] one = new long[withConstants ? context.degree() : 0];
        Arrays.fill(one, 1L);
        int operands = cts.length + (withConstants ? 1 : 0);
        int[] q = context.levelPrimes(level);
        RnsPoly[][] out = new RnsPoly[rows][size];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < size; p++) {
                out[r][p] = ring.zero(q, true);
            }
        }
        int n = context.degree();
        int block = Math.min(TRANSFORM_BLOCK, n);
        int blocks = n / block;
        int limbs = level + 1;
        int finalSize = size;
        SparseRows[] prepared = new SparseRows[limbs];
        par.forEach(limbs, i -> {
            long[][] wi = new long[rows][];
            for (int r = 0; r < rows; r++) {
                long[] row = new long[cols[r].length];
                for (int k = 0; k < row.length; k++) {
                    row[k] = w[r][k][i];
                }
                wi[r] = row;
            }
            prepared[i] = ring.ops(i).prepareSparseRows(cols, wi, operands);
        });
        par.forEach(finalSize * limbs * blocks, task -> {
            int part = task / (limbs * blocks);
            int i = (task / blocks) % limbs;
            int from = (task % blocks) * block;
            long[][] in = new long[operands][];
            for (int t = 0; t < cts.length; t++) {
                if (part < cts[t].size()) {
                    in[t] = cts[t].part(part).limb(i);
                }
            }
            if (withConstants && part == 0) {
                in[ones] = one;
            }
            long[][] o = new long[rows][];
            for (int r = 0; r < rows; r++) {
                o[r] = out[r][part].limb(i);
            }
            ring.ops(i).sparseWeightedSums(in, prepared[i], o, from, from + block);
        });
        return new Sums(out, level, scale);
    }
}
