package org.ciphernet.nn;

import java.util.List;
import java.util.OptionalDouble;
import org.ciphernet.ckks.NoiseFlooding;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;
import org.ciphernet.nn.plan.Tap;

/**
 * The structural rules of a plan, checked whenever one is built (by the compiler or from a plan
 * file), so that a plan that passes them runs without indexing outside an array, looping, or
 * meeting a ciphertext in a form its step does not expect. The rules are what the compiler always
 * produces:
 * <ul>
 *   <li>step 0 and only step 0 is the input; every step reads earlier steps of the right sizes;</li>
 *   <li>levels: a step that multiplies (square, align, product, sum) ends one level below the level
 *       it works at, the others at it; additions, bias additions and squares read their inputs at
 *       exactly their level (they do not drop), the linear products at or above it;</li>
 *   <li>squares: single-image squares end relinearized (rotations need 2 parts); a square left
 *       unrescaled is read only by weighted sums marked for it, never is the output, and such sums
 *       read nothing else; a relinearization key is asked for exactly when something is squared;</li>
 *   <li>rotation keys: each at a level of the chain, every rotation composable from them, at or
 *       below its key's level; diagonals of the parameters' slot count;</li>
 *   <li>taps (intermediate and output) point inside the ciphertext or tensor; the network name is
 *       at most {@value #MAX_NAME} characters; a flooding width lies in the range the flooder accepts.</li>
 * </ul>
 * Violations throw {@link IllegalArgumentException} naming the step.
 */
final class PlanChecks {
    /** The longest network name a plan may carry. */
    static final int MAX_NAME = 1024;

    private PlanChecks() {
    }

    static void check(HePlan plan) {
        List<PlanStep> steps = plan.steps();
        Mode mode = plan.mode();
        int slots = plan.parameters().slots();
        int maxLevel = plan.parameters().maxLevel();
        if (plan.name().length() > MAX_NAME) {
            throw new IllegalArgumentException("the network name has " + plan.name().length() + " characters, more than " + MAX_NAME);
        }
        if (steps.isEmpty() || !(steps.get(0).operation() instanceof Operation.Input)) {
            throw new IllegalArgumentException("a plan starts with its input step");
        }
        RotationKeys keys = plan.keys();
        if (keys.slots() != slots) {
            throw new IllegalArgumentException("the rotation keys are for " + keys.slots() + " slots, the parameters have " + slots);
        }
        for (int k : keys.steps()) {
            if (keys.level(k) < 0 || keys.level(k) > maxLevel) {
                throw new IllegalArgumentException("the key for rotation " + k + " is planned for level " + keys.level(k)
                        + ", outside [0, " + maxLevel + "]");
            }
        }
        int stride = plan.imageStride();
        if (mode == Mode.PACKED ? stride < 1 || Integer.bitCount(stride) != 1 || stride > slots : stride != 0) {
            throw new IllegalArgumentException("an image stride of " + stride + " does not fit a " + mode + " plan of " + slots + " slots");
        }
        int images = mode == Mode.PACKED ? slots / stride : 1;
        if (plan.report().imagesPerCiphertext() != images) {
            throw new IllegalArgumentException("the report counts " + plan.report().imagesPerCiphertext() + " images per ciphertext, the plan "
                    + images);
        }
        // the slots one image may use: its window in a packed ciphertext, all slots for a single image
        int window = mode == Mode.PACKED ? stride : slots;
        PlanStep first = steps.get(0);
        int[] gather = plan.inputGather();
        if (gather.length > (mode == Mode.BATCHED ? first.size() : window)) {
            throw new IllegalArgumentException("the input gather has " + gather.length + " entries, more than fit");
        }
        for (int g : gather) {
            if (g < -1 || g >= first.size()) {
                throw new IllegalArgumentException("the input gather reads element " + g + " of " + first.size());
            }
        }
        boolean squares = false;
        for (int i = 0; i < steps.size(); i++) {
            PlanStep s = steps.get(i);
            if (s.index() != i) {
                throw new IllegalArgumentException("step " + i + " is numbered " + s.index());
            }
            if (i > 0 && s.operation() instanceof Operation.Input) {
                throw new IllegalArgumentException("step " + i + " is a second input");
            }
            if (s.levelIn() > maxLevel) {
                throw new IllegalArgumentException("step " + i + " works at level " + s.levelIn() + ", above the top level " + maxLevel);
            }
            boolean multiplies = switch (s.operation()) {
                case Operation.Input in -> false;
                case Operation.Add a -> false;
                case Operation.AddBias b -> false;
                default -> true;
            };
            if (s.levelOut() != s.levelIn() - (multiplies ? 1 : 0)) {
                throw new IllegalArgumentException("step " + i + " (" + s.kind() + ") goes from level " + s.levelIn() + " to "
                        + s.levelOut());
            }
            if (mode.rotates() && s.size() > window) {
                throw new IllegalArgumentException("step " + i + " has " + s.size() + " values, more than the " + window + " slots of an image");
            }
            s.tap().ifPresent(t -> checkTap(t, s, mode == Mode.BATCHED ? s.size() : window));
            squares |= s.operation() instanceof Operation.Square;
            checkInputs(steps, s, mode);
            checkOperation(plan, s, slots);
        }
        if (squares != plan.relinearization()) {
            throw new IllegalArgumentException(squares ? "the plan squares but asks for no relinearization key"
                    : "the plan asks for a relinearization key but squares nothing");
        }
        if (unrescaled(plan.output())) {
            throw new IllegalArgumentException("the output step is a square left unrescaled");
        }
        plan.output().tap().orElseThrow(() -> new IllegalArgumentException("the last step does not say where the outputs are"));
        OptionalDouble sigma = plan.report().flooding().map(FloodingBudget::serverLog2Sigma).orElse(OptionalDouble.empty());
        if (sigma.isPresent() && !(sigma.getAsDouble() >= 0 && sigma.getAsDouble() <= NoiseFlooding.MAX_LOG2_SIGMA)) {
            throw new IllegalArgumentException("the flooding width 2^" + sigma.getAsDouble() + " is outside [2^0, 2^"
                    + (int) NoiseFlooding.MAX_LOG2_SIGMA + "]");
        }
    }

