package dev.mailflow.tlspolicy.dane;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made in the test (Bouncy Castle's builder, JDK keys): CAs and servers. */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    record Issued(X509Certificate cert, KeyPair keys) {
    }

    private TestPki() {
    }

    static KeyPair keys() throws Exception {
        var g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A self-signed root CA. */
    static Issued rootCa(String cn) throws Exception {
        var keys = keys();
        return new Issued(build("CN=" + cn, keys, "CN=" + cn, keys, true, -1, null, validNow()), keys);
    }

    /** An intermediate CA under {@code issuer}, allowing {@code pathLength} CAs below it (-1: any). */
    static Issued intermediate(String cn, Issued issuer, int pathLength) throws Exception {
        var keys = keys();
        return new Issued(build("CN=" + cn, keys, subject(issuer), issuer.keys(), true, pathLength, null, validNow()),
                keys);
    }

    /** A server certificate for these DNS names (the first also as CN). */
    static Issued server(Issued issuer, String... dnsNames) throws Exception {
        return server(issuer, validNow(), dnsNames);
    }

    static Issued server(Issued issuer, Instant[] validity, String... dnsNames) throws Exception {
        var keys = keys();
        return new Issued(build("CN=" + dnsNames[0], keys, subject(issuer), issuer.keys(), false, -1, dnsNames,
                validity), keys);
    }

    /** A self-signed server certificate (no CA), e.g. one published as DANE-EE. */
    static Issued selfSignedServer(Instant[] validity, String dnsName) throws Exception {
        var keys = keys();
        return new Issued(build("CN=" + dnsName, keys, "CN=" + dnsName, keys, false, -1, new String[] {dnsName},
                validity), keys);
    }

    /** A CA certificate that is not marked as a CA (no basic constraints CA flag). */
    static Issued notACa(String cn, Issued issuer) throws Exception {
        var keys = keys();
        return new Issued(build("CN=" + cn, keys, subject(issuer), issuer.keys(), false, -1, null, validNow()), keys);
    }

    static Instant[] validNow() {
        var now = Instant.now();
        return new Instant[] {now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))};
    }

    static Instant[] expired() {
        var now = Instant.now();
        return new Instant[] {now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(30))};
    }

    private static String subject(Issued i) {
        return i.cert().getSubjectX500Principal().getName();
    }

    private static X509Certificate build(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            boolean ca, int pathLength, String[] dnsNames, Instant[] validity) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(validity[0]), Date.from(validity[1]), new X500Name(subject), subjectKeys.getPublic());
        if (ca) {
            b.addExtension(Extension.basicConstraints, true,
                    pathLength >= 0 ? new BasicConstraints(pathLength) : new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        }
        if (dnsNames != null) {
            var names = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }
}
