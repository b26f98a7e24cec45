package dev.mailflow.app;

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
        var cli = new CommandLine(new MailflowCommand());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("mailflow: " + e.getMessage());
            return ExitCodes.FAILURE;
        });
        return cli.execute(args);
    }
}
