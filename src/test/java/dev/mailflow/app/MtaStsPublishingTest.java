package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.Zone;
import dev.mailflow.testing.TestPki;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.WebPki;
import dev.mailflow.tlspolicy.mtasts.HttpsPolicyFetcher;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import dev.mailflow.tlspolicy.mtasts.PolicyFetcher;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [mta_sts]}: its keys and their checks, and the listener a running server starts. */
class MtaStsPublishingTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            hostname = "mx.example.test"
            data_dir = "data"
            [web]
            enabled = false
            [[receive_connector]]
            name = "Inbound"
            bind = "127.0.0.1:0"
            tls = "off"
            [[accepted_domain]]
            name = "example.test"
            [[mailbox]]
            address = "postmaster@example.test"
            """;

    private MailflowConfig load(String extra) throws Exception {
        return ConfigLoader.loadString(BASE + extra, "test.toml", dir);
    }

    private String error(String extra) {
        try {
            load(extra);
        } catch (ConfigException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error");
    }

    @Test
    void theDefaultsPublishATestingPolicyForTheHostNameAndListenNowhere() throws Exception {
        var p = load("").part(MtaStsSection.SECTION);
        assertThat(p.bind()).isNull();
        assertThat(p.policy().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(p.policy().mx()).containsExactly("mx.example.test");
        assertThat(p.policy().maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(p.policy().text()).isEqualTo("version: STSv1\r\nmode: testing\r\nmx: mx.example.test\r\n"
                + "max_age: 604800\r\n");
    }

    @Test
    void theKeysAreRead() throws Exception {
        var p = load("[mta_sts]\nmode = \"enforce\"\nmx = [\"MX1.example.test\", \"*.mx.example.test\"]\n"
                + "max_age = 1209600\nbind = \"127.0.0.1:8443\"\n").part(MtaStsSection.SECTION);
        assertThat(p.policy().mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.policy().mx()).containsExactly("mx1.example.test", "*.mx.example.test");
        assertThat(p.policy().maxAge()).isEqualTo(Duration.ofDays(14));
        assertThat(p.bind().getPort()).isEqualTo(8443);
        assertThat(load("[mta_sts]\nmode = \"none\"\nmx = []\n").part(MtaStsSection.SECTION).policy().mx()).isEmpty();
    }

    @Test
    void mistakesAreOneClearLine() {
        assertThat(error("[mta_sts]\nmode = \"strict\"\n"))
                .contains("mta_sts.mode: \"strict\" is not \"enforce\", \"testing\" or \"none\"");
        assertThat(error("[mta_sts]\nmx = [\"m*.example.test\"]\n"))
                .contains("mta_sts.mx: \"m*.example.test\" is not a host name or a *.domain pattern");
        assertThat(error("[mta_sts]\nmx = []\n"))
                .contains("mta_sts.mx: a policy in mode testing needs at least one MX pattern");
        assertThat(error("[mta_sts]\nmax_age = \"400d\"\n"))
                .contains("mta_sts.max_age: must be at most 31557600 seconds (a year, RFC 8461 3.2)");
        assertThat(error("[mta_sts]\nmax_age = \"1500ms\"\n")).contains("mta_sts.max_age: must be whole seconds");
        assertThat(error("[mta_sts]\nbind = \"443\"\n")).contains("mta_sts.bind: ");
    }

    @Test
    void theListenerNeedsAPortOfItsOwn() throws Exception {
        String clash = BASE.replace("127.0.0.1:0", "127.0.0.1:2525") + "[mta_sts]\nbind = \"0.0.0.0:2525\"\n";
        try {
            ConfigLoader.loadString(clash, "test.toml", dir);
            throw new AssertionError("no error");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("mta_sts.bind: 0.0.0.0:2525 is also where \"Inbound\" "
                    + "(receive_connector[1]) listens; give the policy listener its own port");
        }
        String web = BASE.replace("enabled = false", "bind = \"127.0.0.1:8025\"")
                + "[mta_sts]\nbind = \"127.0.0.1:8025\"\n";
        try {
            ConfigLoader.loadString(web, "test.toml", dir);
            throw new AssertionError("no error");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("mta_sts.bind: 127.0.0.1:8025 is also where the console ([web] bind) "
                    + "listens");
        }
    }

    @Test
    void aRunningServerPublishesThePolicyWithTheTlsCertificate() throws Exception {
        var ca = TestPki.root("Test CA");
        ca.issue("mx.example.test", "mta-sts.example.test", "mta-sts.other.test")
                .writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        var config = load("[tls]\ncertificate = \"cert.pem\"\nkey = \"key.pem\"\n[mta_sts]\nbind = \"127.0.0.1:0\"\n"
                .replace("127.0.0.1:0\"\n", "127.0.0.1:" + freePort() + "\"\n"));
        try (var runtime = MailflowRuntime.start(config, Clock.systemUTC())) {
            assertThat(runtime.mtaStsListener()).isNotNull();
            var zone = Zone.builder().a("mta-sts.example.test", "127.0.0.1").a("mta-sts.other.test", "127.0.0.1")
                    .build();
            var fetcher = new HttpsPolicyFetcher(zone, new WebPki(TrustAnchors.only(List.of(ca.certificate())),
                    Clock.systemUTC()), runtime.mtaStsListener().address().getPort(), Duration.ofSeconds(5));
            assertThat(fetcher.fetch("example.test")).isInstanceOfSatisfying(PolicyFetcher.Fetched.class,
                    f -> assertThat(f.policy().text()).isEqualTo(config.part(MtaStsSection.SECTION).policy().text()));
            assertThat(fetcher.fetch("other.test")).isInstanceOfSatisfying(PolicyFetcher.Failed.class,
                    f -> assertThat(f.reason()).endsWith(" answered 404 Not Found"));
        }
    }

    @Test
    void withoutBindNothingListens() throws Exception {
        try (var runtime = MailflowRuntime.start(load(""), Clock.systemUTC())) {
            assertThat(runtime.mtaStsListener()).isNull();
        }
    }

    private static int freePort() throws Exception {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
