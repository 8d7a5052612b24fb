package org.ciphernet.harness;

import java.util.Arrays;
import java.util.Objects;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.compiler.OutputError;

/**
 * Which test images provably keep their plaintext class under encryption. An image's margin is its
 * plaintext top-1 logit minus its top-2 logit. If every decrypted logit is within {@code b} of the
 * plaintext one, the top-1 logit drops by at most {@code b} and any other rises by at most
 * {@code b}, so an image whose margin exceeds {@code 2b} keeps its class. Two bounds {@code b}:
 * <ul>
 *   <li>observed: {@value #OBSERVED_FACTOR} × the largest |decrypted − plaintext| logit error
 *       measured on the encrypted sample (a safety factor over a sample, not a proof);</li>
 *   <li>predicted: the plan's own noise on the last {@value #SAMPLE} test images, read from the
 *       imaginary parts at the output slots under throwaway keys, times 4
 *       ({@link org.ciphernet.nn.compiler.OutputError#predictedMax(HePlan, double[][])}): no
 *       plaintext reference needed, and independent of the encrypted sample.</li>
 * </ul>
 *
 * @param margins the plaintext margins of the images of the plaintext pass, ascending (each ≥ 0)
 * @param observedBound {@value #OBSERVED_FACTOR} × the largest logit error of the encrypted sample
 *     (NaN without one)
 * @param predictedBound the predicted largest output error (NaN if it was not estimated)
 * @param estimateRange the range of the images the prediction was made on
 * @param rangeFromImages whether that range is the test images' own (always, in the harness)
 */
public record MarginCertificate(double[] margins, double observedBound, double predictedBound, InputRange estimateRange,
        boolean rangeFromImages) {
    /** The observed bound is this multiple of the largest logit error measured. */
    public static final double OBSERVED_FACTOR = 2;
    /** A declared range whose width exceeds this multiple of the images' range is "much wider". */
    /** Test images the predicted bound is measured on (the last ones of the test set). */
    static final int SAMPLE = 16;

    /** Sorts a copy of the margins and checks them. */
    public MarginCertificate {
        Objects.requireNonNull(estimateRange, "estimateRange");
        margins = margins.clone();
        Arrays.sort(margins);
        if (margins.length > 0 && !(margins[0] >= 0)) {
            throw new IllegalArgumentException("margins are non-negative numbers, got " + margins[0]);
        }
    }

    /** The margins, ascending (a copy). */
    @Override
    public double[] margins() {
        return margins.clone();
    }

    /** The images of the plaintext pass. */
    public int images() {
        return margins.length;
    }

    /** The share of the plaintext pass certified by the observed bound. */
    public double certifiedObserved() {
        return certified(margins, observedBound);
    }

    /** The share of the plaintext pass certified by the predicted bound. */
    public double certifiedPredicted() {
        return certified(margins, predictedBound);
    }

    /**
     * The top-1 minus top-2 logit: 0 for a tie at the top (the class is then ambiguous already),
     * +∞ for a single logit (nothing can overtake it).
     *
     * @throws IllegalArgumentException for no logits or a NaN one
     */
    public static double margin(double[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits");
        }
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("a logit is NaN");
            }
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return logits.length == 1 ? Double.POSITIVE_INFINITY : first - second;
    }

    /**
     * The share of margins strictly above {@code 2 × bound} (an image exactly at it could tie); NaN
     * if the bound is NaN or there are no margins.
     */
    public static double certified(double[] margins, double bound) {
        if (Double.isNaN(bound) || margins.length == 0) {
            return Double.NaN;
        }
        int n = 0;
        for (double m : margins) {
            n += m > 2 * bound ? 1 : 0;
        }
        return (double) n / margins.length;
    }

    /** The smallest and largest value of any image (the images must be non-empty). */
    static InputRange range(double[][] images) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] image : images) {
            for (double v : image) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new InputRange(lo, hi);
    }

    /**
     * A certificate in the making: the margins come from the plaintext pass, the predicted bound from
     * the plan (estimated before the run's own keys exist, so that two key sets never share the heap),
     * the observed bound from the encrypted sample.
     */
    static final class Builder {
        private final double[] margins;
        private final InputRange images;
        private double predicted = Double.NaN;
        private InputRange range;
        private boolean fromImages;
        /** The test images the prediction runs on. */
        private final double[][] sample;

        /** For {@code count} images of the plaintext pass, whose values lie in the range of {@code testImages}. */
        Builder(double[][] testImages, int count) {
            this.margins = new double[count];
            this.images = range(testImages);
            this.range = images;
            this.sample = Arrays.copyOfRange(testImages, Math.max(0, testImages.length - SAMPLE), testImages.length);
        }

        /** Records the margin of image {@code i} from its plaintext logits. */
        void margin(int i, double[] logits) {
            margins[i] = MarginCertificate.margin(logits);
        }

        /**
         * Predicts the plan's output error from a run on the last {@value #SAMPLE} test images (not
         * in the encrypted sample, which starts at the first, unless the whole set is encrypted);
         * replaces an earlier prediction.
         */
        void estimate(HePlan plan) {
            predicted = OutputError.predictedMax(plan, sample);
            range = images;
            fromImages = true;
        }

        /** The certificate, given the largest logit error of the encrypted sample. */
        MarginCertificate certify(double maxLogitError) {
            return new MarginCertificate(margins, OBSERVED_FACTOR * maxLogitError, predicted, range, fromImages);
        }
    }
}
