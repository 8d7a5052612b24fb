package org.ciphernet.ckks;

import java.util.Arrays;

/**
 * Reusable arrays of N residues, the temporaries of key switching, rescaling and linear layers,
 * so that a hot path allocates only its results. Thread-safe: any thread may take arrays and give
 * them back; a task that submits parallel work may keep arrays it took across that work, because
 * arrays are never shared between holders (unlike a per-thread scratch, which a fork-join worker
 * helping with other tasks could reenter).
 *
 * <p>Invariant: an array is either held by exactly one caller or lies in the pool, never both; a
 * caller gives back only arrays it took and never touches them afterwards. The pool keeps at
 * most {@link #capacity()} arrays (what one operation at the largest level needs, times a margin):
 * arrays given beyond that are left to the garbage collector, so a burst of parallel work cannot
 * pin memory for ever.
 */
final class LimbPool {
    private final int n;
    private final int capacity;
    private long[][] free;
    private int size;

    /** A pool of arrays of length {@code n} that keeps at most {@code capacity} of them. */
    LimbPool(int n, int capacity) {
        if (n < 1 || capacity < 0) {
            throw new IllegalArgumentException("pool of arrays of " + n + " residues, capacity " + capacity);
        }
        this.n = n;
        this.capacity = capacity;
        this.free = new long[Math.min(capacity, 64)][];
    }

    /** The most arrays kept for reuse. */
    int capacity() {
        return capacity;
    }

    /** Arrays lying in the pool now (for tests). */
    synchronized int available() {
        return size;
    }

    /** An array of N residues with unspecified contents. */
    long[] take() {
        synchronized (this) {
            if (size > 0) {
                long[] a = free[--size];
                free[size] = null;
                return a;
            }
        }
        return new long[n];
    }

    /** An array of N zeros. */
    long[] takeZeroed() {
        long[] a = take();
        Arrays.fill(a, 0L);
        return a;
    }

    /** {@code count} arrays with unspecified contents. */
    long[][] take(int count) {
        long[][] a = new long[count][];
        for (int i = 0; i < count; i++) {
            a[i] = take();
        }
        return a;
    }

    /** {@code count} arrays of zeros. */
    long[][] takeZeroed(int count) {
        long[][] a = new long[count][];
        for (int i = 0; i < count; i++) {
            a[i] = takeZeroed();
        }
        return a;
    }

    /** Gives an array back (null is ignored). */
    void give(long[] a) {
        if (a == null) {
            return;
        }
        if (a.length != n) {
            throw new IllegalArgumentException("an array of " + a.length + " residues given to a pool of " + n);
        }
        synchronized (this) {
            if (size == capacity) {
                return;
            }
            if (size == free.length) {
                free = Arrays.copyOf(free, Math.min(capacity, free.length * 2));
            }
            free[size++] = a;
        }
    }

    /** Gives every array back (nulls are ignored). */
    void give(long[][] arrays) {
        if (arrays != null) {
            for (long[] a : arrays) {
                give(a);
            }
        }
    }

    /** Gives every array back (nulls are ignored). */
    void give(long[][][] arrays) {
        if (arrays != null) {
            for (long[][] a : arrays) {
                give(a);
            }
        }
    }
}
