package dev.mailflow.app;

import dev.mailflow.probe.TelnetConsole;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailflow telnet HOST [PORT]}: the seeds' interactive session, with editing and STARTTLS. */
@Command(name = "telnet", mixinStandardHelpOptions = true,
        description = {"Type an SMTP session by hand, each reply explained.",
            "As the Exchange pages do with telnet, but with line editing, history, /starttls and /log FILE. "
                + "With standard input not a terminal, reads the lines from it as a script and prints the "
                + "transcript."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:session ended", "2:usage error", "3:could not connect"})
public final class TelnetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HOST", description = "the server: a host name or an IP address (or "
            + "HOST:PORT)")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", arity = "0..1", defaultValue = "25",
            description = "its SMTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for a reply (default 60)")
    int timeout = 60;

    @Option(names = "--lang", paramLabel = "LANG", description = Language.OPTION_HELP)
    String lang;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!Language.apply(lang, spec.commandLine().getErr())) {
            return UsageErrors.hint(spec);
        }
        // HOST:PORT (or [v6]:PORT), as the probe takes it, when no PORT follows.
        var given = spec.commandLine().getParseResult().matchedPositional(1);
        var hostPort = java.util.regex.Pattern.compile("^(?:\\[([^\\]]+)]|([^:\\[\\]]+)):(\\d{1,5})$").matcher(host);
        if (given == null && hostPort.matches()) {
            host = hostPort.group(1) != null ? hostPort.group(1) : hostPort.group(2);
            port = Integer.parseInt(hostPort.group(3));
        } else if (given != null && hostPort.matches()) {
            return UsageErrors.misuse(spec, "the port is given twice (" + host + " and " + port
                    + "): give HOST PORT or HOST:PORT");
        }
        if (port < 1 || port > 65535) {
            return UsageErrors.misuse(spec, "PORT must be a number from 1 to 65535, not " + port);
        }
        if (timeout < 1) {
            return UsageErrors.misuse(spec, "--timeout must be at least 1 second");
        }
        if (System.console() == null) {
            var console = new TelnetConsole(out, true, Duration.ofSeconds(timeout));
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return console.run(host, port, TelnetConsole.of(in));
        }
        try (var terminal = TerminalBuilder.builder().system(true).build()) {
            var reader = LineReaderBuilder.builder().terminal(terminal).build();
            var termOut = new PrintWriter(terminal.writer(), true);
            termOut.println("Mailflow telnet to " + host + " " + port + "; /help for help, /quit to leave.");
            var console = new TelnetConsole(termOut, false, Duration.ofSeconds(timeout));
            return console.run(host, port, () -> {
                try {
                    return reader.readLine("smtp> ");
                } catch (EndOfFileException | UserInterruptException e) {
                    return null;
                }
            });
        }
    }
}
