package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.auth.dkim.DkimAlgorithm;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.testing.MainRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [[dkim_key]]}: keys are loaded with the configuration (paths relative to the file),
 * RSA and Ed25519 side by side; every mistake is one clear error line that names the key, and
 * weak or foreign keys are warnings that {@code mailflow check} prints.
 */
class DkimKeyConfigTest {

    @TempDir
    static Path dir;

    static final String BASE = """
            data_dir = "data"
            [web]
            enabled = false
            [[receive_connector]]
            name = "Inbound"
            bind = "127.0.0.1:0"
            [[accepted_domain]]
            name = "example.test"
            [[mailbox]]
            address = "postmaster@example.test"
            """;

    @BeforeAll
    static void keys() throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/rsa.pem"), DkimKeyGenerator.privateKeyPem(DkimKeyGenerator.rsa(2048)));
        Files.writeString(dir.resolve("keys/ed.pem"), DkimKeyGenerator.privateKeyPem(DkimKeyGenerator.ed25519()));
        Files.writeString(dir.resolve("keys/rsa1024.pem"), DkimKeyGenerator.privateKeyPem(DkimKeyGenerator.rsa(1024)));
        var g = KeyPairGenerator.getInstance("RSA");
        g.initialize(512);
        Files.writeString(dir.resolve("keys/rsa512.pem"), DkimKeyGenerator.privateKeyPem(g.generateKeyPair()));
        var pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(new byte[64])
                + "\n-----END RSA PRIVATE KEY-----\n";
        Files.writeString(dir.resolve("keys/pkcs1.pem"), pkcs1);
        Files.writeString(dir.resolve("keys/cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Files.createDirectories(dir.resolve("keys/adir"));
    }

    static String key(String domain, String selector, String file) {
        return "[[dkim_key]]\ndomain = \"" + domain + "\"\nselector = \"" + selector + "\"\nprivate_key = \"" + file
                + "\"\n";
    }

    static MailflowConfig load(String... keys) throws Exception {
        return ConfigLoader.loadString(BASE + String.join("", keys), "test.toml", dir);
    }

    static String error(String... keys) {
        try {
            load(keys);
        } catch (ConfigException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error");
    }

    @Test
    void anRsaAndAnEd25519KeySideBySideRelativeToTheFile() throws Exception {
        var config = load(key("example.test", "r2026", "keys/rsa.pem"), key("Example.TEST", "e2026", "keys/ed.pem"));
        var keys = config.delivery().dkimKeys();
        assertThat(keys).extracting(k -> k.domain() + " " + k.selector() + " " + k.algorithm())
                .containsExactly("example.test r2026 " + DkimAlgorithm.RSA_SHA256,
                        "example.test e2026 " + DkimAlgorithm.ED25519_SHA256);
        assertThat(ConfigWarnings.of(config)).isEmpty();
        assertThat(load().delivery().dkimKeys()).isEmpty();
    }

    @Test
    void mistakesAreOneLineNamingTheKey() {
        Path keys = dir.resolve("keys");
        assertThat(error(key("example.test", "s", "keys/missing.pem"))).isEqualTo("test.toml:14: dkim_key[1]"
                + ".private_key: " + keys.resolve("missing.pem") + ": no such file (make one with: mailflow dkim keygen)");
        assertThat(error(key("example.test", "s", "keys/adir"))).endsWith(keys.resolve("adir") + ": not a file");
        assertThat(error(key("example.test", "s", "keys/pkcs1.pem"))).contains("dkim_key[1].private_key: ")
                .contains("this is a PKCS#1 RSA key; convert it to PKCS#8 with 'openssl pkcs8 -topk8");
        assertThat(error(key("example.test", "s", "keys/cert.pem")))
                .endsWith("not a PKCS#8 PEM private key (no '-----BEGIN PRIVATE KEY-----' block)");
        assertThat(error(key("example.test", "s", "keys/rsa512.pem")))
                .endsWith("the RSA key has 512 bits; RFC 8301 requires at least 1024 (use 2048)");
        assertThat(error(key("example.test", "s", "keys/rsa.pem"), key("EXAMPLE.test", "s", "keys/ed.pem")))
                .isEqualTo("test.toml:17: dkim_key[2].selector: domain EXAMPLE.test has selector \"s\" twice"
                        + " (dkim_key[1]); each key needs its own selector");
        assertThat(error(key("example.test", "bad selector", "keys/rsa.pem")))
                .contains("dkim_key[1].selector: \"bad selector\" is not a DKIM selector");
        assertThat(error(key("not a domain", "s", "keys/rsa.pem")))
                .isEqualTo("test.toml:12: dkim_key[1].domain: \"not a domain\" is not a domain name");
        assertThat(error("[[dkim_key]]\ndomain = \"example.test\"\nprivate_key = \"keys/rsa.pem\"\n"))
                .endsWith("dkim_key[1].selector: is required");
    }

    @Test
    void anUnreadableFileSaysSo() throws Exception {
        Path locked = Files.copy(dir.resolve("keys/ed.pem"), dir.resolve("keys/locked.pem"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            if (Files.isReadable(locked)) {
                return; // root reads anything: nothing to see here
            }
            assertThat(error(key("example.test", "s", "keys/locked.pem")))
                    .endsWith(locked + ": cannot read it (permission denied for this user)");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void weakAndForeignKeysAreWarningsThatCheckPrints() throws Exception {
        var config = load(key("example.test", "old", "keys/rsa1024.pem"), key("lists.example.test", "e", "keys/ed.pem"),
                key("elsewhere.test", "e", "keys/ed.pem"));
        assertThat(ConfigWarnings.of(config)).containsExactly(
                "dkim key example.test selector old: the RSA key has 1024 bits; use 2048 (mailflow dkim keygen makes one)",
                "dkim key elsewhere.test selector e: elsewhere.test is not an accepted domain (nor a parent or"
                        + " subdomain of one); mail with a From in it is signed all the same");

        Path file = Files.writeString(dir.resolve("check.toml"), BASE + key("example.test", "old", "keys/rsa1024.pem"));
        var r = MainRunner.run("check", "--config", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("mailflow: warning: dkim key example.test selector old: the RSA key has 1024 bits");

        Path broken = Files.writeString(dir.resolve("broken.toml"), BASE + key("example.test", "s", "keys/pkcs1.pem"));
        var b = MainRunner.run("check", "--config", broken.toString());
        assertThat(b.code()).isEqualTo(2);
        assertThat(b.err()).startsWith("mailflow: " + broken + ":14: dkim_key[1].private_key: ")
                .contains("PKCS#1");
    }

    @Test
    void aReloadNamesAddedKeysAndKeysReplacedInPlace() throws Exception {
        var before = load(key("example.test", "r2026", "keys/rsa.pem"));
        var after = load(key("example.test", "r2026", "keys/rsa.pem"), key("example.test", "e2026", "keys/ed.pem"));
        assertThat(ConfigDiff.between(before, after)).extracting(ConfigDiff.Change::line)
                .containsExactly("dkim key example.test selector e2026 added");
        var changed = load(key("example.test", "r2026", "keys/rsa1024.pem"));
        assertThat(ConfigDiff.between(before, changed)).extracting(ConfigDiff.Change::line)
                .containsExactly("dkim key example.test selector r2026 private_key \"keys/rsa.pem\" -> \"keys/rsa1024.pem\"");
    }
}
