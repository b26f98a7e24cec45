package dev.mailflow.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority: a root (and intermediates) that issue server certificates
 * with the names, validity and key usage a test asks for, all made in memory with Bouncy
 * Castle. For tests of certificate checks against real TLS handshakes on loopback.
 */
public final class TestPki {

    static {
        // Test servers made from these certificates may do this JVM's first server handshake:
        // JSSE reads the server-side hardening then, once (TlsHardeningTest relies on it).
        dev.mailflow.server.tls.JsseHardening.apply();
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key and the chain to present (leaf first, without the root). */
    public record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {

        /** A server context presenting this chain. */
        public SSLContext serverContext() {
            try {
                var ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = "test".toCharArray();
                ks.setKeyEntry("server", key, pw, chain.toArray(new Certificate[0]));
                var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                var ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, null);
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Writes the chain, and the key as PKCS#8 PEM with its public key inside (RFC 5915's
         * optional publicKey), which GnuTLS (slapd) needs and the JDK's own encoding leaves out.
         */
        public void writePemWithPublicKey(Path certificateFile, Path keyFile) throws IOException {
            Files.writeString(certificateFile, pem(chain.toArray()));
            var ec = (java.security.interfaces.ECPrivateKey) key;
            var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                    certificate.getPublicKey().getEncoded());
            var curve = org.bouncycastle.asn1.ASN1ObjectIdentifier.getInstance(spki.getAlgorithm().getParameters());
            var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(),
                    new org.bouncycastle.asn1.DERBitString(spki.getPublicKeyData().getBytes()), curve);
            var info = new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                    org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey, curve), sec1);
            Files.writeString(keyFile, pem(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", info.getEncoded())));
        }

        /** Writes the chain and the key as PEM files. */
        public void writePem(Path certificateFile, Path keyFile) throws IOException {
            Files.writeString(certificateFile, pem(chain.toArray()));
            Files.writeString(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)));
        }
    }

    /** What a leaf certificate is to be like. */
    public static final class Leaf {
        private final List<String> dnsNames = new ArrayList<>();
        private final List<String> ipAddresses = new ArrayList<>();
        private String commonName;
        private Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(30));
        private KeyPurposeId purpose = KeyPurposeId.id_kp_serverAuth;

        public Leaf dns(String... names) {
            dnsNames.addAll(List.of(names));
            return this;
        }

        /** IP addresses in the subject alternative names (iPAddress), for a server reached by its address. */
        public Leaf ip(String... addresses) {
            ipAddresses.addAll(List.of(addresses));
            return this;
        }

        /** The subject CN (the first DNS name when not set). */
        public Leaf commonName(String cn) {
            this.commonName = cn;
            return this;
        }

        public Leaf validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /** An extended key usage other than serverAuth (null: none at all). */
        public Leaf purpose(KeyPurposeId purpose) {
            this.purpose = purpose;
            return this;
        }
    }

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final List<X509Certificate> chainAbove;

    private TestPki(String name, KeyPair keys, X509Certificate certificate, List<X509Certificate> chainAbove) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
        this.chainAbove = chainAbove;
    }

    /** A new root CA named {@code CN=<name>}. */
    public static TestPki root(String name) {
        KeyPair kp = keyPair();
        var cert = sign(new X500Name("CN=" + name), kp, new X500Name("CN=" + name), kp.getPrivate(), true, null,
                Instant.now().minus(Duration.ofDays(2)), Instant.now().plus(Duration.ofDays(365)), null, kp);
        return new TestPki(name, kp, cert, List.of());
    }

    /** An intermediate CA issued by this one; its leaves' chains include it. */
    public TestPki intermediate(String childName, Instant notBefore, Instant notAfter) {
        KeyPair kp = keyPair();
        var cert = sign(new X500Name("CN=" + childName), kp, new X500Name("CN=" + name), keys.getPrivate(), true, null,
                notBefore, notAfter, null, keys);
        var above = new ArrayList<X509Certificate>();
        above.add(cert);
        above.addAll(chainAbove);
        return new TestPki(childName, kp, cert, List.copyOf(above));
    }

    /** The CA's own certificate (a trust anchor for a root). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes the CA certificate as PEM (a {@code ca_file}). */
    public Path writeCertificate(Path file) throws IOException {
        Files.writeString(file, pem(certificate));
        return file;
    }

    /** A server certificate for these DNS names, valid now for a month. */
    public Issued issue(String... dnsNames) {
        return issue(new Leaf().dns(dnsNames));
    }

    public Issued issue(Leaf leaf) {
        KeyPair kp = keyPair();
        String cn = leaf.commonName != null ? leaf.commonName : leaf.dnsNames.isEmpty() ? "test" : leaf.dnsNames.get(0);
        var names = new ArrayList<GeneralName>();
        leaf.dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        leaf.ipAddresses.forEach(a -> names.add(new GeneralName(GeneralName.iPAddress, a)));
        var cert = sign(new X500Name("CN=" + cn), kp, new X500Name("CN=" + name), keys.getPrivate(), false,
                names, leaf.notBefore, leaf.notAfter, leaf.purpose, keys);
        var chain = new ArrayList<X509Certificate>();
        chain.add(cert);
        chain.addAll(chainAbove);
        return new Issued(cert, kp.getPrivate(), List.copyOf(chain));
    }

    /** A self-signed server certificate for the names. */
    public static Issued selfSigned(String... dnsNames) {
        KeyPair kp = keyPair();
        var subject = new X500Name("CN=" + dnsNames[0]);
        var cert = sign(subject, kp, subject, kp.getPrivate(), false,
                java.util.Arrays.stream(dnsNames).map(n -> new GeneralName(GeneralName.dNSName, n)).toList(),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)),
                KeyPurposeId.id_kp_serverAuth, kp);
        return new Issued(cert, kp.getPrivate(), List.of(cert));
    }

    private static KeyPair keyPair() {
        try {
            var kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(256, RANDOM);
            return kpg.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        boolean ca, List<GeneralName> names, Instant notBefore, Instant notAfter,
                                        KeyPurposeId purpose, KeyPair issuerKeys) {
        try {
            var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            var utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                if (purpose != null) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                }
                if (names != null && !names.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
                }
            }
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object... objects) throws IOException {
        var sw = new StringWriter();
        try (var w = new JcaPEMWriter(sw)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        return sw.toString();
    }
}
