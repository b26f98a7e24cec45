package dev.mailflow.testing;

import dev.mailflow.server.tls.TlsCertificates;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A certificate authority made for one test: it issues server certificates for host names. */
public final class TestCa {

    private final KeyPair key;
    private final X509Certificate certificate;
    private final X500Name name;

    private TestCa(String commonName) throws Exception {
        var kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(256, new SecureRandom());
        this.key = kpg.generateKeyPair();
        this.name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(1), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(3650))), name, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.certificate = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    public static TestCa create(String commonName) throws Exception {
        return new TestCa(commonName);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A server certificate for the names (the first is the CN), valid from a day ago for {@code valid}. */
    public TlsCertificates issue(Duration valid, String... hostnames) throws Exception {
        var kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(256, new SecureRandom());
        KeyPair kp = kpg.generateKeyPair();
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(valid)),
                new X500Name("CN=" + hostnames[0]), kp.getPublic());
        var names = new GeneralName[hostnames.length];
        for (int i = 0; i < hostnames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, hostnames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        var cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return new TlsCertificates(List.of(cert, certificate), kp.getPrivate());
    }

    public TlsCertificates issue(String... hostnames) throws Exception {
        return issue(Duration.ofDays(365), hostnames);
    }

    /** The CA certificate as a PEM file (a {@code ca_file}). */
    public Path writeCertificate(Path file) throws IOException {
        var sw = new StringWriter();
        try (var w = new JcaPEMWriter(sw)) {
            w.writeObject(certificate);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sw.toString());
        return file;
    }
}
