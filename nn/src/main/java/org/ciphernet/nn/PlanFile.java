package org.ciphernet.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;
import org.ciphernet.nn.plan.Tap;

/**
 * The plan file format (version 4): {@code "CNPL"}, the version, the <i>program</i> (network name,
 * mode, for a packed plan its image stride, the CKKS parameters in their {@link Serialization} form, the input gather, whether a
 * relinearization key is needed, the rotation keys with their levels, and every step: label,
 * inputs, size, levels, scale, tap and operation with its weights), then the input range and the
 * cost report (ending with the network's input shape), and a CRC32C over everything before it,
 * checked before anything is parsed (see
 * {@link WireFormat}). Big-endian; strings as a 4-byte length and UTF-8; every length is checked
 * against the bytes that remain before anything is allocated.
 *
 * <p>The program's SHA-256 is the plan's <i>digest</i>, part of its fingerprint: any change of a
 * weight, scale, level or layout changes the fingerprint. The input range (client policy) and the
 * report (a description) are outside the digest, except the report's flooding budget, whose server
 * noise width the fingerprint covers (see {@link ClientSpec#fingerprint()}).
 *
 * <p>Version 1 (issue 14) had no ModDown count in the report's rows; it is still read, with one
 * ModDown per key switch, as the runtime of that time did. Version 2 (issue 15) had no packed mode
 * and no negating bias (operation 7); it is read as version 3, which writes the image stride and
 * the report's images per ciphertext for packed plans only, so the digest of every plan version 2
 * could hold is unchanged. Version 3 had no input shape in the report; it is read with an empty
 * one (the report is outside the digest, so the fingerprint is the same).
 */
final class PlanFile {
    private static final int MAGIC = 0x43_4e_50_4c; // "CNPL"
    static final int VERSION = 4;
    private static final String NAME = "plan file";

    private PlanFile() {
    }

