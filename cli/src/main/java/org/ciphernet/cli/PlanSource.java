package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.onnx.OnnxImporter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where the client and server steps get their plan: a plan file written by {@code ciphernet
 * compile} (loaded as it is, never recompiled), or an ONNX model compiled on the spot with the
 * defaults of {@code compile} (single image, inputs in [0, 1]). Either way the plan's fingerprint
 * ties keys, queries and answers to it.
 */
final class PlanSource {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    /** Exactly one of the two. */
    static final class Choice {
        @Option(names = "--plan", description = "plan file written by 'ciphernet compile' (client and server use the same)")
        Path plan;

        @Option(names = "--model", description = "ONNX model, compiled here in single-image mode (client and server use the same)")
        Path model;
    }

    /** The file named on the command line, for messages. */
    Path file() {
        return choice.plan != null ? choice.plan : choice.model;
    }

    /** The option and file, as typed ("--plan m.plan"), for hints. */
    String option() {
        return (choice.plan != null ? "--plan " : "--model ") + file();
    }

    /** Loads or compiles the plan. */
    HePlan plan() {
        if (choice.plan != null) {
            return read(choice.plan);
        }
        return compile(choice.model, CompileOptions.singleImage());
    }

    /** Reads a plan file, with errors naming it. */
    static HePlan read(Path file) {
        CliFiles.requireReadable(file, "plan");
        byte[] bytes = CliFiles.read(file, "plan");
        try {
            return HePlan.fromBytes(bytes);
        } catch (CkksException e) {
            throw new UserError("plan " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Imports and compiles a model with the CLI's options: the input range is [0, 1], the range of
     * the images these commands read (IDX bytes divided by 255, as in training).
     */
    static HePlan compile(Path model, CompileOptions options) {
        return compile(List.of(model), options);
    }

    /** Compiles one model, or the ensemble of several (the first names it). */
    static HePlan compile(List<Path> models, CompileOptions options) {
        List<Network> nets = new ArrayList<>();
        for (Path model : models) {
            CliFiles.requireReadable(model, "model");
            try {
                nets.add(OnnxImporter.read(model));
            } catch (IOException e) {
                throw new UserError("model " + model + ": cannot be read (" + e.getMessage() + ")", e);
            } catch (RuntimeException e) {
                throw new UserError("model " + model + ": " + e.getMessage(), e);
            }
        }
        Network net = nets.size() == 1 ? nets.get(0) : Network.ensemble(nets.get(0).name() + "-ensemble" + nets.size(), nets);
        try {
            return Compiler.compile(net, options.withInputRange(0, 1));
        } catch (IllegalArgumentException e) {
            if (nets.size() == 1) {
                throw e;
            }
            throw new UserError("ensemble of " + models + ": " + e.getMessage(), e);
        }
    }
}
