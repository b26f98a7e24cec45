package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private MailflowConfig load(String toml) throws Exception {
        Path f = dir.resolve("mailflow.toml");
        Files.writeString(f, toml);
        return ConfigLoader.load(f);
    }

    private ConfigException error(String toml) {
        Path f = dir.resolve("mailflow.toml");
        try {
            Files.writeString(f, toml);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        try {
            ConfigLoader.load(f);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n").startsWith(f.toString());
            return e;
        }
        throw new AssertionError("expected a configuration error");
    }

    @Test
    void embeddedDefaultsMatchTheProductContract() throws Exception {
        var cfg = ConfigLoader.loadDefaults();
        var connectors = cfg.server().connectors();
        assertThat(connectors).hasSize(2);
        assertThat(connectors.get(0).bind().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(connectors.get(0).bind().getPort()).isEqualTo(2525);
        assertThat(connectors.get(0).anonymous()).isTrue();
        assertThat(connectors.get(1).bind().getPort()).isEqualTo(5870);
        assertThat(connectors.get(1).anonymous()).isFalse();
        var directory = cfg.server().directory();
        assertThat(directory.isAcceptedDomain("localhost")).isTrue();
        assertThat(directory.isAcceptedDomain("EXAMPLE.TEST")).isTrue();
        assertThat(directory.isAcceptedDomain("fabrikam.com")).isFalse();
        assertThat(directory.mailbox(new dev.mailflow.smtp.MailAddress("postmaster", "example.test"))).isNotNull();
        assertThat(cfg.server().dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(cfg.delivery().remotePort()).isEqualTo(25);
        assertThat(cfg.delivery().dnsServer()).isNull();
    }

    @Test
    void theContractExampleLoads() throws Exception {
        var cfg = load("""
                hostname = "mail.example.test"
                data_dir = "data"

                [[receive_connector]]
                name = "Default Frontend"
                bind = "127.0.0.1:2525"
                anonymous = true
                max_message_size = 37748736
                max_recipients = 200

                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "kate@example.test"
                password = "secret"          # stored hashed; plain only in test configs

                [delivery]
                dns_server = "127.0.0.1:5353"  # optional; the system resolver otherwise
                remote_port = 25               # tests point this at loopback MTAs
                """);
        assertThat(cfg.server().hostname()).isEqualTo("mail.example.test");
        assertThat(cfg.server().dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(cfg.server().connectors()).hasSize(1);
        assertThat(cfg.delivery().dnsServer()).isEqualTo("127.0.0.1:5353");
        assertThat(cfg.server().directory().isAcceptedDomain("localhost")).isFalse();
    }

    @Test
    void durationsAndLimits() throws Exception {
        var cfg = load("""
                [[receive_connector]]
                name = "x"
                bind = "[::1]:0"
                command_timeout = "90s"
                data_timeout = 30
                max_connections = 5
                max_connections_per_ip = 2
                max_errors = 7
                protocol_log = false
                banner = "ESMTP here"
                """);
        var c = cfg.server().connectors().get(0);
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.dataTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxConnections()).isEqualTo(5);
        assertThat(c.maxConnectionsPerIp()).isEqualTo(2);
        assertThat(c.maxErrors()).isEqualTo(7);
        assertThat(c.protocolLog()).isFalse();
        assertThat(c.banner()).isEqualTo("ESMTP here");
        assertThat(c.bind().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void logRetentionLimits() throws Exception {
        assertThat(ConfigLoader.loadDefaults().logs()).isEqualTo(LogsConfig.DEFAULT);
        var cfg = load("[logs]\nmax_age = \"90d\"\nmax_size = \"10GB\"\n");
        assertThat(cfg.logs().maxAge()).isEqualTo(java.time.Duration.ofDays(90));
        assertThat(cfg.logs().maxSize()).isEqualTo(10L * 1024 * 1024 * 1024);
        assertThat(error("[logs]\nmax_age = \"soon\"\n").getMessage())
                .contains(":2: logs.max_age: \"soon\" is not a duration");
        assertThat(error("[logs]\nmax_size = 0\n").getMessage()).contains("logs.max_size: must be at least 1 octet");
        assertThat(error("[logs]\nmax_files = 3\n").getMessage()).contains("logs.max_files: unknown key");
    }

    @Test
    void unknownKeyIsNamedWithItsLine() {
        var e = error("""
                hostname = "mail.example.test"

                [[receive_connector]]
                name = "Default Frontend"
                bind = "127.0.0.1:2525"
                max_message_sise = 10
                """);
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.key()).isEqualTo("receive_connector[1].max_message_sise");
        assertThat(e.getMessage()).contains(":6: receive_connector[1].max_message_sise: unknown key");
    }

    @Test
    void unknownTopLevelKey() {
        var e = error("hostnme = \"x\"\n");
        assertThat(e.getMessage()).endsWith(":1: hostnme: unknown key; see docs/configuration.md");
    }

    @Test
    void badBindAddresses() {
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"999.0.0.1:25\"\n").getMessage())
                .contains(":3: receive_connector[1].bind: \"999.0.0.1:25\": 999.0.0.1 is not an IP address");
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:70000\"\n").getMessage())
                .contains("receive_connector[1].bind: \"127.0.0.1:70000\": the port must be a number from 0 to 65535");
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1\"\n").getMessage())
                .contains("has no port");
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"[::1:25\"\n").getMessage())
                .contains("missing ']'");
        assertThat(error("[[receive_connector]]\nname = \"a\"\n").getMessage())
                .contains("receive_connector[1].bind: is required");
    }

    @Test
    void duplicateConnectorName() {
        var e = error("""
                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:2525"

                [[receive_connector]]
                name = "inbound"
                bind = "127.0.0.1:2526"
                """);
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.getMessage()).contains("receive_connector[2].name: duplicate connector name \"inbound\"");
    }

    @Test
    void wrongTypesAndValues() {
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:1\"\nanonymous = \"yes\"\n")
                .getMessage()).contains(":4: receive_connector[1].anonymous: must be true or false");
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:1\"\nmax_recipients = 0\n")
                .getMessage()).contains("receive_connector[1].max_recipients: 0 must be at least 1");
        assertThat(error("[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:1\"\ncommand_timeout = \"soon\"\n")
                .getMessage()).contains("is not a duration");
        assertThat(error("hostname = \"not a host\"\n").getMessage()).contains(":1: hostname: \"not a host\"");
        assertThat(error("[delivery]\nremote_port = 0\n").getMessage()).contains("delivery.remote_port");
        assertThat(error("receive_connector = 3\n").getMessage()).contains("must be tables, [[receive_connector]]");
        assertThat(error("hostname = \n").getMessage()).contains(":1: TOML syntax");
    }

    @Test
    void mailboxesMustBeInAcceptedDomains() {
        var e = error("""
                [[accepted_domain]]
                name = "example.test"

                [[mailbox]]
                address = "kate@elsewhere.test"
                """);
        assertThat(e.getMessage()).contains(":5: mailbox[1].address: kate@elsewhere.test is not in an accepted domain");
        assertThat(error("[[accepted_domain]]\nname = \"example.test\"\n[[mailbox]]\naddress = \"not an address\"\n")
                .getMessage()).contains("mailbox[1].address: \"not an address\" is not a valid address");
    }

    @Test
    void aMailboxPasswordMayCarryDovecotsSchemePrefix() throws Exception {
        String hash = dev.mailflow.server.auth.Passwords.hash("pw".toCharArray(),
                dev.mailflow.server.auth.Passwords.Scheme.SHA512_CRYPT);
        var cfg = load("[[accepted_domain]]\nname = \"example.test\"\n[[mailbox]]\naddress = \"kate@example.test\"\n"
                + "password = \"{SHA512-CRYPT}" + hash + "\"\n");
        assertThat(cfg.server().directory().mailboxes()).extracting(dev.mailflow.directory.Mailbox::password).containsExactly(hash);
        assertThat(error("[[accepted_domain]]\nname = \"example.test\"\n[[mailbox]]\naddress = \"kate@example.test\"\n"
                + "password = \"{SSHA512}abc\"\n").getMessage())
                .contains(":5: mailbox[1].password: the password of kate@example.test cannot be used: it is in the "
                        + "{SSHA512} scheme, which Mailflow cannot check");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.toml")))
                .isInstanceOf(ConfigException.class).hasMessageEndingWith("nope.toml: no such file");
    }

    @Test
    void aFileThatIsNotUtf8IsNamedAsSuch() throws Exception {
        Path latin1 = dir.resolve("latin1.toml");
        java.nio.file.Files.write(latin1, "# r\u00e9ception\nhostname = \"mx.test\"\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(latin1)).isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("latin1.toml: it is not UTF-8 text (TOML files are UTF-8: convert it, "
                        + "for example with iconv -f latin1 -t utf-8)");
    }

    @Test
    void everySchemaKeyIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("docs/configuration.md"));
        ConfigLoader.SCHEMA.forEach((table, keys) -> keys.forEach((key, type) -> assertThat(doc)
                .as("docs/configuration.md documents %s%s", table.isEmpty() ? "" : table + ".", key)
                .contains(switch (type) {
                    case TABLE -> "## `[" + key + "]`";
                    case TABLE_LIST -> "## `[[" + key + "]]`";
                    default -> "| `" + key + "` |";
                })));
    }
}
