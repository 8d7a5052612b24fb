package org.ciphernet.nn;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;
import org.ciphernet.nn.plan.Tap;

/**
 * A compiled network: the program a runtime executes. It holds the CKKS parameters, how the client
 * lays an image out in the slots, every {@link PlanStep} with its levels, scale, operation and
 * weights, the rotation keys, and the compiler's cost report. Immutable; made by the compiler
 * ({@code org.ciphernet.nn.compiler.Compiler}) or read from a plan file ({@link #read},
 * {@link #fromBytes}), which never runs the compiler. Its {@link #fingerprint()} covers the whole
 * program, weights included: the client spec, the evaluation keys and every
 * {@link EncryptedTensor} carry it, so a client and a server that hold different plans are refused.
 */
public final class HePlan {
    private final String name;
    private final Mode mode;
    private final CkksParameters parameters;
    private final InputRange inputRange;
    private final int[] inputGather;
    private final List<PlanStep> steps;
    private final RotationKeys keys;
    private final boolean relinearization;
    private final PlanReport report;
    private final long programDigest;
    private volatile CkksContext context;
    private volatile ClientSpec clientSpec;

    /**
     * A plan; its structure is checked (so a plan read from a file cannot index outside its arrays).
     *
     * @param name the network's name
     * @param mode single-image or batched
     * @param parameters the CKKS parameters
     * @param inputRange the input values the plan was compiled for
     * @param inputGather for each slot of the encrypted vector, the image index it holds, or −1
     *     (batched: the identity, one ciphertext per element)
     * @param steps the program, step 0 the input; the last step's {@link Tap} locates the outputs
     * @param keys the rotation keys the program uses
     * @param relinearization whether it needs a relinearization key
     * @param report the compiler's cost report
     * @throws IllegalArgumentException if the parts do not fit together
     */
    public HePlan(String name, Mode mode, CkksParameters parameters, InputRange inputRange, int[] inputGather, List<PlanStep> steps,
            RotationKeys keys, boolean relinearization, PlanReport report) {
        this.name = Objects.requireNonNull(name, "name");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.inputRange = Objects.requireNonNull(inputRange, "inputRange");
        this.inputGather = inputGather.clone();
        this.steps = List.copyOf(steps);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.relinearization = relinearization;
        this.report = Objects.requireNonNull(report, "report");
        check();
        this.programDigest = PlanFile.digest(this);
    }

    /**
     * This plan with another report (for example the same one with a flooding budget): the program
     * is unchanged and the CKKS context, if already built, is shared.
     */
    public HePlan withReport(PlanReport newReport) {
        HePlan p = new HePlan(name, mode, parameters, inputRange, inputGather, steps, keys, relinearization, newReport);
        p.context = context;
        return p;
    }

    private void check() {
        if (steps.isEmpty() || !(steps.get(0).operation() instanceof Operation.Input)) {
            throw new IllegalArgumentException("a plan starts with its input step");
        }
        int slots = parameters.slots();
        if (keys.slots() != slots) {
            throw new IllegalArgumentException("the rotation keys are for " + keys.slots() + " slots, the parameters have " + slots);
        }
        PlanStep first = steps.get(0);
        for (int g : inputGather) {
            if (g < -1 || g >= first.size()) {
                throw new IllegalArgumentException("the input gather reads element " + g + " of " + first.size());
            }
        }
        if (inputGather.length > (mode == Mode.BATCHED ? first.size() : slots)) {
            throw new IllegalArgumentException("the input gather has " + inputGather.length + " entries, more than fit");
        }
        for (int i = 0; i < steps.size(); i++) {
            PlanStep s = steps.get(i);
            if (s.index() != i) {
                throw new IllegalArgumentException("step " + i + " is numbered " + s.index());
            }
            if (s.levelIn() > parameters.maxLevel()) {
                throw new IllegalArgumentException("step " + i + " works at level " + s.levelIn() + ", above the top level "
                        + parameters.maxLevel());
            }
            if (i > 0 && s.operation() instanceof Operation.Input) {
                throw new IllegalArgumentException("step " + i + " is a second input");
            }
            if (mode == Mode.SINGLE_IMAGE && s.size() > slots) {
                throw new IllegalArgumentException("step " + i + " has " + s.size() + " values, more than the " + slots + " slots");
            }
            for (int in : s.inputs()) {
                if (steps.get(in).levelOut() < s.levelIn() && !(s.operation() instanceof Operation.WeightedSum w && w.unrescaledInputs())) {
                    throw new IllegalArgumentException("step " + i + " works at level " + s.levelIn() + " but its input " + in
                            + " ends at level " + steps.get(in).levelOut());
                }
            }
            int inSize = s.inputs().length == 0 ? s.size() : steps.get(s.input(0)).size();
            switch (s.operation()) {
                case Operation.Input in -> {
                }
                case Operation.Add a -> requireSize(s, steps.get(s.input(1)).size() == s.size() && inSize == s.size());
                case Operation.Square q -> requireSize(s, inSize == s.size());
                case Operation.Align a -> requireSize(s, inSize == s.size());
                case Operation.AddBias b -> requireSize(s, inSize == s.size() && b.bias().length == s.size());
                case Operation.DiagonalProduct d -> {
                    requireMode(s, Mode.SINGLE_IMAGE);
                    requireSize(s, d.bias().length == s.size());
                    DiagonalSchedule sch = d.schedule();
                    if (sch.slots() != slots) {
                        throw new IllegalArgumentException("step " + i + " has diagonals of " + sch.slots() + " slots, not " + slots);
                    }
                    for (int st : sch.steps()) {
                        for (int k : keys.compose(st)) { // throws if a rotation cannot be composed
                            if (keys.level(k) >= 0 && keys.level(k) < s.levelIn()) {
                                throw new IllegalArgumentException("step " + i + " rotates by " + k + " at level " + s.levelIn()
                                        + " but its key is planned up to level " + keys.level(k));
                            }
                        }
                    }
                }
                case Operation.WeightedSum w -> {
                    requireMode(s, Mode.BATCHED);
                    requireSize(s, w.rows() == s.size());
                    for (int r = 0; r < w.rows(); r++) {
                        for (int c : w.columns(r)) {
                            if (c < 0 || c >= inSize) {
                                throw new IllegalArgumentException("step " + i + " row " + r + " reads input " + c + " of " + inSize);
                            }
                        }
                    }
                }
            }
        }
        Tap out = output().tap().orElseThrow(() -> new IllegalArgumentException("the last step does not say where the outputs are"));
        int bound = mode == Mode.BATCHED ? output().size() : slots;
        for (int s : out.slots()) {
            if (s < 0 || s >= bound) {
                throw new IllegalArgumentException("an output is at " + s + ", outside [0, " + bound + ")");
            }
        }
    }