    private static void checkInputs(List<PlanStep> steps, PlanStep s, Mode mode) {
        Operation op = s.operation();
        boolean readsUnrescaled = op instanceof Operation.WeightedSum w && w.unrescaledInputs();
        boolean drops = op instanceof Operation.Align || op instanceof Operation.DiagonalProduct
                || (op instanceof Operation.WeightedSum && !readsUnrescaled);
        for (int in : s.inputs()) {
            PlanStep x = steps.get(in);
            if (unrescaled(x) != readsUnrescaled) {
                throw new IllegalArgumentException(readsUnrescaled ? "step " + s.index() + " sums unrescaled squares but reads step " + in
                        : "step " + s.index() + " (" + s.kind() + ") reads the unrescaled square of step " + in);
            }
            boolean fits = drops ? x.levelOut() >= s.levelIn() : x.levelOut() == s.levelIn();
            if (!fits) {
                throw new IllegalArgumentException("step " + s.index() + " (" + s.kind() + ") works at level " + s.levelIn()
                        + " but its input " + in + " ends at level " + x.levelOut());
            }
        }
        if (op instanceof Operation.Square q && mode.rotates() && q.form() != Operation.Square.Form.RESCALE_THEN_RELINEARIZE
                && q.form() != Operation.Square.Form.RELINEARIZE_THEN_RESCALE) {
            throw new IllegalArgumentException("step " + s.index() + ": a single-image square must end relinearized, not " + q.form());
        }
    }

    private static void checkOperation(HePlan plan, PlanStep s, int slots) {
        List<PlanStep> steps = plan.steps();
        int inSize = s.inputs().length == 0 ? s.size() : steps.get(s.input(0)).size();
        switch (s.operation()) {
            case Operation.Input in -> {
            }
            case Operation.Add a -> requireSize(s, steps.get(s.input(1)).size() == s.size() && inSize == s.size());
            case Operation.Square q -> requireSize(s, inSize == s.size());
            case Operation.Align a -> requireSize(s, inSize == s.size());
            case Operation.AddBias b -> requireSize(s, inSize == s.size() && b.bias().length == s.size());
            case Operation.DiagonalProduct d -> {
                if (!plan.mode().rotates()) {
                    throw new IllegalArgumentException("step " + s.index() + " is a diagonal product in a " + plan.mode() + " plan");
                }
                requireSize(s, d.bias().length == s.size());
                DiagonalSchedule sch = d.schedule();
                if (sch.slots() != slots) {
                    throw new IllegalArgumentException("step " + s.index() + " has diagonals of " + sch.slots() + " slots, not " + slots);
                }
                RotationKeys keys = plan.keys();
                for (int st : sch.steps()) {
                    for (int k : keys.compose(st)) { // throws if a rotation cannot be composed
                        if (keys.level(k) < s.levelIn()) {
                            throw new IllegalArgumentException("step " + s.index() + " rotates by " + k + " at level " + s.levelIn()
                                    + " but its key is planned up to level " + keys.level(k));
                        }
                    }
                }
            }
            case Operation.WeightedSum w -> {
                requireMode(plan, s, Mode.BATCHED);
                requireSize(s, w.rows() == s.size());
                for (int r = 0; r < w.rows(); r++) {
                    for (int c : w.columns(r)) {
                        if (c < 0 || c >= inSize) {
                            throw new IllegalArgumentException("step " + s.index() + " row " + r + " reads input " + c + " of " + inSize);
                        }
                    }
                }
            }
        }
    }

    private static boolean unrescaled(PlanStep s) {
        return s.operation() instanceof Operation.Square q && q.form() == Operation.Square.Form.UNRESCALED;
    }

    private static void checkTap(Tap t, PlanStep s, int bound) {
        for (int x : t.slots()) {
            if (x < 0 || x >= bound) {
                throw new IllegalArgumentException("step " + s.index() + " says layer " + t.layer() + " is at " + x + ", outside [0, "
                        + bound + ")");
            }
        }
    }

    private static void requireSize(PlanStep s, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("step " + s.index() + " (" + s.kind() + ") has inputs or weights of the wrong size");
        }
    }

    private static void requireMode(HePlan plan, PlanStep s, Mode m) {
        if (plan.mode() != m) {
            throw new IllegalArgumentException("step " + s.index() + " is a " + m + " operation in a " + plan.mode() + " plan");
        }
    }
}
