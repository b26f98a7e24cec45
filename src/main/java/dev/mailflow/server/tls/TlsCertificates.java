package dev.mailflow.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/** A certificate chain and its key: read from PEM files, or made self-signed. */
public record TlsCertificates(List<X509Certificate> chain, PrivateKey key) {

    /** Reads a PEM chain (leaf first) and a PEM private key (PKCS#1, PKCS#8 or EC). */
    public static TlsCertificates read(Path certificateFile, Path keyFile) throws IOException {
        var chain = new ArrayList<X509Certificate>();
        try (Reader r = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
             var pem = new PEMParser(r)) {
            Object o;
            var conv = new JcaX509CertificateConverter();
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    chain.add(conv.getCertificate(h));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(certificateFile + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException(certificateFile + " holds no PEM certificate");
        }
        PrivateKey key = null;
        try (Reader r = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII); var pem = new PEMParser(r)) {
            Object o;
            var conv = new JcaPEMKeyConverter();
            while ((o = pem.readObject()) != null && key == null) {
                if (o instanceof PEMKeyPair kp) {
                    key = conv.getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo info) {
                    key = conv.getPrivateKey(info);
                }
            }
        }
        if (key == null) {
            throw new IOException(keyFile + " holds no PEM private key (an encrypted key is not supported)");
        }
        return new TlsCertificates(List.copyOf(chain), key);
    }

    /** A self-signed ECDSA P-256 certificate for the host name, valid for ten years. */
    public static TlsCertificates selfSigned(String hostname) throws IOException {
        try {
            var kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(256, new SecureRandom());
            KeyPair kp = kpg.generateKeyPair();
            var name = new X500Name("CN=" + hostname);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
                    kp.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new TlsCertificates(List.of(cert), kp.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** Writes the chain and the key as PEM (the key readable by the owner only). */
    public void write(Path certificateFile, Path keyFile) throws IOException {
        Files.createDirectories(certificateFile.toAbsolutePath().getParent());
        Files.writeString(certificateFile, pem(chain.toArray()));
        var sw = new StringWriter();
        try (var w = new JcaPEMWriter(sw)) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        }
        Files.writeString(keyFile, sw.toString());
        try {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
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

    /** SHA-256 fingerprint of the leaf certificate, as AA:BB:... */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            return "?";
        }
    }
}
