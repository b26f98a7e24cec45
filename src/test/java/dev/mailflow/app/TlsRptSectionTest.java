package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsRptSectionTest {

    @TempDir
    Path dir;

    private TlsRptConfig load(String toml) throws Exception {
        Path f = dir.resolve("mailflow.toml");
        Files.writeString(f, toml);
        return ConfigLoader.load(f).part(TlsRptSection.SECTION);
    }

    @Test
    void theDefaultsComeFromTheHostname() throws Exception {
        var c = load("hostname = \"mx.example.org\"\n");
        assertThat(c.enabled()).isTrue();
        assertThat(c.reporter().organizationName()).isEqualTo("mx.example.org");
        assertThat(c.reporter().contactInfo()).isEqualTo("postmaster@mx.example.org");
        assertThat(c.reporter().from()).isEqualTo("noreply-tlsrpt@mx.example.org");
        assertThat(c.reporter().submitter()).isEqualTo("mx.example.org");
        assertThat(ConfigLoader.loadDefaults().part(TlsRptSection.SECTION).enabled()).isTrue();
    }

    @Test
    void everyKeyCanBeSet() throws Exception {
        var c = load("""
                hostname = "mx.example.org"
                [tls_rpt]
                enabled = false
                organization = "Example Org, Inc."
                contact = "tls-team@example.org"
                from = "tlsrpt@example.org"
                """);
        assertThat(c.enabled()).isFalse();
        assertThat(c.reporter().organizationName()).isEqualTo("Example Org, Inc.");
        assertThat(c.reporter().contactInfo()).isEqualTo("tls-team@example.org");
        assertThat(c.reporter().from()).isEqualTo("tlsrpt@example.org");
    }

    @Test
    void badValuesAreOneLineErrors() {
        assertThatThrownBy(() -> load("[tls_rpt]\nfrom = \"not an address\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_rpt.from").hasMessageContaining("\"not an address\" is not an email address");
        assertThatThrownBy(() -> load("[tls_rpt]\ncontact = \"x@\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_rpt.contact");
        assertThatThrownBy(() -> load("[tls_rpt]\norganization = \" \"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_rpt.organization");
        assertThatThrownBy(() -> load("[tls_rpt]\nenabled = \"yes\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls_rpt.enabled");
        assertThatThrownBy(() -> load("[tls_rpt]\nrua = \"x\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key");
    }
}
