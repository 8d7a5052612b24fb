package org.ciphernet.nn.compiler;

import java.util.Arrays;

/**
 * An immutable sparse real matrix in compressed-row form: the form every linear layer takes inside
 * the compiler, so that consecutive linear layers fuse by a sparse product and the diagonal
 * planner sees only the non-zero entries.
 */
final class SparseMatrix {
    private final int rows;
    private final int cols;
    private final int[] rowStart;
    private final int[] col;
    private final double[] val;

    private SparseMatrix(int rows, int cols, int[] rowStart, int[] col, double[] val) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.col = col;
        this.val = val;
    }

    /** The n×n identity. */
    static SparseMatrix identity(int n) {
        Builder b = new Builder(n, n);
        for (int i = 0; i < n; i++) {
            b.add(i, i, 1);
        }
        return b.build();
    }

    /** A diagonal matrix. */
    static SparseMatrix diagonal(double[] d) {
        Builder b = new Builder(d.length, d.length);
        for (int i = 0; i < d.length; i++) {
            b.add(i, i, d[i]);
        }
        return b.build();
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    int nonZeros() {
        return col.length;
    }

    int rowStart(int r) {
        return rowStart[r];
    }

    int rowEnd(int r) {
        return rowStart[r + 1];
    }

    int colAt(int k) {
        return col[k];
    }

    double valueAt(int k) {
        return val[k];
    }

    /** {@code this · x}. */
    double[] multiply(double[] x) {
        if (x.length != cols) {
            throw new IllegalArgumentException("vector of " + x.length + " for a matrix of " + cols + " columns");
        }
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                s += val[k] * x[col[k]];
            }
            y[r] = s;
        }
        return y;
    }

    /** The product {@code this · other}. */
    SparseMatrix compose(SparseMatrix other) {
        if (cols != other.rows) {
            throw new IllegalArgumentException("cannot compose " + rows + "×" + cols + " with " + other.rows + "×" + other.cols);
        }
        Builder b = new Builder(rows, other.cols);
        double[] acc = new double[other.cols];
        int[] mark = new int[other.cols];
        Arrays.fill(mark, -1);
        int[] touched = new int[other.cols];
        for (int r = 0; r < rows; r++) {
            int t = 0;
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                int mid = col[k];
                double v = val[k];
                for (int m = other.rowStart[mid]; m < other.rowStart[mid + 1]; m++) {
                    int c = other.col[m];
                    if (mark[c] != r) {
                        mark[c] = r;
                        acc[c] = 0;
                        touched[t++] = c;
                    }
                    acc[c] += v * other.val[m];
                }
            }
            Arrays.sort(touched, 0, t);
            for (int i = 0; i < t; i++) {
                b.add(r, touched[i], acc[touched[i]]);
            }
        }
        return b.build();
    }

    /** Whether this is the identity matrix. */
    boolean isIdentity() {
        return isIdentity(1.0);
    }

    /** Whether this is {@code sign} times the identity matrix. */
    boolean isIdentity(double sign) {
        if (rows != cols || col.length != rows) {
            return false;
        }
        for (int r = 0; r < rows; r++) {
            if (rowStart[r + 1] - rowStart[r] != 1 || col[rowStart[r]] != r || val[rowStart[r]] != sign) {
                return false;
            }
        }
        return true;
    }

    /**
     * The diagonal of a square matrix whose entries all lie on it (absent entries are zero), or
     * null when it has an entry off the diagonal.
     */
    double[] diagonalValues() {
        if (rows != cols) {
            return null;
        }
        double[] d = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                if (col[k] != r) {
                    return null;
                }
                d[r] = val[k];
            }
        }
        return d;
    }

    /** Builds a matrix from entries; duplicates are summed and exact zeros dropped. */
    static final class Builder {
        private final int rows;
        private final int cols;
        private int[] r = new int[64];
        private int[] c = new int[64];
        private double[] v = new double[64];
        private int n;

        Builder(int rows, int cols) {
            if (rows < 1 || cols < 1) {
                throw new IllegalArgumentException("matrix dimensions must be positive");
            }
            this.rows = rows;
            this.cols = cols;
        }

        Builder add(int row, int column, double value) {
            if (row < 0 || row >= rows || column < 0 || column >= cols) {
                throw new IndexOutOfBoundsException("entry (" + row + ", " + column + ") outside " + rows + "×" + cols);
            }
            if (n == r.length) {
                r = Arrays.copyOf(r, 2 * n);
                c = Arrays.copyOf(c, 2 * n);
                v = Arrays.copyOf(v, 2 * n);
            }
            r[n] = row;
            c[n] = column;
            v[n] = value;
            n++;
            return this;
        }

        SparseMatrix build() {
            int[] count = new int[rows + 1];
            for (int i = 0; i < n; i++) {
                count[r[i] + 1]++;
            }
            for (int i = 0; i < rows; i++) {
                count[i + 1] += count[i];
            }
            int[] pos = Arrays.copyOf(count, rows);
            int[] cc = new int[n];
            double[] vv = new double[n];
            for (int i = 0; i < n; i++) {
                int p = pos[r[i]]++;
                cc[p] = c[i];
                vv[p] = v[i];
            }
            // sort each row by column, merge duplicates, drop zeros
            int[] start = new int[rows + 1];
            int out = 0;
            long[] keys = new long[0];
            for (int row = 0; row < rows; row++) {
                int from = count[row];
                int to = count[row + 1];
                int len = to - from;
                if (keys.length < len) {
                    keys = new long[Math.max(len, 2 * keys.length)];
                }
                for (int i = 0; i < len; i++) {
                    keys[i] = ((long) cc[from + i] << 32) | i;
                }
                Arrays.sort(keys, 0, len);
                start[row] = out;
                double[] rowVals = Arrays.copyOfRange(vv, from, to);
                int i = 0;
                while (i < len) {
                    int column = (int) (keys[i] >>> 32);
                    double s = 0;
                    while (i < len && (int) (keys[i] >>> 32) == column) {
                        s += rowVals[(int) keys[i]];
                        i++;
                    }
                    if (s != 0) {
                        cc[out] = column;
                        vv[out] = s;
                        out++;
                    }
                }
            }
            start[rows] = out;
            return new SparseMatrix(rows, cols, start, Arrays.copyOf(cc, out), Arrays.copyOf(vv, out));
        }
    }
}
