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
 *   <li>predicted: the plan's noise-estimation run
 *       ({@link org.ciphernet.nn.compiler.OutputError#predictedMax}) on images of
 *       {@link #estimateRange()}, independent of the sample.</li>
 * </ul>
 *
 * @param margins the plaintext margins of the images of the plaintext pass, ascending (each ≥ 0)
 * @param observedBound {@value #OBSERVED_FACTOR} × the largest logit error of the encrypted sample
 *     (NaN without one)
 * @param predictedBound the predicted largest output error (NaN if it was not estimated)
 * @param estimateRange the input range the prediction was made for
 * @param rangeFromImages whether that range is the test images' own, used because the plan's
 *     declared range is much wider (then the prediction holds for those images only)
 */
public record MarginCertificate(double[] margins, double observedBound, double predictedBound, InputRange estimateRange,
        boolean rangeFromImages) {
    /** The observed bound is this multiple of the largest logit error measured. */
    public static final double OBSERVED_FACTOR = 2;
    /** A declared range whose width exceeds this multiple of the images' range is "much wider". */
    static final double WIDER = 4;

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
     * The range to estimate a plan's error on: the images' own if they lie within the declared one
     * and it is more than {@value #WIDER} times as wide (sample images spread over it would exercise
     * the plan far beyond what it will see, or overflow it), else the declared one.
     */
    static InputRange estimateRange(InputRange declared, InputRange images) {
        return useImages(declared, images) ? images : declared;
    }

    /** Whether {@link #estimateRange} picks the images' range. */
    static boolean useImages(InputRange declared, InputRange images) {
        boolean within = images.min() >= declared.min() && images.max() <= declared.max();
        return within && declared.max() - declared.min() > WIDER * (images.max() - images.min());
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

        /** For {@code count} images of the plaintext pass, whose values lie in the range of {@code testImages}. */
        Builder(double[][] testImages, int count) {
            this.margins = new double[count];
            this.images = range(testImages);
            this.range = images;
        }

        /** Records the margin of image {@code i} from its plaintext logits. */
        void margin(int i, double[] logits) {
            margins[i] = MarginCertificate.margin(logits);
        }

        /** Predicts the plan's output error on the images' range or its declared one ({@link #estimateRange}); replaces an earlier prediction. */
        void estimate(HePlan plan) {
            fromImages = useImages(plan.inputRange(), images);
            range = fromImages ? images : plan.inputRange();
            predicted = OutputError.predictedMax(plan, range);
        }

        /** The certificate, given the largest logit error of the encrypted sample. */
        MarginCertificate certify(double maxLogitError) {
            return new MarginCertificate(margins, OBSERVED_FACTOR * maxLogitError, predicted, range, fromImages);
        }
    }
}
