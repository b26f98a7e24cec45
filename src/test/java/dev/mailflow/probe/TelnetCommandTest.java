package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mailflow telnet: scripted through standard input, and interactive under tmux. */
class TelnetCommandTest {

    static TestServer server;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String[] run(String script, String... args) {
        var r = MainRunner.runWithInput(script, args);
        return new String[] {String.valueOf(r.code()), r.out()};
    }

    @Test
    void theSeedsSessionAsAScript() throws Exception {
        Path log = tmp.resolve("telnet.log");
        var r = run("/log " + log + "\n/help\nEHLO contoso.com\nMAIL FROM:<chris@contoso.com>\n"
                + "RCPT TO:<kate@fabrikam.com> NOTIFY=success,failure\nDATA\nSubject: Test from Contoso\n\n"
                + "This is a test message\n.\n/starttls\nEHLO contoso.com\nQUIT\n",
                "telnet", "127.0.0.1", String.valueOf(server.port()), "--timeout", "10");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("S: 220 mail1.fabrikam.com ESMTP Mailflow ready at")
                .contains("C: MAIL FROM:<chris@contoso.com>").contains("S: 250 2.1.0 Sender OK")
                .contains("2.1.0: Success / Addressing status").contains("S: 354 Start mail input")
                .containsPattern("S: 250 2\\.6\\.0 .* Queued mail for delivery")
                .contains("S: 220 2.0.0 Ready to start TLS").contains("= TLS: TLSv1.3")
                .contains("S: 250-AUTH PLAIN LOGIN").contains("S: 221 2.0.0 Service closing transmission channel");
        String logged = Files.readString(log);
        assertThat(logged).contains("C: EHLO contoso.com").contains("S: 250 2.1.5 Recipient OK")
                .contains("C: STARTTLS").contains("S: 220 2.0.0 Ready to start TLS")
                .contains("# local command /help (not sent to the server)")
                .contains("# local command /starttls (not sent to the server)").containsPattern("# TLS: TLSv1\\.[23]");
        assertThat(logged.lines()).as("every line is sent (C:), received (S:) or a note (#)")
                .allMatch(l -> l.startsWith("C: ") || l.startsWith("S: ") || l.startsWith("# "));
        assertThat(logged).doesNotContain("C: /");
        assertThat(server.awaitDelivered("kate@fabrikam.com", 1, java.time.Duration.ofSeconds(5))).hasSize(1);
    }

    @Test
    void aClosedPortIsExplained() {
        var r = run("", "telnet", "127.0.0.1", String.valueOf(Dnsmasq.freePortQuietly()));
        assertThat(r[0]).isEqualTo("3");
        assertThat(r[1]).contains("Could not open connection to the host, on port")
                .contains("Incorrect port number.");
    }

    @Test
    void interactiveUnderTmuxEchoesAndEditsLines() throws Exception {
        Path tmux = ExternalTool.require("tmux");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String session = "mailflow-test-" + ProcessHandle.current().pid();
        Path script = tmp.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.mailflow.app.Main telnet 127.0.0.1 " + server.port()
                + "\n");
        script.toFile().setExecutable(true);
        tmux(tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", script.toString());
        try {
            waitFor(tmux, session, "smtp>");
            // A typo fixed with backspace, then history recalls the command.
            tmux(tmux, "send-keys", "-t", session, "EHLX");
            tmux(tmux, "send-keys", "-t", session, "BSpace");
            tmux(tmux, "send-keys", "-t", session, "O contoso.com", "Enter");
            String screen = waitFor(tmux, session, "250 SMTPUTF8");
            assertThat(screen).contains("smtp> EHLO contoso.com").doesNotContain("EHLX");
            tmux(tmux, "send-keys", "-t", session, "NOOP", "Enter");
            waitFor(tmux, session, "250 2.0.0 OK");
            tmux(tmux, "send-keys", "-t", session, "Up");
            screen = waitFor(tmux, session, "smtp> NOOP\n");
            assertThat(screen.lines().filter(l -> l.equals("smtp> NOOP")).count()).isGreaterThanOrEqualTo(1);
            tmux(tmux, "send-keys", "-t", session, "C-u", "/quit", "Enter");
        } finally {
            new ProcessBuilder(tmux.toString(), "kill-session", "-t", session).start().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static String waitFor(Path tmux, String session, String text) throws Exception {
        String screen = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            screen = capture(tmux, session);
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("'" + text + "' not on the screen:\n" + screen);
    }

    private static String capture(Path tmux, String session) throws Exception {
        var p = new ProcessBuilder(tmux.toString(), "capture-pane", "-t", session, "-p").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    private static void tmux(Path tmux, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(tmux.toString()));
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(cmd + " failed: " + out);
        }
    }

    @Test
    void hostColonPortIsTakenAsTheProbeTakesIt() {
        var r = run("QUIT\n", "telnet", "127.0.0.1:" + server.port());
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("S: 220 ").contains("S: 221 ");
        var twice = MainRunner.runWithInput("QUIT\n", "telnet", "127.0.0.1:" + server.port(), "25");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("the port is given twice");
    }
}
