package io.starspark.driver;

import io.starspark.driver.eval.EvalCommand;
import io.starspark.errors.UserError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code starspark} command line (also the spark-submit main class). Exit codes: 0 ok,
 * 2 user error (one line on stderr), 1 bug (stack trace); see {@link ErrorContract}.
 */
@Command(name = "starspark", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Distributed long-context LLM inference (Star Attention) on Apache Spark.",
        subcommands = {RunCommand.class, GenerateCommand.class, EvalCommand.class, TokenizeCommand.class, MakeModelCommand.class, InfoCommand.class,
                ClusterCheckCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(newCommandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)), args);
        System.exit(code);
    }

    /** The configured command line; tests and later wiring may add subcommands to it. */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        addHelpOptions(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, args) ->
                ErrorContract.reportUsage(e.getMessage(), e.getCommandLine().getCommandSpec().qualifiedName(), err));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> ErrorContract.report(e, err));
        return cl;
    }

    /** Gives every subcommand {@code -h/--help} (picocli's {@code help} command has its own). */
    private static void addHelpOptions(CommandLine cl) {
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addMixin("help", CommandSpec.forAnnotatedObject(new HelpOption()));
            }
        }
    }

    /**
     * Runs one command line and returns its exit code (never calls System.exit). Picocli's {@code @FILE}
     * expansion is on only for a command line that is one {@code @FILE} argument (an args file, one quoted
     * argument a line, as the docker image takes its job): a value such as {@code --question @/etc/hostname}
     * is the text itself, never the contents of a file.
     */
    public static int execute(CommandLine cl, String... args) {
        cl.setExpandAtFiles(args.length == 1 && args[0].startsWith("@"));
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        throw new UserError("missing command; try 'starspark --help'");
    }

    /** {@code starspark --version}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"starspark " + Version.get()};
        }
    }
}
