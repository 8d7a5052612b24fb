package org.ciphernet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet compile}: compiles an ONNX model once into a plan file that {@code client} and
 * {@code server} (in other processes, on other machines) load with {@code --plan} instead of
 * compiling the model again; prints the plan's cost report.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compiles an ONNX model into a plan file (parameters, layout, levels, weights, keys) and prints its report.",
            "Client and server then load it with --plan; keys, queries and answers carry its fingerprint."})
final class CompileCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "ONNX model file")
    Path model;

    @ArgGroup(exclusive = true)
    Packing packing = new Packing();

    /** How images are packed; one image per ciphertext when neither option is given. */
    static final class Packing {
        @Option(names = "--batched", description = "one image per slot (throughput) instead of one image per ciphertext (latency)")
        boolean batched;

        @Option(names = "--packed", description = "as many images side by side in one ciphertext as the largest tensor leaves "
                + "room for, each in the one-image layout (the report shows how many and the cost per image)")
        boolean packed;
    }

    @Option(names = "--ensemble-member", description = "another ONNX model of the same architecture (trained with another "
            + "seed, say) to run beside --model in the slots one model leaves free, the plan answering the members' mean "
            + "logits (Chielle et al. 2025); repeat for more members; single-image or batched")
    List<Path> members = new ArrayList<>();

    @Option(names = "--out", required = true, description = "plan file to write")
    Path out;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        CompileOptions options = packing.batched ? CompileOptions.batched()
                : packing.packed ? CompileOptions.packed() : CompileOptions.singleImage();
        List<Path> models = new ArrayList<>(List.of(model));
        models.addAll(members);
        HePlan plan = PlanSource.compile(models, options);
        byte[] bytes = plan.toBytes();
        CliFiles.write(out, bytes, "plan");
        System.out.print(plan.report());
        System.out.printf(Locale.ROOT, "wrote %s (%.1f MiB), plan %s, in %.1f s%n", out, bytes.length / 1048576.0, plan.fingerprintHex(),
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
