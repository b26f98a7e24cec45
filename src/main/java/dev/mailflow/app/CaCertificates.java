package dev.mailflow.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads a PEM file of CA certificates (a {@code ca_file} key) with messages for the operator. */
final class CaCertificates {

    private static final long MAX_FILE = 4L << 20;

    private CaCertificates() {
    }

    /** @throws ConfigKey.InvalidValue naming the file and what is wrong with it */
    static List<X509Certificate> read(Path file) throws ConfigKey.InvalidValue {
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new ConfigKey.InvalidValue(file + ": too large for a file of CA certificates");
            }
            var list = new ArrayList<X509Certificate>();
            try (InputStream in = Files.newInputStream(file)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    list.add((X509Certificate) c);
                }
            }
            if (list.isEmpty()) {
                throw new ConfigKey.InvalidValue(file + ": holds no certificate (PEM, \"-----BEGIN CERTIFICATE-----\")");
            }
            return List.copyOf(list);
        } catch (NoSuchFileException e) {
            throw new ConfigKey.InvalidValue(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigKey.InvalidValue(file + ": cannot read it (permission denied for this user)");
        } catch (CertificateException e) {
            throw new ConfigKey.InvalidValue(file + ": not a PEM file of certificates");
        } catch (IOException e) {
            throw new ConfigKey.InvalidValue(file + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
