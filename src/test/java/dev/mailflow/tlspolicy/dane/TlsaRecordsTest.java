package dev.mailflow.tlspolicy.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.dns.TlsaRecord;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TlsaRecordsTest {

    @Test
    void theRecordToPublishForACertificate() throws Exception {
        var server = TestPki.server(TestPki.rootCa("Root"), "mx.example.test");
        var r = TlsaRecords.forCertificate(server.cert(), 3, 1, 1);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(server.cert().getPublicKey().getEncoded());
        assertThat(r).isEqualTo(new TlsaRecord(3, 1, 1, expected));
        assertThat(TlsaRecords.publish("MX.Example.Test.", 25, r))
                .isEqualTo("_25._tcp.mx.example.test. IN TLSA 3 1 1 " + HexFormat.of().formatHex(expected));
        assertThat(TlsaRecords.forCertificate(server.cert(), 3, 0, 0).data()).isEqualTo(server.cert().getEncoded());
        assertThatThrownBy(() -> TlsaRecords.publish("bad..name", 25, r)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsaRecords.publish("mx.example.test", 0, r))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsaRecords.forCertificate(server.cert(), 3, 2, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSubjectPublicKeyInfoAsTheCertificateCarriesIt() throws Exception {
        var cert = TestPki.rootCa("Root").cert();
        assertThat(CertificateDer.subjectPublicKeyInfo(cert.getEncoded())).isEqualTo(cert.getPublicKey().getEncoded());
        byte[] der = cert.getEncoded();
        for (int cut : new int[] {0, 1, 5, der.length / 2, der.length - 1}) {
            byte[] truncated = Arrays.copyOf(der, cut);
            assertThatThrownBy(() -> CertificateDer.subjectPublicKeyInfo(truncated))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a certificate");
        }
        assertThatThrownBy(() -> CertificateDer.subjectPublicKeyInfo(new byte[] {0x30, (byte) 0x84, 0x7f, -1, -1, -1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usabilityForSmtp() {
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(3, 1, 1, new byte[32]))).isNull();
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(2, 0, 2, new byte[64]))).isNull();
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(2, 1, 0, new byte[91]))).isNull();
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(1, 1, 1, new byte[32])))
                .isEqualTo("usage PKIX-EE is not for SMTP (RFC 7672 3.1.3)");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(0, 0, 1, new byte[32]))).contains("PKIX-TA");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(4, 1, 1, new byte[32]))).isEqualTo("unknown usage 4");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(3, 2, 1, new byte[32]))).isEqualTo("unknown selector 2");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(3, 1, 3, new byte[32])))
                .isEqualTo("unknown matching type 3");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(3, 1, 1, new byte[31])))
                .isEqualTo("a SHA-256 digest has 32 octets, this one 31");
        assertThat(TlsaRecords.whyUnusable(new TlsaRecord(3, 1, 2, new byte[32]))).contains("SHA-512");
        assertThat(TlsaRecords.describe(new TlsaRecord(2, 0, 1, new byte[32]))).isEqualTo("DANE-TA 2 0 1");
    }
}
