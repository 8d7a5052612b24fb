package org.ciphernet.nn.plan;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How many plaintext operands a plan multiplies by, and how many of them are distinct (issue 17,
 * parameter clustering: fewer distinct values mean fewer plaintexts to encode and cache, or products
 * by constants instead of plaintexts).
 *
 * @param diagonals           the (giant, baby) diagonals of every diagonal product, one plaintext
 *                            product each (single-image and packed plans)
 * @param distinctDiagonals   the plaintexts a single-image runtime encodes for them when it caches
 *                            them: equal diagonals at the same level, scale and extension counted
 *                            once ({@link DiagonalKey})
 * @param weightedTerms       the terms of every weighted-sum row (batched plans), one product by a
 *                            constant each
 * @param distinctWeights     per weighted-sum step, its distinct weight values (compared by bits),
 *                            summed over the steps
 * @param distinctRowWeights  per weighted-sum row, its distinct weight values, summed over every
 *                            row: the products left when each row adds the operands of equal
 *                            weight first (as the batched kernels do where that pays)
 */
public record PlaintextCounts(long diagonals, long distinctDiagonals, long weightedTerms, long distinctWeights,
        long distinctRowWeights) {

    /** Counts the plaintext operands of a plan's steps; {@code keys} are the plan's rotation keys. */
    public static PlaintextCounts of(List<PlanStep> steps, RotationKeys keys) {
        long[] diagonals = new long[1];
        Set<DiagonalKey> distinct = new HashSet<>();
        DiagonalKey.forEach(steps, keys, (s, d, gi, bi, key) -> {
            diagonals[0]++;
            distinct.add(key);
        });
        long terms = 0;
        long stepWeights = 0;
        long rowWeights = 0;
        for (PlanStep s : steps) {
            if (s.operation() instanceof Operation.WeightedSum w) {
                Set<Long> inStep = new HashSet<>();
                for (double[] row : w.weights()) {
                    Set<Long> inRow = new HashSet<>();
                    for (double x : row) {
                        inRow.add(Double.doubleToLongBits(x));
                    }
                    terms += row.length;
                    rowWeights += inRow.size();
                    inStep.addAll(inRow);
                }
                stepWeights += inStep.size();
            }
        }
        return new PlaintextCounts(diagonals[0], distinct.size(), terms, stepWeights, rowWeights);
    }
}
