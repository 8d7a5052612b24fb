package org.ciphernet.nn.plan;

import java.util.Objects;

/**
 * What one step of a plan does to its inputs. The variants are the whole instruction set of the
 * runtimes; each carries the weights and scales it needs, so a runtime decides nothing. Arrays are
 * copied in and out (read them once, when a runtime prepares a plan). Compare plans by their bytes
 * or fingerprint: these records hold arrays, which {@code equals} compares by identity.
 */
public sealed interface Operation {
    /** The short name used in reports: input, add, add-plain, align, square, linear. */
    String kind();

    /** Whether the step consumes a level (its output is one level below its inputs' evaluation level). */
    boolean usesLevel();

    /** The encrypted input (step 0 of every plan). */
    record Input() implements Operation {
        @Override
        public String kind() {
            return "input";
        }

        @Override
        public boolean usesLevel() {
            return false;
        }
    }

    /** {@code a + b} of two earlier steps at one level and scale. */
    record Add() implements Operation {
        @Override
        public String kind() {
            return "add";
        }

        @Override
        public boolean usesLevel() {
            return false;
        }
    }

    /**
     * {@code x + bias}, or {@code −x + bias} when {@code negate}, at no level (negation is exact):
     * element i of the bias is added to the slot of element i (single image: a plaintext of the
     * bias in slots 0…n−1; batched: a constant on ciphertext i).
     */
    record AddBias(double[] bias, boolean negate) implements Operation {
        /** Copies the bias. */
        public AddBias {
            bias = finite(bias, "bias").clone();
        }

        /** {@code x + bias}. */
        public AddBias(double[] bias) {
            this(bias, false);
        }

        @Override
        public double[] bias() {
            return bias.clone();
        }

        @Override
        public String kind() {
            return negate ? "negate" : "add-plain";
        }

        @Override
        public boolean usesLevel() {
            return false;
        }
    }

    /**
     * An identity product that moves a stored tensor to the level and scale an addition needs: the
     * input is dropped to the step's evaluation level, multiplied by the constant 1 encoded at
     * {@code weightScale} and rescaled (one level).
     */
    record Align(double weightScale) implements Operation {
        /** Checks the scale. */
        public Align {
            positive(weightScale, "weightScale");
        }

        @Override
        public String kind() {
            return "align";
        }

        @Override
        public boolean usesLevel() {
            return true;
        }
    }

    /**
     * {@code x²}, element-wise. A 3-part input (a square whose relinearization was left for later)
     * is relinearized first.
     */
    record Square(Form form) implements Operation {
        /** Checks the form. */
        public Square {
            Objects.requireNonNull(form, "form");
        }

        /** In which order the product is relinearized and rescaled. */
        public enum Form {
            /** Rescale, then relinearize: the next step rotates (single image). */
            RESCALE_THEN_RELINEARIZE,
            /**
             * Rescale and keep 3 parts: the next linear step sums them as they are and the next square
             * relinearizes (batched, at scales where rounding a rescaled third part is harmless).
             */
            RESCALE_KEEP_THREE_PARTS,
            /** Relinearize, then rescale (batched, at small scales). */
            RELINEARIZE_THEN_RESCALE,
            /**
             * Neither: the 3-part square stays at its input's level and squared scale; the consuming
             * {@link WeightedSum} (with {@code unrescaledInputs}) relinearizes its outputs and rescales
             * them twice, so the step's planned level and scale are reached there.
             */
            UNRESCALED
        }

        @Override
        public String kind() {
            return "square";
        }

        @Override
        public boolean usesLevel() {
            return form != Form.UNRESCALED;
        }
    }

    /**
     * A matrix–vector product on one ciphertext (single image) by the diagonal method, then the
     * bias: the input is dropped to the step's evaluation level, the schedule's diagonals are
     * encoded at {@code weightScale}, and the sum is rescaled once.
     */
    record DiagonalProduct(DiagonalSchedule schedule, double weightScale, double[] bias) implements Operation {
        /** Copies the bias. */
        public DiagonalProduct {
            Objects.requireNonNull(schedule, "schedule");
            positive(weightScale, "weightScale");
            bias = finite(bias, "bias").clone();
        }

        @Override
        public double[] bias() {
            return bias.clone();
        }

        /** Whether any bias is non-zero. */
        public boolean hasBias() {
            for (double b : bias) {
                if (b != 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String kind() {
            return "linear";
        }

        @Override
        public boolean usesLevel() {
            return true;
        }
    }

    /**
     * Weighted sums of the input ciphertexts (batched: one ciphertext per element, one image per
     * slot): output r is {@code Σ_k weights[r][k] · x[columns[r][k]] + bias[r]}, weights encoded at
     * {@code weightScale}. With {@code unrescaledInputs} the inputs are unrescaled 3-part squares
     * ({@link Square.Form#UNRESCALED}) and each output is relinearized and rescaled twice;
     * otherwise the inputs are dropped to the evaluation level and each output rescaled once.
     */
    record WeightedSum(int[][] columns, double[][] weights, double weightScale, double[] bias, boolean unrescaledInputs)
            implements Operation {
        /** Checks the shapes and copies the arrays. */
        public WeightedSum {
            positive(weightScale, "weightScale");
            if (columns.length != weights.length || bias.length != columns.length) {
                throw new IllegalArgumentException("weighted sums need columns, weights and a bias per row: " + columns.length + ", "
                        + weights.length + " and " + bias.length);
            }
            columns = columns.clone();
            weights = weights.clone();
            for (int r = 0; r < columns.length; r++) {
                if (columns[r].length != weights[r].length) {
                    throw new IllegalArgumentException("row " + r + " has " + columns[r].length + " columns but " + weights[r].length
                            + " weights");
                }
                columns[r] = columns[r].clone();
                weights[r] = finite(weights[r], "weights").clone();
            }
            bias = finite(bias, "bias").clone();
        }

        /** The number of outputs. */
        public int rows() {
            return columns.length;
        }

        /** The input each term of row r reads. */
        public int[] columns(int r) {
            return columns[r].clone();
        }

        /** The weights of row r. */
        public double[] weights(int r) {
            return weights[r].clone();
        }

        @Override
        public int[][] columns() {
            int[][] c = new int[columns.length][];
            for (int r = 0; r < c.length; r++) {
                c[r] = columns[r].clone();
            }
            return c;
        }

        @Override
        public double[][] weights() {
            double[][] w = new double[weights.length][];
            for (int r = 0; r < w.length; r++) {
                w[r] = weights[r].clone();
            }
            return w;
        }

        @Override
        public double[] bias() {
            return bias.clone();
        }

        /** The number of weights (plaintext-constant products). */
        public int nonZeros() {
            int n = 0;
            for (int[] c : columns) {
                n += c.length;
            }
            return n;
        }

        @Override
        public String kind() {
            return "linear";
        }

        @Override
        public boolean usesLevel() {
            return true;
        }
    }

    private static double[] finite(double[] v, String what) {
        for (double x : Objects.requireNonNull(v, what)) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(what + " holds a non-finite value " + x);
            }
        }
        return v;
    }

    private static void positive(double scale, String what) {
        if (!(scale >= 1) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException(what + " must be finite and at least 1, got " + scale);
        }
    }
}
