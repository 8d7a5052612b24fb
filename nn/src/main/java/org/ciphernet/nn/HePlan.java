package org.ciphernet.nn;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.nn.plan.PlaintextCounts;
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
    /** Packed plans: the slots between consecutive images; 0 in the other modes. */
    private final int imageStride;
    private final long programDigest;
    private final long fingerprint;
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
     * @throws IllegalArgumentException if the parts do not fit together (the structural rules of plans: levels, sizes, square forms, keys, taps)
     * @throws IllegalStateException if a rotation of the steps cannot be composed from the keys
     */
    public HePlan(String name, Mode mode, CkksParameters parameters, InputRange inputRange, int[] inputGather, List<PlanStep> steps,
            RotationKeys keys, boolean relinearization, PlanReport report) {
        this(name, mode, parameters, inputRange, inputGather, steps, keys, relinearization, report, 0);
    }

    /**
     * A plan of any mode; {@code imageStride} is the slot distance between the images of a
     * {@link Mode#PACKED} plan (a power of two dividing the slots, above every tensor) and 0 for
     * the other modes.
     *
     * @throws IllegalArgumentException as the constructor above, or if the stride does not fit the mode
     */
    public HePlan(String name, Mode mode, CkksParameters parameters, InputRange inputRange, int[] inputGather, List<PlanStep> steps,
            RotationKeys keys, boolean relinearization, PlanReport report, int imageStride) {
        this.imageStride = imageStride;
        this.name = Objects.requireNonNull(name, "name");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.inputRange = Objects.requireNonNull(inputRange, "inputRange");
        this.inputGather = inputGather.clone();
        this.steps = List.copyOf(steps);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.relinearization = relinearization;
        this.report = Objects.requireNonNull(report, "report");
        PlanChecks.check(this);
        this.programDigest = PlanFile.digest(this);
        this.fingerprint = clientSpec().fingerprint();
    }

    /**
     * This plan with another report (for example the same one with a flooding budget): the program
     * is unchanged and the CKKS context, if already built, is shared.
     */
    public HePlan withReport(PlanReport newReport) {
        HePlan p = new HePlan(name, mode, parameters, inputRange, inputGather, steps, keys, relinearization, newReport, imageStride);
        p.context = context;
        return p;
    }

    /** Packed plans: the slots between consecutive images of a ciphertext; 0 in the other modes. */
    public int imageStride() {
        return imageStride;
    }

    /** The images one evaluation serves: k = slots / stride when packed, the slots when batched, 1 for a single image. */
    public int imagesPerCiphertext() {
        return switch (mode) {
            case SINGLE_IMAGE -> 1;
            case PACKED -> parameters.slots() / imageStride;
            case BATCHED -> parameters.slots();
        };
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

    /**
     * The plaintext operands of the program, computed from its steps (nothing is stored in the plan
     * file): the diagonals of its diagonal products and how many of them are distinct (the
     * plaintexts a single-image or packed runtime encodes into its cache, equal diagonals once),
     * and the terms of its weighted sums with their distinct weight values per step and per row
     * (the products by constants a batched runtime makes when it groups equal weights). Parameter
     * clustering (issue 17) shows up as distinct counts far below the totals.
     */
    public PlaintextCounts plaintexts() {
        return PlaintextCounts.of(steps, keys);
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
            s = new ClientSpec(name, mode, parameters, new ClientSpec.Input(in.size(), inputGather, in.levelOut(), in.scaleOut(), imageStride),
                    new ClientSpec.Output(out.tap().orElseThrow().slots(), out.levelOut(), out.scaleOut()),
                    new ClientSpec.Keys(rotationSteps, rotationSteps.stream().map(keys::level).toList(), relinearization), inputRange,
                    report.flooding(), programDigest);
            clientSpec = s;
        }
        return s;
    }

    /** The plan's fingerprint: {@link ClientSpec#fingerprint()} of its client specification (which covers the program's digest). */
    public long fingerprint() {
        return fingerprint;
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
