package dev.mailflow.app;

import dev.mailflow.tlspolicy.TrustAnchors;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads a PEM file of CA certificates (a {@code ca_file} key) as a configuration value. */
final class CaCertificates {

    private CaCertificates() {
    }

    /** @throws ConfigKey.InvalidValue naming the file and what is wrong with it */
    static List<X509Certificate> read(Path file) throws ConfigKey.InvalidValue {
        try {
            return TrustAnchors.readPem(file);
        } catch (IllegalArgumentException e) {
            throw new ConfigKey.InvalidValue(e.getMessage());
        }
    }
}
