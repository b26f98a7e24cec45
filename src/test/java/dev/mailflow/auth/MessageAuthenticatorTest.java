package dev.mailflow.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.arc.ArcOutcome;
import dev.mailflow.auth.arc.ArcResult;
import dev.mailflow.auth.arc.ArcSealer;
import dev.mailflow.auth.arc.ArcVerifier;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.auth.dkim.DkimStatus;
import dev.mailflow.auth.dmarc.DmarcPolicy;
import dev.mailflow.auth.dmarc.DmarcResult;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.dns.Zone;
import dev.mailflow.testing.ExternalTool;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade end to end on one zone: SPF, DKIM, DMARC and ARC all filled for a message
 * forwarded through a list, and for a forgery; the rendered Authentication-Results field parsed
 * back by our own reading of RFC 8601 2.2 and by authres (python3-authres).
 */
class MessageAuthenticatorTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: team@lists.test\r\n"
            + "Subject: quarterly numbers\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <q4@example.test>\r\n"
            + "\r\n"
            + "See attached.\r\n";

    static Zone zone;
    static DkimSigningKey author;
    static DkimSigningKey list;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        KeyPair a = DkimKeyGenerator.ed25519();
        KeyPair l = DkimKeyGenerator.rsa(2048);
        author = DkimSigningKey.fromPem("example.test", "s1", DkimKeyGenerator.privateKeyPem(a));
        list = DkimSigningKey.fromPem("lists.test", "arc", DkimKeyGenerator.privateKeyPem(l));
        zone = Zone.builder()
                .txt("example.test", "v=spf1 ip4:192.0.2.10 -all")
                .txt("lists.test", "v=spf1 ip4:198.51.100.7 -all")
                .txt("s1._domainkey.example.test", DkimKeyGenerator.keyRecord(a.getPublic()))
                .txt("arc._domainkey.lists.test", DkimKeyGenerator.txtStrings(DkimKeyGenerator.keyRecord(l.getPublic()))
                        .toArray(String[]::new))
                .txt("_dmarc.example.test", "v=DMARC1; p=reject; rua=mailto:dmarc@example.test")
                .a("example.test", "192.0.2.10")
                .build();
    }

    static MessageAuthenticator authenticator() {
        return new MessageAuthenticator(zone, "mx.receiver.test", CLOCK, DkimPolicy.standard());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Signed by the author, then sealed by the list that received it from the author's server. */
    static byte[] forwardedThroughTheList() {
        byte[] signed = new DkimSigner(author, CLOCK).sign(bytes(MESSAGE));
        var listArc = new ArcVerifier(new DnsKeyLookup(zone), CLOCK);
        ArcOutcome none = listArc.verify(signed);
        String set = new ArcSealer(list, CLOCK).seal(signed, "mx.lists.test",
                "spf=pass smtp.mailfrom=example.test;\r\n\tdkim=pass header.d=example.test;\r\n\tdmarc=pass", none);
        return bytes(set + new String(signed, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aForwardedMessageGetsEveryResult() throws Exception {
        var request = new AuthRequest(InetAddress.getByName("198.51.100.7"), "mx.lists.test", "bounces@lists.test");
        AuthReport r = authenticator().check(request, forwardedThroughTheList(), null);
        assertThat(r.spf().result()).isEqualTo(SpfResult.PASS); // the list's own SPF
        assertThat(r.dkim().signatures()).singleElement().satisfies(d -> assertThat(d.status()).isEqualTo(DkimStatus.PASS));
        assertThat(r.dmarc().result()).as(r.dmarc().reason()).isEqualTo(DmarcResult.PASS);
        assertThat(r.dmarc().dkimAligned()).isTrue();
        assertThat(r.dmarc().spfAligned()).isFalse();
        assertThat(r.arc().result()).as(r.arc().reason()).isEqualTo(ArcResult.PASS);
        assertThat(r.arc().sealers()).containsExactly("lists.test");
        assertThat(r.allPassed()).isTrue();

        String field = AuthenticationResults.field("mx.receiver.test", r);
        List<String> ours = parse(field);
        assertThat(ours.get(0)).isEqualTo("mx.receiver.test");
        assertThat(ours.subList(1, ours.size())).containsExactly(
                "spf=pass smtp.mailfrom=bounces@lists.test",
                "dkim=pass header.d=example.test header.s=s1 header.a=ed25519-sha256 header.b="
                        + r.dkim().signatures().get(0).signatureStart(),
                "dmarc=pass header.from=example.test",
                "arc=pass smtp.remote-ip=198.51.100.7 header.oldest-pass=1");
        assertThat(authres(field)).isEqualTo(ours);
    }

    @Test
    void aForgeryFailsDmarcWithRejectAndTheFieldSaysWhy() throws Exception {
        var request = new AuthRequest(InetAddress.getByName("203.0.113.66"), "evil.test", "kate@example.test");
        AuthReport r = authenticator().check(request, bytes(MESSAGE), null);
        assertThat(r.spf().result()).isEqualTo(SpfResult.FAIL);
        assertThat(r.dkim().signatures()).isEmpty();
        assertThat(r.dmarc().result()).isEqualTo(DmarcResult.FAIL);
        assertThat(r.dmarc().disposition()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(r.arc().result()).isEqualTo(ArcResult.NONE);
        assertThat(r.allPassed()).isFalse();
        String field = AuthenticationResults.field("mx.receiver.test", r);
        assertThat(field).contains("dmarc=fail (p=reject dis=reject) header.from=example.test");
        List<String> ours = parse(field);
        assertThat(ours.subList(1, ours.size())).containsExactly("spf=fail smtp.mailfrom=kate@example.test",
                "dkim=none", "dmarc=fail header.from=example.test", "arc=none");
        assertThat(authres(field)).isEqualTo(ours);
    }

    @Test
    void pvaluesThatAreNotTokensAreQuoted() {
        assertThat(AuthenticationResults.pvalue("example.test")).isEqualTo("example.test");
        assertThat(AuthenticationResults.pvalue("user+tag=x@example.test")).isEqualTo("user+tag=x@example.test");
        assertThat(AuthenticationResults.pvalue("ab/c+d=")).isEqualTo("\"ab/c+d=\"");
        assertThat(AuthenticationResults.pvalue("2001:db8::1")).isEqualTo("\"2001:db8::1\"");
        assertThat(AuthenticationResults.pvalue("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(AuthenticationResults.comment("x (y) \\ z\r\n")).isEqualTo("x \\(y\\) \\\\ z  ");
    }

    /**
     * Our reading of RFC 8601 2.2: the authserv-id, then per resinfo "method=result" and its
     * "ptype.property=value" pairs, comments dropped, quoted-strings unquoted.
     */
    static List<String> parse(String field) {
        String v = field.substring(field.indexOf(':') + 1).replace("\r\n", "");
        var tokens = new ArrayList<String>();
        var cur = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    cur.append(v.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (depth > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ';') {
                tokens.add(cur.toString().strip().replaceAll("\\s+", " "));
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        tokens.add(cur.toString().strip().replaceAll("\\s+", " "));
        assertThat(depth).as("comments closed").isZero();
        assertThat(quoted).as("quotes closed").isFalse();
        return tokens.stream().filter(t -> !t.isEmpty()).toList();
    }

    /** authres's parse of the field, in the same form; skipped without python3-authres (fails under CI). */
    static List<String> authres(String field) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            python = ExternalTool.require("python3");
        }
        Path script = dir.resolve("authres-parse.py");
        try (InputStream in = MessageAuthenticatorTest.class.getResourceAsStream("authres-parse.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path out = dir.resolve("authres.out");
        Process p = new ProcessBuilder(python.toString(), script.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(field.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out);
        if (text.contains("No module named 'authres'")) {
            ExternalTool.missingPythonModule("authres", "python3-authres"); // skips, or fails under CI
        }
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().toList();
    }
}
