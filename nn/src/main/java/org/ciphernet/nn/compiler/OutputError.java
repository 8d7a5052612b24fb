package org.ciphernet.nn.compiler;

import java.util.Objects;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.PlanReport;

/**
 * The largest error a compiled plan is predicted to leave on its outputs, from a noise-estimation
 * run of the plan (the run that also sizes noise flooding): the plan is evaluated under a throwaway key pair, never the caller's, on fixed pseudo-random
 * images of an input range (uniform values, and images of the range's end points only; one batch
 * of N/2 images for a batched plan, two images otherwise), and the error of every output slot is
 * read from the imaginary parts, which a real-valued network leaves pure error. The largest such
 * error, times a safety factor of 4, is the prediction, in the units of the outputs (logits).
 *
 * <p>The prediction is heuristic: it holds for inputs like the sample ones, which is why the range
 * should be that of the images the plan will see. It measures the evaluation alone: a plan that
 * floods its outputs is estimated without its flooding. Deterministic (the same plan and range give
 * the same figure). It costs a key generation and one or two encrypted inferences of the plan, with
 * their memory: run it when no other server of a large plan holds its keys.
 */
public final class OutputError {
    /** The safety factor on the measured error. */
    public static final double MARGIN = NoiseEstimation.MARGIN;

    private OutputError() {
    }

    /** The predicted largest output error of a plan on images of its declared input range ({@link HePlan#inputRange()}). */
    public static double predictedMax(HePlan plan) {
        return predictedMax(plan, plan.inputRange());
    }

    /**
     * The predicted largest |decrypted − exact| output of a plan on images whose values lie in
     * {@code inputs}.
     *
     * @throws IllegalArgumentException if {@code inputs} is not within the plan's declared range
     */
    public static double predictedMax(HePlan plan, InputRange inputs) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(inputs, "inputs");
        InputRange declared = plan.inputRange();
        if (inputs.min() < declared.min() || inputs.max() > declared.max()) {
            throw new IllegalArgumentException("the input range " + inputs + " is not within the plan's declared range " + declared);
        }
        PlanReport r = plan.report();
        HePlan unflooded = r.flooding().isEmpty() ? plan
                : plan.withReport(new PlanReport(r.network(), r.mode(), r.rows(), r.parameters(), r.depth(), r.rotationSteps(),
                        r.galoisKeyBytes(), r.relinearizationKeyBytes(), java.util.Optional.empty(), r.imagesPerCiphertext(),
                        r.inputShape()));
        return NoiseEstimation.measure(unflooded, inputs).maxSlotError() * MARGIN;
    }

    /**
     * The predicted largest output error of a plan on images like the given ones: the noise of a
     * run on them (single image: the first two, each alone; packed: one ciphertext of them;
     * batched: one batch), read from the imaginary parts at the output positions only, times
     * {@link #MARGIN}. Sample images from the data the plan will see give a prediction for that
     * data; synthetic images far from it (as the range-based estimate uses) can drive a
     * polynomial network's values, and so its error, far beyond what real inputs do.
     *
     * @throws IllegalArgumentException if {@code images} is empty or an image does not fit the plan
     */
    public static double predictedMax(HePlan plan, double[][] images) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(images, "images");
        PlanReport r = plan.report();
        HePlan unflooded = r.flooding().isEmpty() ? plan
                : plan.withReport(new PlanReport(r.network(), r.mode(), r.rows(), r.parameters(), r.depth(), r.rotationSteps(),
                        r.galoisKeyBytes(), r.relinearizationKeyBytes(), java.util.Optional.empty(), r.imagesPerCiphertext(),
                        r.inputShape()));
        return NoiseEstimation.outputError(unflooded, images) * MARGIN;
    }
}
