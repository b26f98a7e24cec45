import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Build-time helper of the Debian package (run as a source file by build-deb.sh, never part
 * of Mailflow): writes the runtime's lib/security/cacerts, a PKCS#12 trust store, from the
 * PEM files of a directory (Debian's /usr/share/ca-certificates/mozilla), so that the package
 * carries Mozilla's set and never the local certificates of the machine that built it.
 *
 * <p>Usage: java TrustStore.java DIRECTORY OUTPUT
 */
public final class TrustStore {

    public static void main(String[] args) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        var factory = CertificateFactory.getInstance("X.509");
        int count = 0;
        try (var files = Files.list(Path.of(args[0]))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".crt")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (var cert : factory.generateCertificates(in)) {
                        String alias = file.getFileName().toString().replaceFirst("\\.crt$", "").toLowerCase();
                        store.setCertificateEntry(alias, (X509Certificate) cert);
                        count++;
                    }
                }
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no certificates in " + args[0]);
        }
        try (var out = Files.newOutputStream(Path.of(args[1]))) {
            store.store(out, "changeit".toCharArray());
        }
        System.out.println("TrustStore: " + count + " certificates from " + args[0] + " in " + args[1]);
    }
}
