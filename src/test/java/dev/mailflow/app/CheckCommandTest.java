package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow check} on its exit codes and output: two connectors on one port are a
 * mistake naming both (and serve says the same), valid but doubtful directories give
 * "warning:" lines with exit 0.
 */
class CheckCommandTest {

    @TempDir
    Path dir;

    private Path file(String toml) throws Exception {
        return Files.writeString(dir.resolve("mailflow.toml"), "data_dir = \"data\"\n[web]\nenabled = false\n" + toml);
    }

    private static String connectors(String firstBind, String secondBind) {
        return """
                [[receive_connector]]
                name = "Default Frontend"
                bind = "%s"

                [[receive_connector]]
                name = "Second"
                bind = "%s"
                """.formatted(firstBind, secondBind);
    }

    @Test
    void eachMilterIsTried() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var r = MainRunner.run("check", "--config", file("""
                [[receive_connector]]
                name = "Default Frontend"
                bind = "127.0.0.1:0"
                milters = ["inet:127.0.0.1:%d", "unix:%s"]
                milter_default_action = "accept"

                [[accepted_domain]]
                name = "example.test"
                """.formatted(closed, dir.resolve("no.sock"))).toString());
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("    milter inet:127.0.0.1:" + closed + ": does NOT answer now (connecting: "
                + "Connection refused): mail gets milter_default_action = accept")
                .contains("    milter unix:" + dir.resolve("no.sock") + ": does NOT answer now (connecting: ");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void theLmtpServerIsTried() throws Exception {
        var r = MainRunner.run("check", "--config", file("""
                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "kate@example.test"

                [delivery]
                local = "lmtp"
                lmtp = "unix:%s"
                """.formatted(dir.resolve("lmtp.sock"))).toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("  local delivery: LMTP to unix:" + dir.resolve("lmtp.sock")
                + ", which does NOT answer now: ").contains("(mail for our mailboxes would wait in the queue until it "
                + "does)");
        assertThat(r.err()).doesNotContain("Exception");
        var maildir = MainRunner.run("check", "--config", file("""
                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "kate@example.test"
                """).toString());
        assertThat(maildir.out()).contains("  local delivery: Maildir in ");
    }

    @Test
    void twoConnectorsOnOneAddressAndPort() throws Exception {
        Path f = file(connectors("127.0.0.1:2599", "127.0.0.1:2599"));
        String expected = "mailflow: " + f + ":10: receive_connector[2].bind: \"Second\" and \"Default Frontend\" "
                + "(receive_connector[1]) both listen on 127.0.0.1:2599; give each connector its own port or address";
        for (String command : new String[] {"check", "serve"}) {
            var r = MainRunner.run(command, "--config", f.toString());
            assertThat(r.code()).as(command).isEqualTo(2);
            assertThat(r.err().strip()).as(command).isEqualTo(expected);
            assertThat(r.out()).as(command).isEmpty();
        }
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started").isFalse();
    }

    @Test
    void wildcardsOverlapAsTheSystemBindsThem() throws Exception {
        var r = MainRunner.run("check", "--config", file(connectors("127.0.0.1:2599", "0.0.0.0:2599")).toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(":10: receive_connector[2].bind: \"Second\" on 0.0.0.0:2599 and \"Default Frontend\""
                + " (receive_connector[1]) on 127.0.0.1:2599 would share port 2599 (0.0.0.0 listens on every address,"
                + " IPv6 too); give each connector its own port or address");

        r = MainRunner.run("check", "--config", file(connectors("0.0.0.0:2599", "[::]:2599")).toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("\"Second\" on [0:0:0:0:0:0:0:0]:2599 and \"Default Frontend\" (receive_connector[1])"
                + " on 0.0.0.0:2599 would share port 2599");

        r = MainRunner.run("check", "--config", file(connectors("[::]:2599", "[::1]:2599")).toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("([::] listens on every address, IPv4 too)");

        // Different addresses of one family, different ports, and port 0 are all fine.
        for (String[] ok : new String[][] {{"127.0.0.1:2599", "127.0.0.2:2599"}, {"127.0.0.1:2599", "[::1]:2599"},
            {"0.0.0.0:2599", "0.0.0.0:2598"}, {"0.0.0.0:0", "127.0.0.1:0"}}) {
            var fine = MainRunner.run("check", "--config", file(connectors(ok[0], ok[1])).toString());
            assertThat(fine.code()).as(String.join(" and ", ok)).isZero();
        }
    }

    @Test
    void theConsoleCannotShareAConnectorsPort() throws Exception {
        Path f = Files.writeString(dir.resolve("web.toml"), "[web]\nbind = \"127.0.0.1:2525\"\n");
        var r = MainRunner.run("check", "--config", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("mailflow: " + f + ":2: web.bind: 127.0.0.1:2525 is also where "
                + "\"Default Frontend\" (receive_connector[1]) listens; give the console its own port");
    }

    @Test
    void aShortPlainConsolePasswordIsAWarning() throws Exception {
        String base = """
                data_dir = "data"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"

                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "postmaster@example.test"

                [web]
                bind = "127.0.0.1:0"
                """;
        java.util.function.Function<String, String> web = toml -> {
            try {
                return Files.writeString(dir.resolve("web.toml"), base + toml).toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        var r = MainRunner.run("check", "--config", web.apply("password = \"short\"\n"));
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEqualTo("mailflow: warning: [web] password is a plain password of 5 characters: "
                + "mailflow passwd --web wants at least 8; put the bcrypt hash it prints there (or remove the key: "
                + "the server makes one at its first start)\n");
        assertThat(MainRunner.run("check", "--config", web.apply("password = \"long enough\"\n")).err())
                .isEmpty();
        String hash = dev.mailflow.server.auth.Passwords.hash("x".toCharArray());
        assertThat(MainRunner.run("check", "--config", web.apply("password = \"" + hash + "\"\n")).err())
                .as("a hash, whatever its length").isEmpty();
    }

    @Test
    void aliasesToNobodyAndDomainsWithoutPostmasterAreWarnings() throws Exception {
        Path f = file("""
                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"

                [[accepted_domain]]
                name = "example.test"

                [[accepted_domain]]
                name = "example.net"

                [[mailbox]]
                address = "kate@example.test"

                [[alias]]
                address = "team@example.test"
                recipients = ["kate@example.test", "nobody@example.test", "someone@elsewhere.test"]
                """);
        var r = MainRunner.run("check", "--config", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("mailflow: " + f + " is valid");
        assertThat(r.err()).isEqualTo("""
                mailflow: warning: alias team@example.test: recipient nobody@example.test does not exist here \
                (no mailbox, alias or catch-all): mail to team@example.test bounces for it
                mailflow: warning: accepted domain example.test has no postmaster address (RFC 5321 4.5.1): \
                mail to postmaster@example.test is accepted and then bounced; add a [[mailbox]] or [[alias]] \
                postmaster@example.test
                mailflow: warning: accepted domain example.net has no postmaster address (RFC 5321 4.5.1): \
                mail to postmaster@example.net is accepted and then bounced; add a [[mailbox]] or [[alias]] \
                postmaster@example.net
                """);

        Path fixed = file("""
                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"

                [[accepted_domain]]
                name = "example.test"
                catch_all = "gone@example.test"

                [[accepted_domain]]
                name = "example.net"

                [[mailbox]]
                address = "postmaster@example.test"

                [[alias]]
                address = "postmaster@example.net"
                recipients = ["postmaster@example.test"]
                """);
        var two = MainRunner.run("check", "--config", fixed.toString());
        assertThat(two.code()).isZero();
        assertThat(two.err()).isEqualTo("mailflow: warning: accepted domain example.test: catch_all gone@example.test"
                + " does not exist here (no mailbox or alias): mail to unknown users bounces\n");
    }

    @Test
    void theEmbeddedDefaultsHaveNoWarnings() {
        var r = MainRunner.run("check");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
