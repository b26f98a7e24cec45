package dev.mailflow.app;

import java.io.IOException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The program's entry point: {@code mailflow <command>}. */
public final class Main {

    private Main() {
    }

    static {
        // First thing, before any command runs: JSSE reads these once, when TLS is first used.
        dev.mailflow.server.tls.JsseHardening.apply();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        var cli = UsageErrors.install(new CommandLine(new MailflowCommand()));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IOException io) {
                cmd.getErr().println("mailflow: " + IoErrors.describe(io));
            } else {
                LoggerFactory.getLogger(Main.class).error("unexpected error", e);
                cmd.getErr().println("mailflow: internal error (a bug in Mailflow; the log above has the details)");
            }
            return ExitCodes.FAILURE;
        });
        return cli.execute(args);
    }
}
