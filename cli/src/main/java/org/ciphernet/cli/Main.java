package org.ciphernet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ciphernet} tool (run it through the {@code ./ciphernet} launcher). */
@Command(name = "ciphernet", mixinStandardHelpOptions = true, version = "ciphernet 0.1.0",
        description = "Homomorphic encryption (RNS-CKKS) and encrypted CNN inference in pure Java.",
        subcommands = {DemoCommand.class, InferCommand.class, HarnessCommand.class, ClientCommand.class, ServerCommand.class,
            SelfCheckCommand.class, TimingsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the tool; the exit code is non-zero on failure. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
