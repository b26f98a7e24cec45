package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service starts under a POSIX locale (LANG unset). The JVM then cannot name files in UTF-8;
 * the environment the launcher, the wrapper and the unit give Java (.mvn/jdk.sh) fixes it, and
 * a JVM started without it says so at start and keeps the mail it cannot deliver.
 */
class PosixLocaleTest {

    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path config = dir.resolve("mailflow.toml");
        Files.writeString(config, """
                hostname = "mail1.fabrikam.com"
                data_dir = "data"

                [[receive_connector]]
                name = "Default Frontend"
                bind = "127.0.0.1:0"

                [[accepted_domain]]
                name = "fabrikam.com"

                [[mailbox]]
                address = "postmaster@fabrikam.com"

                [[mailbox]]
                address = "kate@fabrikam.com"

                [[mailbox]]
                address = "用户@fabrikam.com"

                [queue]
                retry_intervals = ["1h"]

                # loopback only: the SPF checks of received mail ask a port where nothing answers
                [delivery]
                dns_server = "127.0.0.1:9"

                [web]
                enabled = false
                """, StandardCharsets.UTF_8);
        return config;
    }

    /** The environment of a service started with no locale at all. */
    private static void posix(Map<String, String> env) {
        env.keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
    }

    @Test
    void theLaunchersEnvironmentDeliversToAUtf8MailboxWithLangUnset() throws Exception {
        // The same function ./mailflow and ./mvnw call before they start Java.
        var prefix = List.of("sh", "-c", ". ./.mvn/jdk.sh && mailflow_utf8_locale && exec \"$@\"", "sh");
        try (var server = ServerProcess.start(config(), prefix, PosixLocaleTest::posix)) {
            assertThat(server.output()).doesNotContain("not UTF-8");
            send(server.port("Default Frontend"), "用户@fabrikam.com");
            Path newDir = dir.resolve("data/mailboxes/fabrikam.com/用户/new");
            assertThat(awaitFiles(newDir, Duration.ofSeconds(10))).as("copies in " + newDir).isEqualTo(1);
        }
    }

    @Test
    void withoutItTheServerSaysSoAndTheMailWaits() throws Exception {
        try (var server = ServerProcess.start(config(), List.of(), PosixLocaleTest::posix)) {
            assertThat(server.output()).contains("warning: file names are in ANSI_X3.4-1968, not UTF-8")
                    .contains("LC_ALL=C.UTF-8");
            int port = server.port("Default Frontend");
            send(port, "用户@fabrikam.com");
            send(port, "kate@fabrikam.com");
            // ASCII mailboxes are served; the UTF-8 one waits with the reason, never lost or bounced.
            assertThat(awaitFiles(dir.resolve("data/mailboxes/fabrikam.com/kate/new"), Duration.ofSeconds(10)))
                    .isEqualTo(1);
            Path tracking = dir.resolve("data/logs");
            String log = awaitInLogs(tracking, "cannot be a directory name", Duration.ofSeconds(10));
            assertThat(log).contains("DEFER").contains("start Mailflow with LC_ALL=C.UTF-8")
                    .doesNotContain("InvalidPathException").doesNotContain("FAIL");
            assertThat(server.output()).doesNotContain("InvalidPathException").doesNotContain("\tat ");
        }
    }

    private static void send(int port, String recipient) throws Exception {
        try (var socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            var out = socket.getOutputStream();
            String script = "EHLO contoso.com\r\nMAIL FROM:<chris@contoso.com> SMTPUTF8\r\nRCPT TO:<" + recipient
                    + ">\r\nDATA\r\n";
            expect(in, "220");
            out.write(script.getBytes(StandardCharsets.UTF_8));
            for (String code : new String[] {"250", "250", "250", "354"}) {
                expect(in, code);
            }
            out.write("Subject: locale\r\n\r\nThis is a test message\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.UTF_8));
            expect(in, "250");
            expect(in, "221");
        }
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("reply " + code).isNotNull();
        } while (line.length() > 3 && line.charAt(3) == '-');
        assertThat(line).startsWith(code);
    }

    private static long awaitFiles(Path dir, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    long n = s.count();
                    if (n > 0) {
                        return n;
                    }
                }
            }
            Thread.sleep(20);
        }
        return 0;
    }

    private static String awaitInLogs(Path logs, String text, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String all = "";
        while (System.nanoTime() < end) {
            var sb = new StringBuilder();
            if (Files.isDirectory(logs)) {
                try (Stream<Path> s = Files.walk(logs)) {
                    for (Path f : s.filter(Files::isRegularFile).toList()) {
                        sb.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
                    }
                }
            }
            all = sb.toString();
            if (all.contains(text)) {
                return all.lines().filter(l -> l.contains(text)).reduce("", (a, b) -> a + b + "\n");
            }
            Thread.sleep(50);
        }
        return all;
    }
}
