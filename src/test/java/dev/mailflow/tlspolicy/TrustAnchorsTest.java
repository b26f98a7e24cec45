package dev.mailflow.tlspolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [delivery] ca_file} trust anchors beside the JDK's. */
class TrustAnchorsTest {

    @TempDir
    Path dir;

    @Test
    void theSystemStoreHasTheJdksAuthorities() {
        assertThat(TrustAnchors.system().anchors()).hasSizeGreaterThan(10);
        assertThat(TrustAnchors.withCaFile(null).extra()).isEmpty();
    }

    @Test
    void aCaFileAddsItsCertificatesToTheJdks() throws Exception {
        var ca = TestPki.root("Test CA");
        var other = TestPki.root("Other CA");
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, Files.readString(ca.writeCertificate(dir.resolve("a.pem")))
                + Files.readString(other.writeCertificate(dir.resolve("b.pem"))));
        var anchors = TrustAnchors.withCaFile(file);
        assertThat(anchors.extra()).containsExactly(ca.certificate(), other.certificate());
        assertThat(anchors.anchors()).hasSize(TrustAnchors.system().anchors().size() + 2);
        assertThat(anchors.trustManager().getAcceptedIssuers()).contains(ca.certificate());
    }

    @Test
    void aMissingEmptyOrBrokenFileIsAClearError() throws Exception {
        assertThatThrownBy(() -> TrustAnchors.withCaFile(dir.resolve("nope.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(dir.resolve("nope.pem") + " does not exist");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> TrustAnchors.withCaFile(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(empty + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TrustAnchors.withCaFile(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(broken + " holds a certificate that cannot be read");
        assertThatThrownBy(() -> TrustAnchors.withCaFile(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read " + dir);
    }
}
