package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code mailflow probe HOST --addresses}: Mailflow takes postmaster@ of every accepted domain
 * and refuses unknown users at RCPT; abuse@ is a warning unless it exists; a catch-all domain
 * is reported as accepting unknown users.
 */
class AddressHygieneTest {

    @Test
    void mailflowsDomainsAsTheTestsConfigureThem() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var checks = AddressHygiene.run("127.0.0.1", server.port(), "probe.example", "probe@contoso.test",
                    "fabrikam.com", Duration.ofSeconds(10));
            assertThat(checks).extracting(AddressHygiene.Check::verdict).containsExactly("pass", "warn", "pass");
            assertThat(checks.get(1).reply()).startsWith("550 5.1.1");
            assertThat(checks.get(2).reply()).startsWith("550 5.1.1");
            var catchAll = AddressHygiene.run("127.0.0.1", server.port(), "probe.example", "probe@contoso.test",
                    "catchall.test", Duration.ofSeconds(10));
            assertThat(catchAll.get(2).verdict()).isEqualTo("warn");
            assertThat(catchAll.get(2).detail()).contains("backscatter");
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--addresses", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("  pass  postmaster    RCPT TO:<postmaster@fabrikam.com>")
                    .contains("  warn  abuse         RCPT TO:<abuse@fabrikam.com>");
        }
        assertThat(MainRunner.run("probe", "127.0.0.1:2", "--addresses").err()).contains("--addresses needs --to");
    }
}
