package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.server.protection.DnsList;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection filtering keys of [[receive_connector]]: values, defaults, errors, the warning. */
class ConnectionFilteringConfigTest {

    @TempDir
    Path dir;

    private static final String DOMAINS = """

            [[accepted_domain]]
            name = "example.test"

            [[mailbox]]
            address = "postmaster@example.test"
            password = "secret"
            """;

    private MailflowConfig load(String connectorLines, String delivery) throws Exception {
        return ConfigLoader.loadString("""
                hostname = "mail.example.test"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"
                """ + connectorLines + "\n" + DOMAINS + delivery, "mailflow.toml", dir);
    }

    @Test
    void theKeysAndTheirValues() throws Exception {
        var config = load("""
                dnsbl = ["zen.example-list.test=127.0.0.[2..11]*3", "bl.example.test"]
                dnswl = ["wl.example-list.test"]
                dnsbl_threshold = 3
                dnsbl_allow_postmaster = false
                dnsbl_timeout = "4s"
                require_fcrdns = true
                greeting_delay = "6s"
                """, "\n[delivery]\ndns_server = \"127.0.0.1:53\"\n");
        var f = config.server().connectors().get(0).filtering();
        assertThat(f.blockLists()).extracting(DnsList::zone).containsExactly("zen.example-list.test",
                "bl.example.test");
        assertThat(f.blockLists().get(0).weight()).isEqualTo(3);
        assertThat(f.allowLists()).extracting(DnsList::zone).containsExactly("wl.example-list.test");
        assertThat(f.threshold()).isEqualTo(3);
        assertThat(f.allowPostmaster()).isFalse();
        assertThat(f.dnsTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(f.requireFcrdns()).isTrue();
        assertThat(f.greetingDelay()).isEqualTo(Duration.ofSeconds(6));
        assertThat(ConfigWarnings.of(config)).isEmpty();
    }

    @Test
    void defaultsFilterNothing() throws Exception {
        var f = load("", "").server().connectors().get(0).filtering();
        assertThat(f.blockLists()).isEmpty();
        assertThat(f.allowLists()).isEmpty();
        assertThat(f.threshold()).isEqualTo(1);
        assertThat(f.allowPostmaster()).isTrue();
        assertThat(f.dnsTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(f.requireFcrdns()).isFalse();
        assertThat(f.greetingDelay()).isZero();
        assertThat(load("greeting_delay = 0", "").server().connectors().get(0).filtering().greetingDelay()).isZero();
        assertThat(ReceiveConnectorSection.GREETING_DELAY.documentedDefault()).isEqualTo("\"0s\"");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> load("dnsbl = [\"zen.example.test=127.0.0.[2..300]\"]", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("receive_connector[1].dnsbl")
                .hasMessageContaining("300 is not an octet");
        assertThatThrownBy(() -> load("dnswl = [\"wl.example.test*2\"]", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("receive_connector[1].dnswl")
                .hasMessageContaining("an allow list has no weight");
        assertThatThrownBy(() -> load("dnsbl_threshold = 0", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dnsbl_threshold");
        assertThatThrownBy(() -> load("greeting_delay = \"5m\"", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("greeting_delay")
                .hasMessageContaining("at most 1m");
        assertThatThrownBy(() -> load("dnsbl_timeout = \"2m\"", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dnsbl_timeout");
    }

    @Test
    void rateLimitKeysAndTheirBadValues() throws Exception {
        var rates = load("max_message_rate = 5\nmax_recipient_rate = 6\nmax_user_message_rate = 7\n"
                + "max_connection_rate = 8\ntarpit_after_errors = 3\ntarpit_delay = \"5s\"\ngreylisting = true\n"
                + "greylist_delay = \"2m\"", "").server().connectors().get(0).rates();
        assertThat(rates).isEqualTo(new dev.mailflow.server.ConnectorConfig.RateLimits(5, 6, 7, true,
                Duration.ofMinutes(2), Duration.ofDays(1), Duration.ofDays(36), 8, 3, Duration.ofSeconds(5)));
        assertThat(load("", "").server().connectors().get(0).rates())
                .isEqualTo(dev.mailflow.server.ConnectorConfig.RateLimits.NONE);
        assertThatThrownBy(() -> load("max_message_rate = -1", "")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_message_rate").hasMessageContaining("0 means no limit");
        assertThatThrownBy(() -> load("tarpit_delay = \"10m\"", "")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tarpit_delay").hasMessageContaining("at most 1m");
    }

    @Test
    void blockListsWithoutOurOwnResolverAreAWarning() throws Exception {
        var config = load("dnsbl = [\"zen.example-list.test\"]", "");
        assertThat(ConfigWarnings.of(config)).singleElement().asString()
                .startsWith("connector \"Inbound\": dnsbl without [delivery] dns_server")
                .contains("127.255.255.0/24");
    }
}
