package org.ciphernet.ckks;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Rotation and conjugation keys: one key-switching key per Galois element, made for a set of
 * slot rotation steps (and optionally conjugation). Immutable.
 */
public final class GaloisKeys {
    private final Map<Integer, SwitchingKey> byElement;
    private final SortedSet<Integer> steps;
    private final boolean conjugation;
    private final long fingerprint;

    GaloisKeys(Map<Integer, SwitchingKey> byElement, SortedSet<Integer> steps, boolean conjugation, long fingerprint) {
        this.byElement = Map.copyOf(byElement);
        this.steps = new TreeSet<>(steps);
        this.conjugation = conjugation;
        this.fingerprint = fingerprint;
    }

    /** The rotation steps these keys were made for (normalized to {@code [0, N/2)}). */
    public SortedSet<Integer> steps() {
        return new TreeSet<>(steps);
    }

    /** Whether a conjugation key is present. */
    public boolean hasConjugation() {
        return conjugation;
    }

    public long fingerprint() {
        return fingerprint;
    }

    /**
     * The highest ciphertext level the key for a rotation step works at (keys can be made for low
     * levels only, see {@link KeyGenerator#galoisKeys(int[], int[], boolean)}), or −1 without a key.
     */
    public int maxLevel(int step, int slots) {
        int k = Math.floorMod(step, slots);
        if (!steps.contains(k)) {
            return -1;
        }
        SwitchingKey key = byElement.get(org.ciphernet.ntt.Galois.rotationElement(k, 2 * slots));
        return key == null ? -1 : key.maxLevel();
    }

    /** The key of a Galois element, or null. */
    SwitchingKey key(int galoisElement) {
        return byElement.get(galoisElement);
    }

    /** Total bytes of key material in memory. */
    public long sizeInBytes() {
        long s = 0;
        for (SwitchingKey k : byElement.values()) {
            s += k.sizeInBytes();
        }
        return s;
    }
}