    /** The first 8 bytes of the SHA-256 of the plan's program. */
    static long digest(HePlan plan) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), md))) {
            writeProgram(out, plan);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(md.digest()).getLong();
    }

    static byte[] write(HePlan plan) {
        return write(plan, VERSION);
    }

    /** The plan in a format version: {@link #VERSION}, or 1 or 3 (for the compatibility tests). */
    static byte[] write(HePlan plan, int version) {
        if (version != 1 && version != 3 && version != VERSION) {
            throw new IllegalArgumentException("plan file version " + version + " cannot be written");
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(version);
            writeProgram(out, plan);
            out.writeDouble(plan.inputRange().min());
            out.writeDouble(plan.inputRange().max());
            writeReport(out, plan.report(), version);
            out.flush();
            return WireFormat.seal(bytes.toByteArray(), bytes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeProgram(DataOutputStream out, HePlan plan) throws IOException {
        writeString(out, plan.name());
        out.writeByte(plan.mode().ordinal());
        if (plan.mode() == Mode.PACKED) {
            out.writeInt(plan.imageStride());
        }
        byte[] params = Serialization.write(plan.parameters());
        out.writeInt(params.length);
        out.write(params);
        writeInts(out, plan.inputGather());
        out.writeBoolean(plan.relinearization());
        RotationKeys keys = plan.keys();
        out.writeInt(keys.slots());
        out.writeInt(keys.steps().size());
        for (int s : keys.steps()) {
            out.writeInt(s);
            out.writeInt(keys.level(s));
        }
        out.writeInt(plan.steps().size());
        for (PlanStep s : plan.steps()) {
            writeString(out, s.label());
            writeInts(out, s.inputs());
            out.writeInt(s.size());
            out.writeInt(s.levelIn());
            out.writeInt(s.levelOut());
            out.writeDouble(s.scaleOut());
            out.writeBoolean(s.tap().isPresent());
            if (s.tap().isPresent()) {
                Tap t = s.tap().get();
                writeString(out, t.layer());
                writeInts(out, t.slots());
                writeString(out, t.layout());
            }
            writeOperation(out, s.operation());
        }
    }

    private static void writeOperation(DataOutputStream out, Operation op) throws IOException {
        switch (op) {
            case Operation.Input i -> out.writeByte(0);
            case Operation.Add a -> out.writeByte(1);
            case Operation.AddBias b -> {
                out.writeByte(b.negate() ? 7 : 2);
                writeDoubles(out, b.bias());
            }
            case Operation.Align a -> {
                out.writeByte(3);
                out.writeDouble(a.weightScale());
            }
            case Operation.Square q -> {
                out.writeByte(4);
                out.writeByte(q.form().ordinal());
            }
            case Operation.DiagonalProduct d -> {
                out.writeByte(5);
                out.writeDouble(d.weightScale());
                writeDoubles(out, d.bias());
                DiagonalSchedule s = d.schedule();
                out.writeInt(s.slots());
                out.writeInt(s.fold());
                out.writeInt(s.foldStart());
                out.writeInt(s.foldCount());
                out.writeInt(s.n1());
                out.writeBoolean(s.horner());
                writeInts(out, s.babies());
                writeInts(out, s.giants());
                for (int g = 0; g < s.giants().length; g++) {
                    for (int b = 0; b < s.babies().length; b++) {
                        out.writeBoolean(s.hasDiagonal(g, b));
                        if (s.hasDiagonal(g, b)) {
                            writeInts(out, s.entrySlots(g, b));
                            writeDoubles(out, s.entryValues(g, b));
                        }
                    }
                }
            }
            case Operation.WeightedSum w -> {
                out.writeByte(6);
                out.writeDouble(w.weightScale());
                writeDoubles(out, w.bias());
                out.writeBoolean(w.unrescaledInputs());
                out.writeInt(w.rows());
                for (int r = 0; r < w.rows(); r++) {
                    writeInts(out, w.columns(r));
                    writeDoubles(out, w.weights(r));
                }
            }
        }
    }

    private static void writeReport(DataOutputStream out, PlanReport r, int version) throws IOException {
        writeString(out, r.network());
        out.writeByte(r.mode().ordinal());
        if (r.mode() == Mode.PACKED) {
            out.writeInt(r.imagesPerCiphertext());
        }
        out.writeInt(r.rows().size());
        for (PlanReport.Row row : r.rows()) {
            writeString(out, row.layers());
            writeString(out, row.kind());
            out.writeInt(row.levelIn());
            out.writeInt(row.levelOut());
            out.writeInt(row.rotations());
            out.writeInt(row.hoisted());
            out.writeInt(row.keySwitches());
            if (version >= 2) {
                out.writeInt(row.modDowns());
            }
            out.writeInt(row.plaintextProducts());
            out.writeDouble(row.log2Scale());
            writeString(out, row.detail());
        }
        writeString(out, r.parameters());
        out.writeInt(r.depth());
        writeInts(out, r.rotationSteps().stream().mapToInt(Integer::intValue).toArray());
        out.writeLong(r.galoisKeyBytes());
        out.writeLong(r.relinearizationKeyBytes());
        out.writeBoolean(r.flooding().isPresent());
        if (r.flooding().isPresent()) {
            FloodingBudget f = r.flooding().get();
            FloodingOptions o = f.options();
            out.writeInt(o.circuitPrivacyBits());
            out.writeInt(o.decryptionBits());
            out.writeLong(o.decryptionQueries());
            out.writeInt(o.minPrecisionBits());
            out.writeDouble(f.log2ErrorNorm());
            out.writeDouble(f.log2ErrorMax());
            out.writeDouble(f.evaluationPrecisionBits());
            writeOptional(out, f.serverLog2Sigma());
            writeOptional(out, f.decryptionLog2Sigma());
            out.writeDouble(f.precisionBits());
            out.writeDouble(f.headroomBits());
            out.writeInt(f.levels());
        }
        if (version >= 4) {
            writeInts(out, r.inputShape().stream().mapToInt(Integer::intValue).toArray());
        }
    }

    static HePlan read(byte[] bytes, SecurityLevel minimum) {
        int stored = WireFormat.version(bytes);
        int version = stored >= 1 && stored <= 3 ? stored : VERSION;
        ByteBuffer b = WireFormat.open(bytes, MAGIC, version, NAME, "");
        try {
            String name = string(b, "network name");
            Mode mode = enumOf(Mode.values(), b, "mode");
            int stride = mode == Mode.PACKED ? integer(b, "image stride") : 0;
            CkksParameters params = Serialization.readParameters(WireFormat.block(b, "parameters"),
                    Serialization.DEFAULT_MAX_CONTEXT_BYTES, minimum);
            int[] gather = ints(b, "input gather");
            boolean relin = bool(b, "relinearization flag");
            int slots = integer(b, "slots");
            int keyCount = count(b, 8, "rotation keys");
            Map<Integer, Integer> levels = new TreeMap<>();
            for (int k = 0; k < keyCount; k++) {
                levels.put(integer(b, "rotation step"), integer(b, "key level"));
            }
            RotationKeys keys = new RotationKeys(slots, levels);
            int stepCount = count(b, 1, "steps");
            List<PlanStep> steps = new ArrayList<>(stepCount);
            for (int i = 0; i < stepCount; i++) {
                String label = string(b, "step label");
                int[] inputs = ints(b, "step inputs");
                int size = integer(b, "step size");
                int levelIn = integer(b, "level");
                int levelOut = integer(b, "level");
                double scale = real(b, "scale");
                Optional<Tap> tap = Optional.empty();
                if (bool(b, "tap flag")) {
                    tap = Optional.of(new Tap(string(b, "tap layer"), ints(b, "tap slots"), string(b, "tap layout")));
                }
                steps.add(new PlanStep(i, label, inputs, size, levelIn, levelOut, scale, tap, readOperation(b)));
            }
            InputRange range = new InputRange(real(b, "input range"), real(b, "input range"));
            PlanReport report = readReport(b, version);
            if (b.hasRemaining()) {
                throw new CkksException.SerializationException("the plan file has " + b.remaining() + " bytes after its end");
            }
            long shape = report.inputShape().stream().mapToLong(Integer::longValue).reduce(1, (x, y) -> x * y);
            if (!report.inputShape().isEmpty() && !steps.isEmpty() && shape != steps.get(0).size()) {
                throw new CkksException.SerializationException("the plan file's input shape " + report.inputShape() + " holds "
                        + shape + " values, its input step " + steps.get(0).size());
            }
            return new HePlan(name, mode, params, range, gather, steps, keys, relin, report, stride);
        } catch (IllegalArgumentException | IllegalStateException e) {
            CkksException.SerializationException s = new CkksException.SerializationException("the plan file holds an invalid plan: "
                    + e.getMessage());
            s.initCause(e);
            throw s;
        }
    }

    private static Operation readOperation(ByteBuffer b) {
        int tag = Byte.toUnsignedInt(get(b));
        return switch (tag) {
            case 0 -> new Operation.Input();
            case 1 -> new Operation.Add();
            case 2 -> new Operation.AddBias(doubles(b, "bias"));
            case 7 -> new Operation.AddBias(doubles(b, "bias"), true);
            case 3 -> new Operation.Align(real(b, "weight scale"));
            case 4 -> new Operation.Square(enumOf(Operation.Square.Form.values(), b, "square form"));
            case 5 -> {
                double weightScale = real(b, "weight scale");
                double[] bias = doubles(b, "bias");
                int slots = integer(b, "slots");
                int fold = integer(b, "fold");
                int foldStart = integer(b, "fold start");
                int foldCount = integer(b, "fold count");
                int n1 = integer(b, "n1");
                boolean horner = bool(b, "Horner flag");
                int[] babies = ints(b, "baby steps");
                int[] giants = ints(b, "giant steps");
                if ((long) babies.length * giants.length > b.remaining()) {
                    throw new CkksException.SerializationException("truncated plan file: " + giants.length + "×" + babies.length
                            + " diagonals, " + b.remaining() + " bytes remain");
                }
                int[][][] at = new int[giants.length][babies.length][];
                double[][][] values = new double[giants.length][babies.length][];
                for (int g = 0; g < giants.length; g++) {
                    for (int k = 0; k < babies.length; k++) {
                        if (bool(b, "diagonal flag")) {
                            at[g][k] = ints(b, "diagonal slots");
                            values[g][k] = doubles(b, "diagonal values");
                        }
                    }
                }
                yield new Operation.DiagonalProduct(new DiagonalSchedule(slots, fold, foldStart, foldCount, n1, babies, giants, horner,
                        at, values), weightScale, bias);
            }
            case 6 -> {
                double weightScale = real(b, "weight scale");
                double[] bias = doubles(b, "bias");
                boolean unrescaled = bool(b, "unrescaled-inputs flag");
                int rows = count(b, 8, "weighted-sum rows");
                int[][] cols = new int[rows][];
                double[][] w = new double[rows][];
                for (int r = 0; r < rows; r++) {
                    cols[r] = ints(b, "columns");
                    w[r] = doubles(b, "weights");
                }
                yield new Operation.WeightedSum(cols, w, weightScale, bias, unrescaled);
            }
            default -> throw new CkksException.SerializationException("unknown operation " + tag + " in the plan file");
        };
    }

    private static PlanReport readReport(ByteBuffer b, int version) {
        String network = string(b, "report network");
        Mode mode = enumOf(Mode.values(), b, "report mode");
        int images = mode == Mode.PACKED ? integer(b, "images per ciphertext") : 1;
        int rows = count(b, 40, "report rows");
        List<PlanReport.Row> list = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            String layers = string(b, "layers");
            String kind = string(b, "kind");
            int levelIn = integer(b, "level");
            int levelOut = integer(b, "level");
            int rotations = integer(b, "rotations");
            int hoisted = integer(b, "hoisted");
            int keySwitches = integer(b, "key switches");
            int modDowns = version >= 2 ? integer(b, "ModDowns") : keySwitches;
            list.add(new PlanReport.Row(layers, kind, levelIn, levelOut, rotations, hoisted, keySwitches, modDowns,
                    integer(b, "products"), real(b, "scale"), string(b, "detail")));
        }
        String parameters = string(b, "report parameters");
        int depth = integer(b, "depth");
        List<Integer> rotationSteps = java.util.Arrays.stream(ints(b, "report rotation steps")).boxed().toList();
        long galois = longValue(b, "key bytes");
        long relin = longValue(b, "key bytes");
        Optional<FloodingBudget> flooding = Optional.empty();
        if (bool(b, "flooding flag")) {
            FloodingOptions o = new FloodingOptions(integer(b, "flooding"), integer(b, "flooding"), longValue(b, "flooding"),
                    integer(b, "flooding"));
            flooding = Optional.of(new FloodingBudget(o, real(b, "flooding"), real(b, "flooding"), real(b, "flooding"),
                    optional(b), optional(b), real(b, "flooding"), real(b, "flooding"), integer(b, "flooding")));
        }
        List<Integer> shape = version >= 4 ? java.util.Arrays.stream(ints(b, "input shape")).boxed().toList() : List.of();
        return new PlanReport(network, mode, list, parameters, depth, rotationSteps, galois, relin, flooding, images, shape);
    }

    // ---- primitives ---------------------------------------------------------------------------

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(u.length);
        out.write(u);
    }

    private static void writeInts(DataOutputStream out, int[] v) throws IOException {
        out.writeInt(v.length);
        for (int x : v) {
            out.writeInt(x);
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double x : v) {
            out.writeDouble(x);
        }
    }

    private static void writeOptional(DataOutputStream out, OptionalDouble v) throws IOException {
        out.writeBoolean(v.isPresent());
        out.writeDouble(v.orElse(0));
    }

    private static byte get(ByteBuffer b) {
        WireFormat.need(b, 1, NAME);
        return b.get();
    }

    private static boolean bool(ByteBuffer b, String what) {
        byte v = get(b);
        if (v != 0 && v != 1) {
            throw new CkksException.SerializationException("the plan file's " + what + " is " + v + ", not 0 or 1");
        }
        return v == 1;
    }

    private static int integer(ByteBuffer b, String what) {
        WireFormat.need(b, 4, NAME + " (" + what + ")");
        return b.getInt();
    }

    private static long longValue(ByteBuffer b, String what) {
        WireFormat.need(b, 8, NAME + " (" + what + ")");
        return b.getLong();
    }

    private static double real(ByteBuffer b, String what) {
        WireFormat.need(b, 8, NAME + " (" + what + ")");
        double v = b.getDouble();
        if (Double.isNaN(v)) {
            throw new CkksException.SerializationException("the plan file's " + what + " is not a number");
        }
        return v;
    }

    private static OptionalDouble optional(ByteBuffer b) {
        boolean present = bool(b, "optional flag");
        double v = real(b, "optional value");
        return present ? OptionalDouble.of(v) : OptionalDouble.empty();
    }

    /** A count of items of at least {@code bytesEach} bytes, checked against what remains. */
    private static int count(ByteBuffer b, int bytesEach, String what) {
        int n = integer(b, what);
        if (n < 0 || (long) n * bytesEach > b.remaining()) {
            throw new CkksException.SerializationException("the plan file claims " + n + " " + what + " but only " + b.remaining()
                    + " bytes remain");
        }
        return n;
    }

    private static String string(ByteBuffer b, String what) {
        int n = count(b, 1, what + " bytes");
        ByteBuffer u = b.slice(b.position(), n);
        b.position(b.position() + n);
        try {
            // strict: malformed UTF-8 is refused, not replaced (a plan reads back to its own bytes)
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(u).toString();
        } catch (CharacterCodingException e) {
            throw new CkksException.SerializationException("the plan file's " + what + " is not valid UTF-8");
        }
    }

    private static int[] ints(ByteBuffer b, String what) {
        int[] v = new int[count(b, 4, what)];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getInt();
        }
        return v;
    }

    private static double[] doubles(ByteBuffer b, String what) {
        double[] v = new double[count(b, 8, what)];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getDouble();
        }
        return v;
    }

    private static <E extends Enum<E>> E enumOf(E[] values, ByteBuffer b, String what) {
        int v = Byte.toUnsignedInt(get(b));
        if (v >= values.length) {
            throw new CkksException.SerializationException("the plan file's " + what + " is " + v + ", unknown");
        }
        return values[v];
    }
}
