package org.ciphernet.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the {@code ciphernet} tool (run it through the {@code ./ciphernet} launcher). A
 * failing command prints one line, {@code ciphernet <command>: <problem>}, naming the file and what
 * is wrong, and exits with status 1; {@code --debug} (or {@code CIPHERNET_DEBUG=1}) adds the stack
 * trace.
 */
@Command(name = "ciphernet", mixinStandardHelpOptions = true, version = "ciphernet 0.1.0",
        description = "Homomorphic encryption (RNS-CKKS) and encrypted CNN inference in pure Java.",
        subcommands = {DemoCommand.class, InferCommand.class, HarnessCommand.class, CompileCommand.class, ClientCommand.class, ServerCommand.class, SparkCommand.class, ServeCommand.class,
            SelfCheckCommand.class, TimingsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code --debug}: print stack traces of errors (any command; read from the parse result). */
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "print the stack trace of an error (or set CIPHERNET_DEBUG=1)")
    boolean debug;

    /** Runs the tool; the exit code is non-zero on failure. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the one-line error reporting described in the class comment. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (debug(parsed)) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + describe(ex));
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return "1".equals(System.getenv("CIPHERNET_DEBUG"));
    }

    /** One line for an error: its message, or what the exception type means when it has none. */
    static String describe(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file";
        }
        if (ex instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        String m = ex.getMessage();
        if (ex instanceof UserError || (m != null && !m.isBlank() && !(ex instanceof NullPointerException))) {
            return m.replace('\n', ' ');
        }
        return "internal error (" + ex.getClass().getSimpleName() + (m == null ? "" : ": " + m) + "); run with --debug for the stack trace";
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
