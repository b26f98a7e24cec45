package dev.mailflow.server.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context: built from the configured PEM files (or a self-signed certificate
 * kept in the data directory), rebuilt when the files change, on {@link #reload()}, or from
 * other files on {@link #use} (a configuration reload).
 */
public final class TlsContextProvider {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContextProvider.class);

    static {
        // Before the first server handshake, whoever started the server (JsseHardening).
        JsseHardening.apply();
    }
    /** RFC 8996: no TLS 1.0 or 1.1. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private volatile Path certificateFile;
    private volatile Path keyFile;
    private volatile SSLContext context;
    private volatile String[] ciphers;
    private volatile FileTime certTime;
    private volatile FileTime keyTime;
    private volatile String fingerprint;

    private TlsContextProvider(Path certificateFile, Path keyFile) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
    }

    /**
     * @param certificateFile the PEM chain, or null for a self-signed certificate
     * @param selfSignedDir   where a self-signed certificate is kept (made on first use)
     */
    public static TlsContextProvider create(Path certificateFile, Path keyFile, String hostname, Path selfSignedDir)
            throws IOException {
        Path[] files = certificateFile == null ? selfSigned(hostname, selfSignedDir)
                : new Path[] {certificateFile, keyFile};
        var provider = new TlsContextProvider(files[0], files[1]);
        provider.load();
        LOG.info("TLS certificate {} (SHA-256 {})", files[0], provider.fingerprint);
        return provider;
    }

    /** The self-signed certificate and its key, kept in {@code dir}: made when they are not there. */
    private static Path[] selfSigned(String hostname, Path dir) throws IOException {
        Path cert = dir.resolve("selfsigned-cert.pem");
        Path key = dir.resolve("selfsigned-key.pem");
        if (!Files.exists(cert) || !Files.exists(key)) {
            var made = TlsCertificates.selfSigned(hostname);
            made.write(cert, key);
            LOG.info("made a self-signed certificate for {} in {} (SHA-256 {})", hostname, cert, made.fingerprint());
        }
        return new Path[] {cert, key};
    }

    /**
     * Reads the certificate from these files from now on (null: the self-signed one for
     * {@code hostname} in {@code selfSignedDir}), or again from the same ones; the current
     * one stays when they are broken.
     *
     * @return whether the certificate was (re)loaded
     */
    public synchronized boolean use(Path certificate, Path key, String hostname, Path selfSignedDir) {
        Path[] files;
        try {
            files = certificate == null ? selfSigned(hostname, selfSignedDir) : new Path[] {certificate, key};
        } catch (IOException e) {
            LOG.error("TLS certificate not reloaded, keeping the current one: {}", e.getMessage());
            return false;
        }
        Path oldCert = certificateFile;
        Path oldKey = keyFile;
        certificateFile = files[0];
        keyFile = files[1];
        if (reload()) {
            return true;
        }
        certificateFile = oldCert;
        keyFile = oldKey;
        return false;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** Builds a new context from the files; the old one stays when they are broken. */
    public synchronized boolean reload() {
        try {
            load();
            LOG.info("TLS certificate reloaded from {} (SHA-256 {})", certificateFile, fingerprint);
            return true;
        } catch (IOException e) {
            LOG.error("TLS certificate not reloaded, keeping the current one: {}", e.getMessage());
            return false;
        }
    }

    /** Reloads when the files' modification times changed (called now and then). */
    public void reloadIfChanged() {
        try {
            if (!Files.getLastModifiedTime(certificateFile).equals(certTime)
                    || !Files.getLastModifiedTime(keyFile).equals(keyTime)) {
                reload();
            }
        } catch (IOException e) {
            LOG.warn("cannot check the TLS certificate files: {}", e.getMessage());
        }
    }

    private void load() throws IOException {
        FileTime ct = Files.getLastModifiedTime(certificateFile);
        FileTime kt = Files.getLastModifiedTime(keyFile);
        var certs = TlsCertificates.read(certificateFile, keyFile);
        try {
            var ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("server", certs.key(), pw, certs.chain().toArray(new Certificate[0]));
            var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            var ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            this.ciphers = modernCiphers(ctx.getSupportedSSLParameters().getCipherSuites());
            this.context = ctx;
            this.certTime = ct;
            this.keyTime = kt;
            this.fingerprint = certs.fingerprint();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the certificate " + certificateFile + ": " + e.getMessage(), e);
        }
    }

    /** TLS 1.3 suites and TLS 1.2 ECDHE suites with AEAD (GCM, ChaCha20-Poly1305) only. */
    static String[] modernCiphers(String[] supported) {
        return Arrays.stream(supported).filter(c -> c.startsWith("TLS_AES_") || c.startsWith("TLS_CHACHA20_")
                || (c.startsWith("TLS_ECDHE_") && (c.contains("_GCM_") || c.contains("CHACHA20"))))
                .toArray(String[]::new);
    }

    /** Wraps a connected socket as the server side of TLS, with our protocols and ciphers. */
    public SSLSocket wrap(Socket socket) throws IOException {
        SSLSocketFactory f = context.getSocketFactory();
        var s = (SSLSocket) f.createSocket(socket, null, socket.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(PROTOCOLS);
        s.setEnabledCipherSuites(ciphers);
        var params = s.getSSLParameters();
        params.setUseCipherSuitesOrder(true);
        s.setSSLParameters(params);
        return s;
    }

    /** The current context (for the web console's HTTPS). */
    public SSLContext context() {
        return context;
    }

    public List<String> protocols() {
        return List.of(PROTOCOLS);
    }
}
