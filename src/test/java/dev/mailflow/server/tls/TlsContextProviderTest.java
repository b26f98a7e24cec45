package dev.mailflow.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextProviderTest {

    @TempDir
    Path dir;

    @Test
    void selfSignedIsMadeOnceAndKept() throws Exception {
        var a = TlsContextProvider.create(null, null, "mail.example.test", dir);
        var b = TlsContextProvider.create(null, null, "mail.example.test", dir);
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        var certs = TlsCertificates.read(dir.resolve("selfsigned-cert.pem"), dir.resolve("selfsigned-key.pem"));
        assertThat(certs.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=mail.example.test");
        assertThat(certs.chain().get(0).getSubjectAlternativeNames()).anySatisfy(
                n -> assertThat(n.get(1)).isEqualTo("mail.example.test"));
    }

    @Test
    void configuredPemFilesAreReloadedWhenTheyChangeAndKeptWhenBroken() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        var first = TlsCertificates.selfSigned("one.example.test");
        first.write(cert, key);
        var provider = TlsContextProvider.create(cert, key, "ignored", dir);
        assertThat(provider.fingerprint()).isEqualTo(first.fingerprint());

        var second = TlsCertificates.selfSigned("two.example.test");
        second.write(cert, key);
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        provider.reloadIfChanged();
        assertThat(provider.fingerprint()).isEqualTo(second.fingerprint());

        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        assertThat(provider.reload()).isFalse();
        assertThat(provider.fingerprint()).isEqualTo(second.fingerprint());
    }

    @Test
    void onlyModernCipherSuites() {
        String[] picked = TlsContextProvider.modernCiphers(new String[] {"TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"});
        assertThat(picked).containsExactly("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    }
}
