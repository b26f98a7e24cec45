package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What check warns about in the outbound TLS and MTA-STS settings (valid, probably not meant). */
class OutboundTlsWarningsTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            hostname = "mail.example.test"

            [[accepted_domain]]
            name = "example.test"

            [[mailbox]]
            address = "postmaster@example.test"
            password = "secret"
            """;

    @Test
    void enforceWithTheSelfSignedCertificateAndAShadowedTlsPolicyAreWarnings() throws Exception {
        var config = ConfigLoader.loadString(BASE + """

                [mta_sts]
                mode = "enforce"
                bind = "127.0.0.1:8443"

                [[tls_policy]]
                domains = ["partner.example", "other.example"]
                tls = "verify"

                [[tls_policy]]
                domains = ["partner.example"]
                tls = "encrypt"
                """, "mailflow.toml", dir);
        assertThat(ConfigWarnings.of(config)).containsExactly(
                "[mta_sts] mode = \"enforce\" with the self-signed certificate (no [tls] certificate): senders refuse"
                        + " it for mta-sts.<domain> and for the MX, so they cannot fetch the policy or, once cached,"
                        + " deliver; use a certificate from a public CA, or mode = \"testing\"",
                "[[tls_policy]] for partner.example (tls = \"encrypt\") never applies: an earlier [[tls_policy]]"
                        + " already names partner.example");
    }

    @Test
    void testingModeAndDistinctPoliciesAreQuiet() throws Exception {
        var config = ConfigLoader.loadString(BASE + """

                [mta_sts]
                bind = "127.0.0.1:8443"

                [[tls_policy]]
                domains = ["partner.example"]
                tls = "verify"
                """, "mailflow.toml", dir);
        assertThat(ConfigWarnings.of(config)).isEmpty();
    }
}
