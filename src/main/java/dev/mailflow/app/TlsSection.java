package dev.mailflow.app;

import dev.mailflow.server.tls.TlsCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code [tls]}: the certificate of every connector that does TLS. */
final class TlsSection implements ConfigSection<TlsSection.Files> {

    static final TlsSection SECTION = new TlsSection();

    static final ConfigKey<String> CERTIFICATE = Keys.string("certificate");
    static final ConfigKey<String> KEY = Keys.string("key");

    /** The PEM files, absolute; both null for a self-signed certificate. */
    record Files(Path certificate, Path key) {
    }

    private TlsSection() {
    }

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(CERTIFICATE, KEY);
    }

    @Override
    public Files read(SectionInput in) throws ConfigException {
        var t = in.table();
        if (t.has(CERTIFICATE) != t.has(KEY)) {
            throw t.error(t.has(CERTIFICATE) ? KEY : CERTIFICATE, "certificate and key go together");
        }
        if (!t.has(CERTIFICATE)) {
            return new Files(null, null);
        }
        Path certificate = in.resolve(t.get(CERTIFICATE));
        Path key = in.resolve(t.get(KEY));
        try {
            TlsCertificates.read(certificate, key);
        } catch (IOException e) {
            throw t.error(CERTIFICATE, "cannot use it: " + IoErrors.describe(e));
        }
        return new Files(certificate, key);
    }
}
