package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dkimpy (Debian's python3-dkim) as the second opinion, with keys in a real DNS server
 * (dnsmasq on a loopback port): Mailflow's RSA and Ed25519 signatures verify in dkimpy, and
 * dkimpy's ({@code dknewkey} keys, {@code dkimsign}) verify in Mailflow; one changed byte fails
 * in both. dkimpy's own verification code judges; only its DNS function is pointed at our
 * server (dkimpy-verify.py), because dkimverify asks the system's resolver.
 */
class DkimDkimpyInteropTest {

    @TempDir
    static Path dir;

    static Dnsmasq dns;
    static Path python;
    static Path verifyScript;
    static KeyPair mfRsa;
    static KeyPair mfEd;

    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: Chris <chris@contoso.test>\r\n"
            + "Subject: Interop test\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <interop@example.test>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + "Hello from Mailflow.  Two  spaces,\ta tab, trailing space \r\n"
            + "\r\n"
            + "Last line.\r\n"
            + "\r\n\r\n";

    @BeforeAll
    static void start() throws Exception {
        Path dkimverify = ExternalTool.require("dkimverify");
        ExternalTool.require("dkimsign");
        ExternalTool.require("dknewkey");
        String shebang = Files.readAllLines(dkimverify).get(0);
        python = Path.of(shebang.substring(2).strip().split("\\s+")[0]); // the python that has dkim
        verifyScript = dir.resolve("dkimpy-verify.py");
        Files.write(verifyScript, DkimTestKeys.resource("dkimpy-verify.py"));

        mfRsa = DkimKeyGenerator.rsa(2048);
        mfEd = DkimKeyGenerator.ed25519();
        run(dir, null, "dknewkey", "--ktype", "rsa", dir.resolve("pyrsa").toString());
        run(dir, null, "dknewkey", "--ktype", "ed25519", dir.resolve("pyed").toString());

        var records = new ArrayList<String>();
        records.add(txt("mfrsa", DkimKeyGenerator.keyRecord(mfRsa.getPublic())));
        records.add(txt("mfed", DkimKeyGenerator.keyRecord(mfEd.getPublic())));
        records.add(txt("pyrsa", Files.readString(dir.resolve("pyrsa.dns")).strip()));
        records.add(txt("pyed", Files.readString(dir.resolve("pyed.dns")).strip()));
        dns = Dnsmasq.start(Dnsmasq.freePort(), records, dir.resolve("dnsmasq.log"));
    }

    /** dnsmasq's --txt-record: the name, then the character-strings, comma-separated, unquoted. */
    static String txt(String selector, String record) {
        assertThat(record).doesNotContain(",");
        return "--txt-record=" + selector + "._domainkey.example.test," + String.join(",", DkimKeyGenerator.txtStrings(record));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    record Run(int code, String out) {
    }

    static Run run(Path cwd, byte[] stdin, String... cmd) throws Exception {
        Path outFile = Files.createTempFile(dir, "out", ".txt");
        var pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(outFile.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        return new Run(p.exitValue(), Files.readString(outFile, StandardCharsets.ISO_8859_1));
    }

    static Run dkimpyVerify(byte[] message) throws Exception {
        return run(dir, message, python.toString(), verifyScript.toString(), Integer.toString(dns.port()));
    }

    static byte[] mailflowSigned(String message) throws DkimKeyException {
        byte[] m = message.getBytes(StandardCharsets.US_ASCII);
        m = new DkimSigner(DkimSigningKey.fromPem("example.test", "mfrsa", DkimKeyGenerator.privateKeyPem(mfRsa))).sign(m);
        return new DkimSigner(DkimSigningKey.fromPem("example.test", "mfed", DkimKeyGenerator.privateKeyPem(mfEd))).sign(m);
    }

    static byte[] dkimpySigned(String message) throws Exception {
        byte[] m = message.getBytes(StandardCharsets.US_ASCII);
        Run rsa = run(dir, m, "dkimsign", "pyrsa", "example.test", dir.resolve("pyrsa.key").toString());
        Run ed = run(dir, rsa.out().getBytes(StandardCharsets.ISO_8859_1), "dkimsign", "--signalg", "ed25519-sha256",
                "--bcanon", "relaxed", "pyed", "example.test", dir.resolve("pyed.key").toString());
        assertThat(ed.out()).contains("a=ed25519-sha256").contains("a=rsa-sha256");
        return ed.out().getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<DkimResult> mailflowVerify(byte[] m) throws Exception {
        return new DkimVerifier(new DnsjavaKeyLookup(dns.port())).verify(m).signatures();
    }

    static byte[] change(byte[] m, String from, String to) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        int i = s.lastIndexOf(from);
        assertThat(i).isNotNegative();
        return (s.substring(0, i) + to + s.substring(i + from.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void mailflowSignaturesVerifyInDkimpy() throws Exception {
        Run r = dkimpyVerify(mailflowSigned(MESSAGE));
        assertThat(r.out().lines().toList()).as(r.out()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("pass"));
        assertThat(r.code()).isZero();
    }

    @Test
    void aChangedByteInMailflowSignedMailFailsInDkimpyToo() throws Exception {
        byte[] signed = mailflowSigned(MESSAGE);
        for (byte[] changed : List.of(change(signed, "Last line.", "Last line!"), change(signed, "Interop test", "Interop tesT"))) {
            Run r = dkimpyVerify(changed);
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.out().lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("fail"));
        }
    }

    @Test
    void dkimpySignaturesVerifyInMailflow() throws Exception {
        List<DkimResult> r = mailflowVerify(dkimpySigned(MESSAGE));
        assertThat(r).hasSize(2).allSatisfy(x -> assertThat(x.status()).as(x.toString()).isEqualTo(DkimStatus.PASS));
        assertThat(r).extracting(DkimResult::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
    }

    @Test
    void aChangedByteInDkimpySignedMailFailsInMailflowWithTheReason() throws Exception {
        byte[] signed = dkimpySigned(MESSAGE);
        assertThat(mailflowVerify(change(signed, "Last line.", "Last line!")))
                .allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.BODY_HASH_MISMATCH));
        assertThat(mailflowVerify(change(signed, "Interop test", "Interop tesT")))
                .allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH));
        // And dkimpy agrees about its own signatures.
        assertThat(dkimpyVerify(signed).code()).isZero();
    }

    @Test
    void aMissingKeyIsKeyNotFoundThroughRealDns() throws Exception {
        byte[] signed = new DkimSigner(DkimSigningKey.fromPem("example.test", "nokey",
                DkimKeyGenerator.privateKeyPem(mfEd))).sign(MESSAGE.getBytes(StandardCharsets.US_ASCII));
        DkimResult r = mailflowVerify(signed).get(0);
        assertThat(r.reason()).as(r.toString()).isEqualTo(DkimReason.KEY_NOT_FOUND);
        assertThat(dkimpyVerify(signed).code()).isEqualTo(1);
    }
}
