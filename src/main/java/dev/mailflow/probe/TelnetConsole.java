package dev.mailflow.probe;

import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.client.NetworkErrors;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.client.TranscriptListener;
import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.StatusCatalogue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The seeds' Telnet session done right: lines go out with CRLF, each reply comes back with
 * its meaning beside it, message content after a 354 is sent without waiting for replies,
 * and a few local commands do what telnet cannot: {@code /starttls}, {@code /log FILE},
 * {@code /help}, {@code /quit}. Line editing and history come from the caller's line source.
 *
 * <p>The log holds the session as it went over the wire: {@code C:} for what was sent,
 * {@code S:} for what came back; the console's own commands and notes are {@code #} lines.
 */
public final class TelnetConsole {

    /** Where typed lines come from: JLine in a terminal, standard input in a script. Null at the end. */
    public interface LineSource {
        String readLine() throws IOException;
    }

    private final PrintWriter out;
    private final boolean echo;
    private final Duration timeout;
    private SmtpClient client;
    private Writer log;
    private boolean inData;
    private String host;

    /**
     * @param echo print each line read as "C: line" (scripts; a terminal echoes by itself)
     */
    public TelnetConsole(PrintWriter out, boolean echo, Duration timeout) {
        this.out = out;
        this.echo = echo;
        this.timeout = timeout;
    }

    /** Connects and runs until /quit, QUIT or the end of input; returns an exit code (0, 3). */
    public int run(String host, int port, LineSource lines) throws IOException {
        this.host = host;
        try {
            client = SmtpClient.connect(new InetSocketAddress(host, port), ClientTimeouts.uniform(timeout),
                    TranscriptListener.NONE);
        } catch (IOException e) {
            out.println(Messages.text("telnet.connectFailed", host, port));
            out.println("  = " + Probe.describe(e));
            for (String r : Explanations.connectReasons()) {
                out.println("  - " + r);
            }
            out.flush();
            return 3;
        }
        try {
            show(client.greeting());
            String line;
            while ((line = lines.readLine()) != null) {
                if (echo) {
                    out.println("C: " + line);
                }
                if (!inData && line.startsWith("/")) {
                    note(Messages.text("telnet.localCommand", line.trim()));
                    if (!local(line.trim())) {
                        break;
                    }
                    continue;
                }
                record("C: " + line);
                if (inData) {
                    client.sendLine(line, line.equals("."));
                    if (line.equals(".")) {
                        inData = false;
                        show(client.read(timeout));
                    }
                    continue;
                }
                client.sendLine(line, true);
                Reply reply = client.read(timeout);
                show(reply);
                if (reply.code() == 354) {
                    inData = true;
                    out.println("  " + Messages.text("telnet.content"));
                }
                if (line.trim().equalsIgnoreCase("QUIT") && reply.code() == 221) {
                    break;
                }
                out.flush();
            }
        } catch (IOException e) {
            out.println(Messages.text("telnet.lost", lost(e)));
        } finally {
            client.close();
            out.flush();
            if (log != null) {
                log.close();
            }
        }
        return 0;
    }

    /** A local command; false to end the session. */
    private boolean local(String command) throws IOException {
        String[] parts = command.split("\\s+", 2);
        switch (parts[0].toLowerCase()) {
            case "/quit" -> {
                return false;
            }
            case "/help" -> {
                for (int i = 1; i <= 5; i++) {
                    out.println("  " + Messages.text("telnet.help." + i));
                }
            }
            case "/log" -> {
                if (parts.length < 2) {
                    out.println("  " + Messages.text("telnet.usage.log"));
                } else {
                    if (log != null) {
                        log.close();
                    }
                    log = Files.newBufferedWriter(Path.of(parts[1]), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    note(Messages.text("telnet.logged", host, java.time.Instant.now()
                            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                    out.println("  " + Messages.text("telnet.logging", parts[1]));
                }
            }
            case "/starttls" -> {
                record("C: STARTTLS");
                try {
                    var reply = client.startTls(trustAll().getSocketFactory(), host);
                    show(reply);
                    if (reply.code() == 220) {
                        var s = client.tlsSocket().getSession();
                        out.println("  " + Messages.text("telnet.tls", s.getProtocol(), s.getCipherSuite()));
                        note("TLS: " + s.getProtocol() + ", " + s.getCipherSuite());
                    }
                } catch (javax.net.ssl.SSLException e) {
                    out.println("  " + NetworkErrors.describe(e));
                    return false;
                }
            }
            default -> out.println("  " + Messages.text("telnet.unknown", parts[0]));
        }
        out.flush();
        return true;
    }

    private void show(Reply reply) throws IOException {
        for (String l : reply.render().split("\r\n")) {
            out.println("S: " + TextReport.safe(l));
            record("S: " + l);
        }
        out.println("  = " + Explanations.firstDigit(reply.code())
                + (reply.status() != null ? " " + StatusCatalogue.describe(reply.status()) : ""));
        out.flush();
    }

    /** A line of the log that is not part of the SMTP exchange. */
    private void note(String text) throws IOException {
        record("# " + text);
    }

    /** Why the connection ended, in words: a reply that did not come, or what the network did. */
    private String lost(IOException e) {
        return NetworkErrors.isTimeout(e) ? Messages.text("telnet.noReply", timeout.toSeconds())
                : NetworkErrors.describe(e);
    }

    private void record(String line) throws IOException {
        if (log != null) {
            log.write(line + "\n");
            log.flush();
        }
    }

    /** A source over a reader (scripts and tests). */
    public static LineSource of(BufferedReader reader) {
        return reader::readLine;
    }

    public static LineSource of(Supplier<String> supplier) {
        return supplier::get;
    }

    private static SSLContext trustAll() {
        return dev.mailflow.client.OpportunisticTls.context(chain -> { });
    }
}
