package org.ciphernet.nn;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a compiled plan costs, per step and in total: the levels each step consumes, its rotations
 * (key switches for Galois automorphisms), relinearizations and plaintext products, and the size
 * of the evaluation keys. {@link #toString()} renders it as a table.
 *
 * @param rows one row per step of the plan
 * @param parameters a one-line description of the CKKS parameters
 * @param depth levels consumed from input to output
 * @param rotationSteps the exact rotation steps keys are generated for
 * @param galoisKeyBytes the memory of the Galois keys
 * @param relinearizationKeyBytes the memory of the relinearization key (0 if none is needed)
 * @param flooding the cost of noise flooding, if the plan floods its outputs ({@link FloodingOptions})
 * @param imagesPerCiphertext the images one evaluation serves in a packed plan (1 otherwise; the
 *     rows count the work of one evaluation)
 * @param inputShape the network's input shape (channels, height, width) as compiled, or empty for
 *     a plan read from a file written before plans recorded it (version 3 and older)
 */
public record PlanReport(String network, Mode mode, List<Row> rows, String parameters, int depth, List<Integer> rotationSteps,
        long galoisKeyBytes, long relinearizationKeyBytes, Optional<FloodingBudget> flooding, int imagesPerCiphertext,
        List<Integer> inputShape) {
    /** Copies the lists; checks the shape's dimensions. */
    public PlanReport {
        rows = List.copyOf(rows);
        rotationSteps = List.copyOf(rotationSteps);
        inputShape = List.copyOf(inputShape);
        Objects.requireNonNull(flooding, "flooding");
        if (imagesPerCiphertext < 1) {
            throw new IllegalArgumentException("images per ciphertext " + imagesPerCiphertext);
        }
        long size = 1;
        for (int d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("input shape " + inputShape + " has a dimension below 1");
            }
            size = Math.min(size * d, Integer.MAX_VALUE + 1L);
        }
        if (inputShape.size() > 4 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input shape " + inputShape + ": at most 4 dimensions of at most 2^31 - 1 values");
        }
    }

    /** A report without a recorded input shape. */
    public PlanReport(String network, Mode mode, List<Row> rows, String parameters, int depth, List<Integer> rotationSteps,
            long galoisKeyBytes, long relinearizationKeyBytes, Optional<FloodingBudget> flooding, int imagesPerCiphertext) {
        this(network, mode, rows, parameters, depth, rotationSteps, galoisKeyBytes, relinearizationKeyBytes, flooding,
                imagesPerCiphertext, List.of());
    }

    /** A report of a plan that is not packed. */
    public PlanReport(String network, Mode mode, List<Row> rows, String parameters, int depth, List<Integer> rotationSteps,
            long galoisKeyBytes, long relinearizationKeyBytes, Optional<FloodingBudget> flooding) {
        this(network, mode, rows, parameters, depth, rotationSteps, galoisKeyBytes, relinearizationKeyBytes, flooding, 1);
    }

    /** A report without flooding, of a plan that is not packed. */
    public PlanReport(String network, Mode mode, List<Row> rows, String parameters, int depth, List<Integer> rotationSteps,
            long galoisKeyBytes, long relinearizationKeyBytes) {
        this(network, mode, rows, parameters, depth, rotationSteps, galoisKeyBytes, relinearizationKeyBytes, Optional.empty(), 1);
    }

    /** This report with a flooding budget. */
    public PlanReport withFlooding(FloodingBudget budget) {
        return new PlanReport(network, mode, rows, parameters, depth, rotationSteps, galoisKeyBytes, relinearizationKeyBytes,
                Optional.of(budget), imagesPerCiphertext, inputShape);
    }

    /**
     * One step.
     *
     * @param layers the model layers the step implements (fused ones joined by '+')
     * @param kind linear, square, add, add-plain, negate, align or input
     * @param levelIn the level its products happen at
     * @param levelOut its output level
     * @param rotations key-switched rotations (hoisted baby steps included)
     * @param hoisted of those, baby steps sharing one decomposition
     * @param keySwitches rotations plus relinearizations
     * @param modDowns divisions by P that end key switches, each of a two-part result: one per key
     *     switch, except that hoisted baby steps share one per giant group
     * @param plaintextProducts plaintext (or constant) products
     * @param detail the packing of a linear step (diagonals, baby/giant split, fold)
     */
    public record Row(String layers, String kind, int levelIn, int levelOut, int rotations, int hoisted, int keySwitches,
            int modDowns, int plaintextProducts, double log2Scale, String detail) {
    }

    /** Total rotations. */
    public int rotations() {
        return rows.stream().mapToInt(Row::rotations).sum();
    }

    /** Total key switches. */
    public int keySwitches() {
        return rows.stream().mapToInt(Row::keySwitches).sum();
    }

    /** Total ModDowns (see {@link Row#modDowns}). */
    public int modDowns() {
        return rows.stream().mapToInt(Row::modDowns).sum();
    }

    /** Total plaintext products. */
    public int plaintextProducts() {
        return rows.stream().mapToInt(Row::plaintextProducts).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("plan for %s (%s): %s, depth %d%n", network, mode, parameters, depth));
        sb.append(String.format("%-44s %-9s %7s %6s %6s %7s %7s %7s %7s  %s%n", "layers", "kind", "levels", "rots", "hoist",
                "kswitch", "moddown", "ptmul", "log2 Δ", "packing"));
        for (Row r : rows) {
            String layers = r.layers.length() > 44 ? r.layers.substring(0, 41) + "..." : r.layers;
            sb.append(String.format("%-44s %-9s %3d→%-3d %6d %6d %7d %7d %7d %7.2f  %s%n", layers, r.kind, r.levelIn, r.levelOut,
                    r.rotations, r.hoisted, r.keySwitches, r.modDowns, r.plaintextProducts, r.log2Scale, r.detail));
        }
        sb.append(String.format("total: %d rotations, %d key switches, %d ModDowns, %d plaintext products%n", rotations(),
                keySwitches(), modDowns(), plaintextProducts()));
        if (imagesPerCiphertext > 1) {
            sb.append(String.format("packed: %d images per ciphertext; per image %.1f rotations, %.1f key switches, %.1f plaintext products%n",
                    imagesPerCiphertext, rotations() / (double) imagesPerCiphertext, keySwitches() / (double) imagesPerCiphertext,
                    plaintextProducts() / (double) imagesPerCiphertext));
        }
        sb.append(String.format("keys: %d rotation steps %s: %.1f MiB Galois keys + %.1f MiB relinearization key%n",
                rotationSteps.size(), rotationSteps.size() > 24 ? "(…)" : rotationSteps.toString(), galoisKeyBytes / 1048576.0,
                relinearizationKeyBytes / 1048576.0));
        flooding.ifPresent(f -> sb.append(f).append(System.lineSeparator()));
        return sb.toString();
    }
}
