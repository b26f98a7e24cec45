package dev.mailflow.app;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Command line mistakes in words (exit 2): "mailflow: abc is not a queue id (...)" rather than
 * picocli's "Invalid value for positional parameter at index 0 (ID): 'abc' is not a long".
 * Converters throw {@link Sentence} when their message says everything; for other conversion
 * failures the option or parameter is named in front of the converter's message.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    /** A conversion failure whose message is a whole sentence naming the value and what it should be. */
    static final class Sentence extends TypeConversionException {
        Sentence(String message) {
            super(message);
        }
    }

    /** Registers the converters whose failures read as sentences, and this handler, on {@code cli}. */
    static CommandLine install(CommandLine cli) {
        CommandLine.ITypeConverter<Integer> integer = s -> (int) wholeNumber(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> number = s -> wholeNumber(s, Long.MIN_VALUE, Long.MAX_VALUE);
        cli.registerConverter(Integer.class, integer);
        cli.registerConverter(Integer.TYPE, integer);
        cli.registerConverter(Long.class, number);
        cli.registerConverter(Long.TYPE, number);
        cli.setParameterExceptionHandler(new UsageErrors());
        return cli;
    }

    private static long wholeNumber(String text, long min, long max) {
        try {
            long n = Long.parseLong(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new TypeConversionException("'" + text + "' is not a whole number");
    }

    /**
     * A command's own check of its options found {@code problem}: said as a parse error is, with
     * the synopsis and where to read more; returns the usage exit code.
     */
    static int misuse(CommandLine.Model.CommandSpec spec, String problem) {
        spec.commandLine().getErr().println("mailflow: " + problem);
        return hint(spec);
    }

    /** The synopsis and where to read more, after the problem was said; returns the usage exit code. */
    static int hint(CommandLine.Model.CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        err.print(spec.commandLine().getHelp().fullSynopsis());
        err.println("'" + spec.qualifiedName() + " --help' says more.");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("mailflow: " + describe(ex));
        UnmatchedArgumentException.printSuggestions(ex, err);
        return hint(cmd.getCommandSpec());
    }

    static String describe(ParameterException ex) {
        if (ex.getCause() instanceof TypeConversionException conversion) {
            if (conversion instanceof Sentence) {
                return conversion.getMessage();
            }
            if (ex.getArgSpec() != null) {
                return name(ex.getArgSpec()) + ": " + conversion.getMessage();
            }
            return conversion.getMessage();
        }
        if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            // picocli's "Unmatched argument at index 0: 'bogus'" in words.
            String first = unmatched.getUnmatched().get(0);
            var spec = ex.getCommandLine().getCommandSpec();
            if (!spec.subcommands().isEmpty() && !first.startsWith("-")) {
                return "'" + first + "' is not a command of " + spec.qualifiedName() + " (its commands: "
                        + String.join(", ", spec.subcommands().keySet()) + ")";
            }
            return (first.startsWith("-") ? "no option " : "nothing expected here: ") + "'" + first + "' for "
                    + spec.qualifiedName();
        }
        return ex.getMessage();
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }
}