    private void requireSize(PlanStep s, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("step " + s.index() + " (" + s.kind() + ") has inputs or weights of the wrong size");
        }
    }

    private void requireMode(PlanStep s, Mode m) {
        if (mode != m) {
            throw new IllegalArgumentException("step " + s.index() + " is a " + m + " operation in a " + mode + " plan");
        }
    }

    /** The network's name. */
    public String name() {
        return name;
    }

    /** Single-image or batched. */
    public Mode mode() {
        return mode;
    }

    /** The chosen parameters. */
    public CkksParameters parameters() {
        return parameters;
    }

    /** The CKKS context of the parameters (built on first use, then shared). */
    public CkksContext context() {
        CkksContext c = context;
        if (c == null) {
            synchronized (this) {
                c = context;
                if (c == null) {
                    c = CkksContext.create(parameters);
                    context = c;
                }
            }
        }
        return c;
    }

    /** The steps, step 0 the input and the last the output. */
    public List<PlanStep> steps() {
        return steps;
    }

    /** The output step. */
    public PlanStep output() {
        return steps.get(steps.size() - 1);
    }

    /** The rotation keys the program uses. */
    public RotationKeys keys() {
        return keys;
    }

    /** Whether the program needs a relinearization key. */
    public boolean relinearization() {
        return relinearization;
    }

    /** For each slot of the encrypted vector, the image index it holds, or −1 for zero. */
    public int[] inputGather() {
        return inputGather.clone();
    }

    /** Levels consumed from input to output. */
    public int depth() {
        return report.depth();
    }

    /** The cost report. */
    public PlanReport report() {
        return report;
    }

    /** The range of input values this plan was compiled for (see {@link InputRange}). */
    public InputRange inputRange() {
        return inputRange;
    }

    /** What a client needs: parameters, input layout, output location and the keys to generate. */
    public ClientSpec clientSpec() {
        ClientSpec s = clientSpec;
        if (s == null) {
            PlanStep out = output();
            PlanStep in = steps.get(0);
            List<Integer> rotationSteps = List.copyOf(keys.steps());
            s = new ClientSpec(name, mode, parameters, new ClientSpec.Input(in.size(), inputGather, in.levelOut(), in.scaleOut()),
                    new ClientSpec.Output(out.tap().orElseThrow().slots(), out.levelOut(), out.scaleOut()),
                    new ClientSpec.Keys(rotationSteps, rotationSteps.stream().map(keys::level).toList(), relinearization), inputRange,
                    report.flooding(), programDigest);
            clientSpec = s;
        }
        return s;
    }

    /** The plan's fingerprint: {@link ClientSpec#fingerprint()} of its client specification (which covers the program's digest). */
    public long fingerprint() {
        return clientSpec().fingerprint();
    }

    /** The fingerprint as 16 hex digits. */
    public String fingerprintHex() {
        return clientSpec().fingerprintHex();
    }

    /** The plan as a plan file's bytes (see {@link PlanFile}). */
    public byte[] toBytes() {
        return PlanFile.write(this);
    }

    /**
     * A plan from a plan file's bytes; never runs the compiler. Parameters below 128-bit security
     * are refused (see {@link #fromBytes(byte[], SecurityLevel)}).
     *
     * @throws org.ciphernet.ckks.CkksException.SerializationException if the bytes are not an
     *     intact plan file of a version this library reads, or hold an invalid plan
     * @throws org.ciphernet.ckks.CkksException.InsecureParametersException if its parameters are
     *     below 128-bit security
     */
    public static HePlan fromBytes(byte[] bytes) {
        return PlanFile.read(bytes, SecurityLevel.CLASSICAL_128);
    }

    /**
     * A plan from a plan file's bytes, accepting parameters down to {@code minimum} (pass
     * {@link SecurityLevel#NONE_INSECURE} only for tests and experiments).
     */
    public static HePlan fromBytes(byte[] bytes, SecurityLevel minimum) {
        return PlanFile.read(bytes, Objects.requireNonNull(minimum, "minimum"));
    }

    /**
     * Reads a plan file (128-bit security at least).
     *
     * @throws java.io.IOException if the file cannot be read
     * @throws org.ciphernet.ckks.CkksException.SerializationException if it is not an intact plan file
     */
    public static HePlan read(Path file) throws java.io.IOException {
        return fromBytes(java.nio.file.Files.readAllBytes(file));
    }

    @Override
    public String toString() {
        return report.toString();
    }
}
