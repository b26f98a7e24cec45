package dev.mailflow.auth.arc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.DnsKeyLookup;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dkimpy (Debian's python3-dkim, the library behind {@code arcsign} and {@code arcverify}) as
 * the second opinion on ARC, with the keys in a real DNS server (dnsmasq on a loopback port):
 * chains sealed by Mailflow verify in dkimpy; chains sealed by dkimpy verify in Mailflow; mixed
 * chains (one hop each) verify in both; a changed body byte or header fails in both. dkimpy
 * 1.1.4 seals and verifies ARC with rsa-sha256 only ("unknown signature algorithm" for
 * ed25519-sha256), so these chains are RSA; Mailflow's Ed25519 seals are checked by Mailflow
 * (ArcSealVerifyTest), and dkimpy's refusal of them is asserted here so that a dkimpy that
 * learns Ed25519 shows up. dkimpy's ARC code judges; only its DNS function is pointed at our server
 * (dkimpy-arc.py), since arcverify asks the system's resolver.
 */
class ArcDkimpyInteropTest {

    @TempDir
    static Path dir;

    static Dnsmasq dns;
    static Path python;
    static Path script;
    static DkimSigningKey mfRsa;
    static DkimSigningKey mfEd;
    static ArcVerifier verifier;

    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: list@lists.test\r\n"
            + "Subject: ARC interop\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <arc-interop@example.test>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + "Forwarded  by a list,\twith a tab.\r\n"
            + "\r\n";

    @BeforeAll
    static void start() throws Exception {
        Path arcverify = ExternalTool.require("arcverify");
        ExternalTool.require("dknewkey");
        String shebang = Files.readAllLines(arcverify).get(0);
        python = Path.of(shebang.substring(2).strip().split("\\s+")[0]); // the python that has dkim
        script = dir.resolve("dkimpy-arc.py");
        try (InputStream in = ArcDkimpyInteropTest.class.getResourceAsStream("dkimpy-arc.py")) {
            Files.write(script, in.readAllBytes());
        }
        KeyPair rsa = DkimKeyGenerator.rsa(2048);
        KeyPair ed = DkimKeyGenerator.ed25519();
        mfRsa = DkimSigningKey.fromPem("mailflow.test", "mfrsa", DkimKeyGenerator.privateKeyPem(rsa));
        mfEd = DkimSigningKey.fromPem("mailflow.test", "mfed", DkimKeyGenerator.privateKeyPem(ed));
        run(null, "dknewkey", "--ktype", "rsa", dir.resolve("pyrsa").toString());

        var records = new ArrayList<String>();
        records.add(txt("mfrsa._domainkey.mailflow.test", DkimKeyGenerator.keyRecord(rsa.getPublic())));
        records.add(txt("mfed._domainkey.mailflow.test", DkimKeyGenerator.keyRecord(ed.getPublic())));
        records.add(txt("pyrsa._domainkey.dkimpy.test", Files.readString(dir.resolve("pyrsa.dns")).strip()));
        dns = Dnsmasq.start(Dnsmasq.freePort(), records, dir.resolve("dnsmasq.log"));
        verifier = new ArcVerifier(new DnsKeyLookup(DnsResolver.create("127.0.0.1:" + dns.port())),
                Clock.systemUTC());
    }

    static String txt(String name, String record) {
        assertThat(record).doesNotContain(",");
        return "--txt-record=" + name + "," + String.join(",", DkimKeyGenerator.txtStrings(record));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    record Run(int code, String out) {
    }

    static Run run(byte[] stdin, String... cmd) throws Exception {
        Path outFile = Files.createTempFile(dir, "out", ".txt");
        Path errFile = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(outFile.toFile())
                .redirectError(errFile.toFile()).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        String out = Files.readString(outFile, StandardCharsets.ISO_8859_1);
        String err = Files.readString(errFile, StandardCharsets.ISO_8859_1);
        return new Run(p.exitValue(), out + (err.isEmpty() ? "" : "\n[stderr] " + err));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static Run dkimpyVerify(byte[] m) throws Exception {
        return run(m, python.toString(), script.toString(), "verify", Integer.toString(dns.port()));
    }

    /** dkimpy seals as the hop "py.test" that found {@code arc} for the chain. */
    static byte[] dkimpySeal(byte[] m, String selector, String alg, String arc) throws Exception {
        byte[] withAr = bytes("Authentication-Results: py.test; spf=pass smtp.mailfrom=example.test"
                + (arc.equals("none") ? "" : "; arc=" + arc) + "\r\n" + text(m));
        Run r = run(withAr, python.toString(), script.toString(), "seal", Integer.toString(dns.port()), selector,
                "dkimpy.test", dir.resolve(selector + ".key").toString(), "py.test", alg);
        assertThat(r.code()).as(r.out()).isZero();
        return bytes(r.out());
    }

    /** Mailflow seals as a hop does: validate, then seal with what it found. */
    static byte[] mailflowSeal(byte[] m, DkimSigningKey key) {
        ArcOutcome chain = verifier.verify(m);
        String set = new ArcSealer(key, Clock.systemUTC()).seal(m, "mx.mailflow.test",
                "spf=pass smtp.mailfrom=example.test;\r\n\tarc=" + chain.result().word(), chain);
        return bytes(set + text(m));
    }

    static byte[] change(byte[] m, String from, String to) {
        String s = text(m);
        int i = s.lastIndexOf(from);
        assertThat(i).isNotNegative();
        return bytes(s.substring(0, i) + to + s.substring(i + from.length()));
    }

    @Test
    void chainsSealedByMailflowVerifyInDkimpy() throws Exception {
        byte[] one = mailflowSeal(bytes(MESSAGE), mfRsa);
        Run r1 = dkimpyVerify(one);
        assertThat(r1.out()).startsWith("cv=pass");
        assertThat(r1.code()).isZero();
        byte[] three = mailflowSeal(mailflowSeal(one, mfRsa), mfRsa);
        assertThat(text(three)).contains("ARC-Seal: i=3; a=rsa-sha256; cv=pass;");
        Run r3 = dkimpyVerify(three);
        assertThat(r3.out()).as(text(three)).startsWith("cv=pass");
        // Ed25519: valid for Mailflow, refused by this dkimpy as an algorithm it does not know for ARC.
        byte[] ed = mailflowSeal(bytes(MESSAGE), mfEd);
        assertThat(verifier.verify(ed).result()).isEqualTo(ArcResult.PASS);
        assertThat(dkimpyVerify(ed).out()).startsWith("cv=fail unknown signature algorithm: b'ed25519-sha256'");
    }

    @Test
    void aChangeAfterMailflowSealedFailsInDkimpyToo() throws Exception {
        byte[] sealed = mailflowSeal(mailflowSeal(bytes(MESSAGE), mfRsa), mfRsa);
        for (byte[] changed : List.of(change(sealed, "with a tab.", "with a tab!"),
                change(sealed, "Subject: ARC interop", "Subject: ARC interoP"))) {
            Run r = dkimpyVerify(changed);
            assertThat(r.out()).startsWith("cv=fail");
            assertThat(r.code()).isEqualTo(1);
            assertThat(verifier.verify(changed).result()).isEqualTo(ArcResult.FAIL);
        }
    }

    @Test
    void chainsSealedByDkimpyVerifyInMailflow() throws Exception {
        byte[] one = dkimpySeal(bytes(MESSAGE), "pyrsa", "rsa-sha256", "none");
        ArcOutcome o1 = verifier.verify(one);
        assertThat(o1.result()).as(o1.reason() + o1.trace() + "\n" + text(one)).isEqualTo(ArcResult.PASS);
        byte[] two = dkimpySeal(one, "pyrsa", "rsa-sha256", "pass");
        ArcOutcome o2 = verifier.verify(two);
        assertThat(o2.result()).as(o2.reason() + o2.trace()).isEqualTo(ArcResult.PASS);
        assertThat(o2.instances()).isEqualTo(2);
        assertThat(o2.sealers()).containsExactly("dkimpy.test", "dkimpy.test");
        assertThat(dkimpyVerify(two).out()).startsWith("cv=pass"); // and dkimpy agrees with itself

        ArcOutcome body = verifier.verify(change(two, "with a tab.", "with a tab!"));
        assertThat(body.result()).isEqualTo(ArcResult.FAIL);
        assertThat(body.reason()).contains("body hash");
        assertThat(dkimpyVerify(change(two, "with a tab.", "with a tab!")).code()).isEqualTo(1);
    }

    @Test
    void mixedChainsVerifyInBoth() throws Exception {
        byte[] pyThenMf = mailflowSeal(dkimpySeal(bytes(MESSAGE), "pyrsa", "rsa-sha256", "none"), mfRsa);
        assertThat(text(pyThenMf)).contains("ARC-Seal: i=2; a=rsa-sha256; cv=pass;");
        assertThat(verifier.verify(pyThenMf).result()).isEqualTo(ArcResult.PASS);
        assertThat(dkimpyVerify(pyThenMf).out()).startsWith("cv=pass");

        byte[] mfThenPy = dkimpySeal(mailflowSeal(bytes(MESSAGE), mfRsa), "pyrsa", "rsa-sha256", "pass");
        ArcOutcome o = verifier.verify(mfThenPy);
        assertThat(o.result()).as(o.reason() + o.trace()).isEqualTo(ArcResult.PASS);
        assertThat(o.sealers()).containsExactly("mailflow.test", "dkimpy.test");
        assertThat(dkimpyVerify(mfThenPy).out()).startsWith("cv=pass");
    }
}
