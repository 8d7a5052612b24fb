package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.ciphernet.ntt.internal.WeightGroups;

/**
 * The grouped rows of a {@link SplitWeightSums} preparation ({@link WeightGroups}: operands of equal
 * weight added first) and their blocked pass: per tile, block by block of {@link #BLOCK_COLUMNS}
 * operands, every grouped row adds its segments (runs of one group's operands within the block) to
 * its groups' sums, so that a block's tile, read by every grouped row, stays in L1. Each row's
 * group sums sit at {@code base(r) + g·TILE} of one buffer; exactness is argued in
 * {@link SplitWeightSums}' class comment (a group sum absorbs at most {@code addsPerReduction}
 * canonical operands before its single reduction).
 */
final class GroupedTiles {
    private static final VectorSpecies<Double> DS = VectorNtt.DS;
    private static final int L = VectorNtt.L;
    private static final int TILE = SplitWeightSums.TILE;
    /** Operand columns per block: one tile of a block's operands, 24 KiB, stays in L1 (12 and 48 KiB measured slower). */
    static final int BLOCK_COLUMNS = Math.max(8, 24 * 1024 / (TILE * 8));

    /** Per row, null when it is not grouped: operand offsets sorted by (block, group); segment starts and group slots; each block's first segment. */
    private final int[][] offsets;
    private final int[][] starts;
    private final int[][] slots;
    private final int[][] blockSegments;
    private final int[] base;
    private final int blocks;
    private int size;
    private int[] rows;

    GroupedTiles(int rows, int inputs) {
        this.offsets = new int[rows][];
        this.starts = new int[rows][];
        this.slots = new int[rows][];
        this.blockSegments = new int[rows][];
        this.base = new int[rows];
        this.blocks = (inputs + BLOCK_COLUMNS - 1) / BLOCK_COLUMNS;
    }

    /**
     * Lays out row r's groups (columns and groups below 2^21, checked by the caller) and marks its
     * operands used.
     */
    void add(int r, WeightGroups wg, boolean[] used) {
        int n = wg.terms();
        long[] keys = new long[n];
        for (int g = 0; g < wg.groups(); g++) {
            for (int k = wg.starts()[g]; k < wg.starts()[g + 1]; k++) {
                int c = wg.columns()[k];
                used[c] = true;
                keys[k] = ((long) (c / BLOCK_COLUMNS) << 42) | ((long) g << 21) | c;
            }
        }
        java.util.Arrays.sort(keys);
        int[] off = new int[n];
        int[] segStarts = new int[n + 1];
        int[] segSlots = new int[n];
        int[] perBlock = new int[blocks + 1];
        int segs = 0;
        for (int k = 0; k < n; k++) {
            int c = (int) (keys[k] & ((1 << 21) - 1));
            int g = (int) ((keys[k] >>> 21) & ((1 << 21) - 1));
            off[k] = c * TILE;
            if (k == 0 || (keys[k] >>> 21) != (keys[k - 1] >>> 21)) {
                segStarts[segs] = k;
                segSlots[segs] = g * TILE;
                perBlock[c / BLOCK_COLUMNS + 1] = ++segs;
            }
        }
        segStarts[segs] = n;
        for (int b = 1; b <= blocks; b++) {
            perBlock[b] = Math.max(perBlock[b], perBlock[b - 1]);
        }
        offsets[r] = off;
        starts[r] = java.util.Arrays.copyOf(segStarts, segs + 1);
        slots[r] = java.util.Arrays.copyOf(segSlots, segs);
        blockSegments[r] = perBlock;
        base[r] = size;
        size += wg.groups() * TILE;
        rows = null;
    }

    boolean isGrouped(int r) {
        return offsets[r] != null;
    }

    /** The grouped rows, in order. */
    int[] rows() {
        if (rows == null) {
            rows = java.util.stream.IntStream.range(0, offsets.length).filter(this::isGrouped).toArray();
        }
        return rows;
    }

    /** Where row r's group sums start in the buffer. */
    int base(int r) {
        return base[r];
    }

    /** The doubles of the group-sum buffer. */
    int size() {
        return size;
    }

    /**
     * Every grouped row's group sums over one tile (operands at {@code xs[j + offset]}), reduced
     * ({@code |s| <= (q+1)/2}), into {@code gs[0, size())}.
     */
    void sums(double[] xs, int j, double[] gs, DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        java.util.Arrays.fill(gs, 0, size, 0.0);
        int[] grouped = rows();
        for (int blk = 0; blk < blocks; blk++) {
            for (int r : grouped) {
                int[] st = starts[r];
                int[] sl = slots[r];
                int[] off = offsets[r];
                int gb = base[r];
                int[] bs = blockSegments[r];
                for (int s = bs[blk], end = bs[blk + 1]; s < end; s++) {
                    addChunk(xs, j, off, st[s], st[s + 1], gs, gb + sl[s]);
                }
            }
        }
        for (int o = 0; o < size; o += L) {
            DoubleVector v = DoubleVector.fromArray(DS, gs, o);
            v.fma(qinvv, rv).sub(rv).fma(qv, v).intoArray(gs, o);
        }
    }

    /** Adds operands {@code [k0, k1)} to the group sum at {@code gs[o, o + TILE)}, in registers meanwhile. */
    private static void addChunk(double[] xs, int j, int[] off, int k0, int k1, double[] gs, int o) {
        DoubleVector s0 = DoubleVector.fromArray(DS, gs, o);
        DoubleVector s1 = DoubleVector.fromArray(DS, gs, o + L);
        DoubleVector s2 = DoubleVector.fromArray(DS, gs, o + 2 * L);
        DoubleVector s3 = DoubleVector.fromArray(DS, gs, o + 3 * L);
        for (int k = k0; k < k1; k++) {
            int p = off[k] + j;
            s0 = s0.add(DoubleVector.fromArray(DS, xs, p));
            s1 = s1.add(DoubleVector.fromArray(DS, xs, p + L));
            s2 = s2.add(DoubleVector.fromArray(DS, xs, p + 2 * L));
            s3 = s3.add(DoubleVector.fromArray(DS, xs, p + 3 * L));
        }
        s0.intoArray(gs, o);
        s1.intoArray(gs, o + L);
        s2.intoArray(gs, o + 2 * L);
        s3.intoArray(gs, o + 3 * L);
    }
}
