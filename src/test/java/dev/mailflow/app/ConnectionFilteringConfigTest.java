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
    void blockListsWithoutOurOwnResolverAreAWarning() throws Exception {
        var config = load("dnsbl = [\"zen.example-list.test\"]", "");
        assertThat(ConfigWarnings.of(config)).singleElement().asString()
                .startsWith("connector \"Inbound\": dnsbl without [delivery] dns_server")
                .contains("127.255.255.0/24");
    }
}
