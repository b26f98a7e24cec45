package dev.mailflow.tlspolicy.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.dns.TlsaRecord;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DANE-EE and DANE-TA matching (RFC 7672 3, RFC 7671 5) with certificates made here. */
class DaneVerifierTest {

    private static final String MX = "mx.secure.test";
    private static TestPki.Issued root;
    private static TestPki.Issued intermediate;
    private static TestPki.Issued leaf;
    private static TestPki.Issued other;
    private final DaneVerifier verifier = new DaneVerifier();

    @BeforeAll
    static void pki() throws Exception {
        root = TestPki.rootCa("Test Root");
        intermediate = TestPki.intermediate("Test Intermediate", root, -1);
        leaf = TestPki.server(intermediate, MX);
        other = TestPki.server(intermediate, MX); // same names, another key
    }

    private static DaneResult.Usable usable(TlsaRecord... records) {
        return new DaneResult.Usable("_25._tcp." + MX, List.of(records), List.of(MX));
    }

    private static TlsaRecord record(X509Certificate c, int usage, int selector, int matching) {
        return TlsaRecords.forCertificate(c, usage, selector, matching);
    }

    private static List<X509Certificate> chain(TestPki.Issued... certs) {
        return java.util.Arrays.stream(certs).map(TestPki.Issued::cert).toList();
    }

    @Test
    void daneEeMatchesTheCertificateOrItsKeyInEachMatchingType() {
        var full = record(leaf.cert(), 3, 0, 0);
        var spki256 = record(leaf.cert(), 3, 1, 1);
        var spki512 = record(leaf.cert(), 3, 1, 2);
        assertThat(verifier.verify(chain(leaf), usable(full))).isEqualTo(
                new DaneVerification.Matched(full, "DANE-EE 3 0 0 matched the server's certificate"));
        assertThat(verifier.verify(chain(leaf, intermediate), usable(spki256))).isEqualTo(
                new DaneVerification.Matched(spki256, "DANE-EE 3 1 1 matched the server's public key"));
        assertThat(verifier.verify(chain(leaf), usable(spki512)))
                .isInstanceOf(DaneVerification.Matched.class);
        assertThat(spki256.data()).hasSize(32);
        assertThat(spki512.data()).hasSize(64);
    }

    @Test
    void daneEeMismatchSaysWhatWasCompared() {
        var result = verifier.verify(chain(other, intermediate), usable(record(leaf.cert(), 3, 1, 1),
                record(leaf.cert(), 3, 0, 0)));
        assertThat(result).isInstanceOf(DaneVerification.Failed.class);
        String reason = ((DaneVerification.Failed) result).reason();
        assertThat(reason).contains("matched none of the usable TLSA records at _25._tcp.mx.secure.test")
                .contains("DANE-EE 3 1 1 did not match the server's public key (SHA-256 digest ")
                .contains("DANE-EE 3 0 0 did not match the server's certificate");
    }

    @Test
    void daneEeIgnoresDatesAndNames() throws Exception {
        var expiredElsewhere = TestPki.selfSignedServer(TestPki.expired(), "somewhere.else.test");
        var r = record(expiredElsewhere.cert(), 3, 1, 1);
        assertThat(verifier.verify(chain(expiredElsewhere), usable(r))).isInstanceOf(DaneVerification.Matched.class);
    }

    @Test
    void daneTaMatchesACertificateOfTheChainAndChecksTheName() {
        var rootCert = record(root.cert(), 2, 0, 1);
        var result = verifier.verify(chain(leaf, intermediate, root), usable(rootCert));
        assertThat(result).isEqualTo(new DaneVerification.Matched(rootCert,
                "DANE-TA 2 0 1 matched the certificate of CN=Test Root, which issued the server's certificate for "
                        + MX));
        var intermediateKey = record(intermediate.cert(), 2, 1, 1);
        assertThat(verifier.verify(chain(leaf, intermediate), usable(intermediateKey)))
                .isInstanceOf(DaneVerification.Matched.class);
    }

    @Test
    void daneTaInAnUnorderedChain() {
        assertThat(verifier.verify(chain(leaf, root, intermediate), usable(record(root.cert(), 2, 1, 1))))
                .isInstanceOf(DaneVerification.Matched.class);
    }

    @Test
    void daneTaAsABarePublicKeyThatTheServerDoesNotSend() {
        var bareKey = record(root.cert(), 2, 1, 0);
        var result = verifier.verify(chain(leaf, intermediate), usable(bareKey));
        assertThat(result).isInstanceOf(DaneVerification.Matched.class);
        assertThat(((DaneVerification.Matched) result).how())
                .startsWith("DANE-TA 2 1 0 matched the public key that signed the certificate of CN=Test Intermediate");
        // A digest of a key that is not sent cannot verify a signature: no match.
        assertThat(verifier.verify(chain(leaf, intermediate), usable(record(root.cert(), 2, 1, 1))))
                .isInstanceOf(DaneVerification.Failed.class);
    }

