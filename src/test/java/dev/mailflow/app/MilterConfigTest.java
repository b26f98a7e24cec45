package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.server.ConnectorConfig.Milter;
import dev.mailflow.server.ConnectorConfig.MilterDefaultAction;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The milter keys of [[receive_connector]]: the addresses, Postfix's per-milter form, defaults, errors. */
class MilterConfigTest {

    @TempDir
    Path dir;

    private MailflowConfig load(String connectorLines) throws Exception {
        return ConfigLoader.loadString("""
                hostname = "mail.example.test"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"
                """ + connectorLines + """


                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "postmaster@example.test"
                password = "secret"
                """, "mailflow.toml", dir);
    }

    @Test
    void addressesInOrderWithTheConnectorsSettingsAndTheirOwn() throws Exception {
        var milters = load("""
                milters = ["inet:127.0.0.1:11332", "unix:/run/opendkim/opendkim.sock", "inet:8891@localhost",
                           "{ inet:[::1]:8893, default_action = accept, command_timeout = 10s }"]
                milter_default_action = "tempfail"
                milter_content_timeout = "2m"
                """).server().connectors().get(0).milters().list();
        assertThat(milters).containsExactly(
                new Milter("inet:127.0.0.1:11332", MilterDefaultAction.TEMPFAIL, Duration.ofSeconds(30),
                        Duration.ofSeconds(30), Duration.ofMinutes(2)),
                new Milter("unix:/run/opendkim/opendkim.sock", MilterDefaultAction.TEMPFAIL, Duration.ofSeconds(30),
                        Duration.ofSeconds(30), Duration.ofMinutes(2)),
                new Milter("inet:localhost:8891", MilterDefaultAction.TEMPFAIL, Duration.ofSeconds(30),
                        Duration.ofSeconds(30), Duration.ofMinutes(2)),
                new Milter("inet:[::1]:8893", MilterDefaultAction.ACCEPT, Duration.ofSeconds(30),
                        Duration.ofSeconds(10), Duration.ofMinutes(2)));
    }

    @Test
    void quotedValuesAndATrailingCommaInTheBraceForm() throws Exception {
        var m = load("milters = [\"{ inet:127.0.0.1:8891, default_action = 'accept', command_timeout = \\\"10s\\\", }\"]")
                .server().connectors().get(0).milters().list().get(0);
        assertThat(m.defaultAction()).isEqualTo(MilterDefaultAction.ACCEPT);
        assertThat(m.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void noMiltersByDefault() throws Exception {
        assertThat(load("").server().connectors().get(0).milters().list()).isEmpty();
        assertThat(ReceiveConnectorSection.MILTER_DEFAULT_ACTION.documentedDefault()).isEqualTo("\"tempfail\"");
    }

    @Test
    void badValuesSayWhatIsExpected() {
        assertThatThrownBy(() -> load("milters = [\"127.0.0.1:11332\"]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("receive_connector[1].milters")
                .hasMessageContaining("expected inet:host:port or unix:/path");
        assertThatThrownBy(() -> load("milters = [\"inet:127.0.0.1:99999\"]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the port must be a number from 1 to 65535");
        assertThatThrownBy(() -> load("milters = [\"inet:8891@localhost:1\"]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'localhost:1' is not a host name or an IP address");
        assertThatThrownBy(() -> load("milters = [\"localhost:8891\"]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("(write inet:localhost:8891)");
        assertThatThrownBy(() -> load("milters = [\"unix:relative.sock\"]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> load("milters = [\"{ inet:127.0.0.1:1, speed = fast }\"]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown milter setting \"speed\"");
        assertThatThrownBy(() -> load("milter_default_action = \"bounce\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("milter_default_action")
                .hasMessageContaining("tempfail, accept, reject or quarantine");
        assertThatThrownBy(() -> load("milter_command_timeout = \"2h\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("milter_command_timeout").hasMessageContaining("at most 1h");
    }
}
