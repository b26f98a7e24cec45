package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload says changed, key by key, from the sections' declarations. */
class ConfigDiffTest {

    @TempDir
    Path dir;

    private static final String BEFORE = """
            hostname = "mail.example.test"

            [[receive_connector]]
            name = "Inbound"
            bind = "127.0.0.1:2525"

            [[accepted_domain]]
            name = "example.test"

            [[accepted_domain]]
            name = "example.net"

            [[mailbox]]
            address = "kate@example.test"
            password = "old"

            [queue]
            lifetime = "2d"
            """;

    private static final String AFTER = """
            hostname = "mail.example.test"

            [[receive_connector]]
            name = "Inbound"
            bind = "127.0.0.1:2525"
            command_timeout = "1m"
            relay_from = ["192.0.2.0/24"]

            [[receive_connector]]
            name = "Submission"
            bind = "127.0.0.1:5870"

            [[accepted_domain]]
            name = "example.test"

            [[mailbox]]
            address = "KATE@example.test"
            password = "new"

            [queue]
            lifetime = 172800
            delay_warning = "2h"

            [delivery]
            remote_port = 2526

            [[send_connector]]
            name = "Provider"
            domains = ["*"]
            smart_host = "smtp.provider.example:587"

            [web]
            bind = "127.0.0.1:8026"
            """;

    @Test
    void eachChangedItemIsOneLine() throws Exception {
        var before = ConfigLoader.loadString(BEFORE, "mailflow.toml", dir);
        var after = ConfigLoader.loadString(AFTER, "mailflow.toml", dir);
        assertThat(ConfigDiff.between(before, after).stream().map(ConfigDiff.Change::line)).containsExactly(
                "connector \"Inbound\" command_timeout \"5m\" -> \"1m\"",
                "connector \"Inbound\" relay_from [] -> [\"192.0.2.0/24\"]",
                "connector \"Submission\" added: needs a restart, kept as it was",
                "accepted domain example.net removed",
                "mailbox KATE@example.test password changed",
                "queue delay_warning \"4h\" -> \"2h\"",
                "send connector \"Provider\" added",
                "delivery remote_port 25 -> 2526",
                "web bind \"127.0.0.1:8025\" -> \"127.0.0.1:8026\": needs a restart, kept as it was");
        assertThat(ConfigDiff.between(after, after)).isEmpty();
    }

    @Test
    void aTlsPolicyChangeIsNamedByItsDomains() throws Exception {
        String base = """
                hostname = "mail.example.test"

                [[tls_policy]]
                domains = ["a.example"]
                tls = "encrypt"

                [[tls_policy]]
                domains = ["b.example"]
                tls = "verify"
                """;
        var before = ConfigLoader.loadString(base, "mailflow.toml", dir);
        var after = ConfigLoader.loadString(base.replace("tls = \"encrypt\"", "tls = \"none\""), "mailflow.toml", dir);
        assertThat(ConfigDiff.between(before, after).stream().map(ConfigDiff.Change::line)).containsExactly(
                "tls_policy for [a.example] tls \"encrypt\" -> \"none\"");
    }

    @Test
    void aChangedMtaStsPolicyGivesTheNewIdToPublish() throws Exception {
        String base = """
                hostname = "mail.example.test"

                [mta_sts]
                mode = "testing"
                bind = "127.0.0.1:8443"
                """;
        var before = ConfigLoader.loadString(base, "mailflow.toml", dir);
        var after = ConfigLoader.loadString(base.replace("testing", "enforce"), "mailflow.toml", dir);
        var lines = ConfigDiff.between(before, after).stream().map(ConfigDiff.Change::line).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("mta_sts mode \"testing\" -> \"enforce\"");
        assertThat(lines.get(1)).startsWith("mta_sts policy id ").contains(": publish _mta-sts.<domain>. IN TXT \"v=STSv1; id=");
    }
}