    @Test
    void daneTaRefusesAServerCertificateForAnotherName() throws Exception {
        var wrongName = TestPki.server(intermediate, "mx.other.test", "*.elsewhere.test");
        var result = verifier.verify(chain(wrongName, intermediate, root), usable(record(root.cert(), 2, 0, 1)));
        assertThat(result).isInstanceOf(DaneVerification.Failed.class);
        assertThat(((DaneVerification.Failed) result).reason())
                .contains("DANE-TA 2 0 1 matched the certificate of CN=Test Root, but the server's certificate is for "
                        + "mx.other.test, *.elsewhere.test, not mx.secure.test");
    }

    @Test
    void daneTaAcceptsAWildcardInTheLeftMostLabelOnly() throws Exception {
        var wildcard = TestPki.server(intermediate, "*.secure.test");
        assertThat(verifier.verify(chain(wildcard, intermediate), usable(record(intermediate.cert(), 2, 0, 1))))
                .isInstanceOf(DaneVerification.Matched.class);
        assertThat(DaneVerifier.nameMatches("*.secure.test", "MX.Secure.Test.")).isTrue();
        assertThat(DaneVerifier.nameMatches("*.secure.test", "a.mx.secure.test")).isFalse();
        assertThat(DaneVerifier.nameMatches("*.secure.test", "secure.test")).isFalse();
        assertThat(DaneVerifier.nameMatches("m*.secure.test", "mx.secure.test")).isFalse();
        assertThat(DaneVerifier.nameMatches("*.test", "secure.test")).isFalse(); // not over a top-level label
        assertThat(DaneVerifier.nameMatches("*", "test")).isFalse();
        assertThat(DaneVerifier.nameMatches("mx.secure.test.", "mx.secure.test")).isTrue();
    }

    @Test
    void daneTaChecksTheDatesBelowTheAnchor() throws Exception {
        var expired = TestPki.server(intermediate, TestPki.expired(), MX);
        var result = verifier.verify(chain(expired, intermediate), usable(record(intermediate.cert(), 2, 0, 1)));
        assertThat(result).isInstanceOf(DaneVerification.Failed.class);
        assertThat(((DaneVerification.Failed) result).reason()).contains("the server's certificate expired on");
    }

    @Test
    void daneTaRequiresIssuersToBeCas() throws Exception {
        var fakeCa = TestPki.notACa("Not A CA", root);
        var below = TestPki.server(fakeCa, MX);
        var result = verifier.verify(chain(below, fakeCa, root), usable(record(root.cert(), 2, 0, 1)));
        assertThat(result).isInstanceOf(DaneVerification.Failed.class);
        assertThat(((DaneVerification.Failed) result).reason()).contains("CN=Not A CA issued a certificate but is not a CA");
    }

    @Test
    void daneTaHonoursThePathLength() throws Exception {
        var first = TestPki.intermediate("First", root, 0);
        var second = TestPki.intermediate("Second", first, -1);
        var server = TestPki.server(second, MX);
        var result = verifier.verify(chain(server, second, first, root), usable(record(root.cert(), 2, 0, 1)));
        assertThat(result).isInstanceOf(DaneVerification.Failed.class);
        assertThat(((DaneVerification.Failed) result).reason()).contains("CN=First allows 0 intermediate CAs below it");
        // Anchored at the second intermediate, the chain is short enough.
        assertThat(verifier.verify(chain(server, second), usable(record(second.cert(), 2, 0, 1))))
                .isInstanceOf(DaneVerification.Matched.class);
    }

    @Test
    void daneTaWithAnotherCaMatchesNothing() throws Exception {
        var otherRoot = TestPki.rootCa("Other Root");
        var result = verifier.verify(chain(leaf, intermediate, root), usable(record(otherRoot.cert(), 2, 0, 1)));
        assertThat(((DaneVerification.Failed) result).reason())
                .contains("DANE-TA 2 0 1: no certificate of the chain of 3 the server sent");
    }

    @Test
    void theLeafItselfIsNoTrustAnchor() {
        assertThat(verifier.verify(chain(leaf), usable(record(leaf.cert(), 2, 0, 1))))
                .isInstanceOf(DaneVerification.Failed.class);
    }

    @Test
    void noCertificateAtAll() {
        assertThat(verifier.verify(List.of(), usable(record(leaf.cert(), 3, 1, 1))))
                .isEqualTo(new DaneVerification.Failed("the server sent no certificate"));
    }

    @Test
    void theTrustManagerAbortsOnAMismatchAndKeepsTheOutcome() throws Exception {
        var manager = verifier.trustManager(usable(record(leaf.cert(), 3, 1, 1)));
        assertThat(manager.result()).isEmpty();
        manager.checkServerTrusted(new X509Certificate[] {leaf.cert()}, "ECDHE_ECDSA");
        assertThat(manager.result()).containsInstanceOf(DaneVerification.Matched.class);
        assertThatThrownBy(() -> manager.checkServerTrusted(new X509Certificate[] {other.cert()}, "ECDHE_ECDSA"))
                .isInstanceOf(DaneVerifier.DaneCertificateException.class)
                .hasMessageContaining("DANE: the server's certificate (for mx.secure.test) matched none");
        assertThat(manager.result()).containsInstanceOf(DaneVerification.Failed.class);
        assertThatThrownBy(() -> manager.checkClientTrusted(new X509Certificate[] {leaf.cert()}, "RSA"))
                .isInstanceOf(java.security.cert.CertificateException.class);
    }
}
