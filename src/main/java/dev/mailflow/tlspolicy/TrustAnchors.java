package dev.mailflow.tlspolicy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities that outbound TLS trusts (RFC 8461 4.2: "a trusted authority",
 * the WebPKI): the JDK's default trust store ({@code cacerts}, or what
 * {@code javax.net.ssl.trustStore} names) plus, optionally, a PEM file of extra CA certificates,
 * the {@code [delivery] ca_file} key (a private CA; the tests' own CA). Immutable and shared.
 */
public final class TrustAnchors {

    private final List<X509Certificate> extra;
    private final Set<TrustAnchor> anchors;
    private final X509TrustManager trustManager;

    private TrustAnchors(List<X509Certificate> defaults, List<X509Certificate> extra) {
        this.extra = List.copyOf(extra);
        var all = new ArrayList<X509Certificate>(defaults);
        all.addAll(extra);
        var set = new LinkedHashSet<TrustAnchor>();
        for (var c : all) {
            set.add(new TrustAnchor(c, null));
        }
        this.anchors = Set.copyOf(set);
        this.trustManager = trustManagerOf(all);
    }

    /** The JDK's default trust store only. */
    public static TrustAnchors system() {
        return new TrustAnchors(defaultCertificates(), List.of());
    }

    /**
     * The JDK's default trust store plus the CA certificates of a PEM file; {@code caFile} null
     * is {@link #system()}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: missing, unreadable,
     *                                  holding no certificate, or a certificate that does not parse
     */
    public static TrustAnchors withCaFile(Path caFile) {
        if (caFile == null) {
            return system();
        }
        return new TrustAnchors(defaultCertificates(), readPem(caFile));
    }

    /** These CA certificates only, without the JDK's (for a pinned private CA, and for tests). */
    public static TrustAnchors only(List<X509Certificate> certificates) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no trust anchor given");
        }
        return new TrustAnchors(List.of(), certificates);
    }

    /** The CA certificates of the {@code ca_file}, in file order; empty without one. */
    public List<X509Certificate> extra() {
        return extra;
    }

    /** Every anchor, for PKIX path building. */
    public Set<TrustAnchor> anchors() {
        return anchors;
    }

    /**
     * A standard JSSE trust manager over every anchor (path building, validity, key usage).
     * It does not check the host name unless the socket's SSL parameters ask for it
     * ({@code setEndpointIdentificationAlgorithm("HTTPS")}); {@link WebPki#trustManager(String)}
     * does, with reasons in words.
     */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** A client context trusting these anchors, with no client certificate. */
    public SSLContext sslContext() {
        return contextWith(trustManager);
    }

    static SSLContext contextWith(TrustManager trustManager) {
        try {
            var ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * The certificates of a PEM file (a {@code ca_file}), in file order.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static List<X509Certificate> readPem(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
        }
        var certificates = new ArrayList<X509Certificate>();
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            var factory = CertificateFactory.getInstance("X.509");
            for (var c : factory.generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
        } catch (CertificateException | IOException e) {
            throw new IllegalArgumentException(file + " holds a certificate that cannot be read: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("malformed"));
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate");
        }
        return certificates;
    }

    private static List<X509Certificate> defaultCertificates() {
        try {
            var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (var tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return Arrays.asList(x.getAcceptedIssuers());
                }
            }
            return List.of();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JDK's trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManagerOf(List<X509Certificate> certificates) {
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var c : certificates) {
                store.setCertificateEntry("anchor-" + i++, c);
            }
            var factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (var tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK's PKIX trust manager factory made no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
        }
    }
}
