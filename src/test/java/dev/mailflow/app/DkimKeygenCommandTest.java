package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimKeyLookup;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.auth.dkim.DkimStatus;
import dev.mailflow.auth.dkim.DkimVerifier;
import dev.mailflow.testing.MainRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailflow dkim keygen}: exit codes, the key file's mode, the record, and that they belong together. */
class DkimKeygenCommandTest {

    @TempDir
    Path dir;

    static final String MESSAGE = "From: kate@example.test\r\nTo: chris@contoso.test\r\nSubject: hi\r\n\r\nHello.\r\n";

    /** The quoted strings of the zone-file line, and the name it is for. */
    record Published(String name, List<String> strings) {
        String record() {
            return String.join("", strings);
        }
    }

    static Published parseZoneLine(String out) {
        Matcher m = Pattern.compile("(?m)^(\\S+) IN TXT \\(((?:\\s*\"[^\"]*\")+) \\)$").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        var strings = new ArrayList<String>();
        Matcher q = Pattern.compile("\"([^\"]*)\"").matcher(m.group(2));
        while (q.find()) {
            strings.add(q.group(1));
        }
        return new Published(m.group(1), strings);
    }

    void signAndVerifyWith(Path keyFile, Published p) throws Exception {
        DkimSigningKey key = DkimSigningKey.load("example.test", "s2026", keyFile);
        byte[] signed = new DkimSigner(key).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII));
        DkimKeyLookup dns = (selector, domain) -> (selector + "._domainkey." + domain + ".").equals(p.name())
                ? new DkimKeyLookup.Found(List.of(p.record())) : new DkimKeyLookup.NotFound();
        var result = new DkimVerifier(dns, Clock.systemUTC(), DkimPolicy.standard()).verify(signed).signatures().get(0);
        assertThat(result.status()).as(result.toString()).isEqualTo(DkimStatus.PASS);
    }

    @Test
    void ed25519KeyFileIsPrivateAndTheRecordVerifiesItsSignatures() throws Exception {
        Path file = dir.resolve("ed.pem");
        var r = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s2026", "--algorithm",
                "ed25519", "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        Published p = parseZoneLine(r.out());
        assertThat(p.name()).isEqualTo("s2026._domainkey.example.test.");
        assertThat(p.strings()).hasSize(1);
        assertThat(p.record()).matches("v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=");
        assertThat(r.out()).contains("Rotation: publish the new selector's record first")
                .contains("until the mail signed with it has been delivered");
        signAndVerifyWith(file, p);
        // The [[dkim_key]] table it prints loads as it is.
        String table = r.out().substring(r.out().indexOf("[[dkim_key]]"), r.out().indexOf("Rotation:")).strip();
        assertThat(table).isEqualTo("[[dkim_key]]\ndomain = \"example.test\"\nselector = \"s2026\"\nprivate_key = \""
                + file.toAbsolutePath() + "\"");
        var config = ConfigLoader.loadString("[web]\nenabled = false\n" + table + "\n", "test.toml", dir);
        assertThat(config.delivery().dkimKeys()).singleElement().satisfies(k -> assertThat(k.selector()).isEqualTo("s2026"));
    }

    @Test
    void rsaRecordIsSplitIntoStringsOfAtMost255Octets() throws Exception {
        Path file = dir.resolve("rsa.pem");
        var r = MainRunner.run("dkim", "keygen", "--domain", "example.test.", "--selector", "s2026", "--out",
                file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Published p = parseZoneLine(r.out());
        assertThat(p.strings()).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
        assertThat(p.record()).startsWith("v=DKIM1; k=rsa; p=MIIBIjAN"); // a 2048-bit SubjectPublicKeyInfo
        signAndVerifyWith(file, p);
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("taken.pem");
        Files.writeString(file, "precious");
        var r = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--algorithm",
                "ed25519", "--out", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("mailflow: " + file + " exists; not overwriting a key "
                + "(choose another --out, or a new selector)");
        assertThat(Files.readString(file)).isEqualTo("precious");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void usageErrorsExitWith2AndSayWhy() {
        String out = dir.resolve("k.pem").toString();
        assertThat(MainRunner.run("dkim", "keygen", "--selector", "s").code()).isEqualTo(2);
        var bits = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--bits", "512",
                "--out", out);
        assertThat(bits.code()).isEqualTo(2);
        assertThat(bits.err()).contains("1024 to 4096 bits");
        var ed = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--algorithm",
                "ed25519", "--bits", "2048", "--out", out);
        assertThat(ed.code()).isEqualTo(2);
        assertThat(ed.err()).contains("fixed size");
        var alg = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--algorithm", "dsa");
        assertThat(alg.code()).isEqualTo(2);
        var dom = MainRunner.run("dkim", "keygen", "--domain", "exa mple", "--selector", "s", "--out", out);
        assertThat(dom.code()).isEqualTo(2);
        assertThat(dom.err()).contains("is not a domain name");
        var nodir = MainRunner.run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--algorithm",
                "ed25519", "--out", dir.resolve("no/such/dir/k.pem").toString());
        assertThat(nodir.code()).isEqualTo(2);
        assertThat(nodir.err()).startsWith("mailflow: cannot write the key: ").doesNotContain("Exception");
        assertThat(Files.exists(Path.of(out))).isFalse();
        assertThat(MainRunner.run("dkim").code()).isEqualTo(2);
        assertThat(MainRunner.run("--help").out()).contains("dkim");
    }
}
