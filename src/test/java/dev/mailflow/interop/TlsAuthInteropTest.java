package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.TestServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STARTTLS, implicit TLS and AUTH against real clients: openssl s_client, swaks, Python's
 * smtplib, Angus Mail; and the STARTTLS injection attack (CVE-2011-0411).
 */
class TlsAuthInteropTest {

    @TempDir
    static Path tmp;

    static ScriptedPeer remote;
    static TestServer server;
    static int implicitPort;

    @BeforeAll
    static void start() throws Exception {
        remote = new ScriptedPeer(new ScriptedPeer.Script() { });
        implicitPort = dev.mailflow.testing.Dnsmasq.freePort();
        server = TestServer.start(List.of(), List.of("[[receive_connector]]", "name = \"Implicit TLS\"",
                        "bind = \"127.0.0.1:" + implicitPort + "\"", "tls = \"implicit\"", "anonymous = false"),
                List.of("remote_port = " + remote.port(), "command_timeout = \"5s\""), List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        remote.close();
    }

    private static int submission() {
        return server.address(TestServer.SUBMISSION).getPort();
    }

    record Run(int code, String output) {
    }

    private static Run exec(List<String> command, String input) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void opensslSeesTls13AndOurCertificate() throws Exception {
        String openssl = ExternalTool.require("openssl").toString();
        var run = exec(List.of(openssl, "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + server.port(),
                "-servername", TestServer.HOSTNAME), "QUIT\n");
        assertThat(run.output()).contains("TLSv1.3").containsPattern("subject=.*CN ?= ?mail1\\.fabrikam\\.com")
                .contains("250 ");
    }

    @Test
    void tls11AndTls10AreRefused() throws Exception {
        String openssl = ExternalTool.require("openssl").toString();
        for (String version : List.of("-tls1_1", "-tls1")) {
            var run = exec(List.of(openssl, "s_client", "-starttls", "smtp", version, "-cipher", "DEFAULT@SECLEVEL=0",
                    "-connect", "127.0.0.1:" + server.port()), "QUIT\n");
            assertThat(run.output()).as(version).contains("Cipher is (NONE)").doesNotContain("Ready to start TLS\n250");
            assertThat(run.code()).as(version + "\n" + run.output()).isNotZero();
        }
    }

    @Test
    void swaksWithStarttlsAndAuthPlainAndLoginRelaysOutward() throws Exception {
        String swaks = ExternalTool.require("swaks").toString();
        for (String mech : List.of("PLAIN", "LOGIN")) {
            int before = remote.accepted().size();
            var run = exec(List.of(swaks, "--server", "127.0.0.1", "--port", String.valueOf(submission()), "--tls",
                    "--auth", mech, "--auth-user", "kate@fabrikam.com", "--auth-password", "secret", "--from",
                    "kate@fabrikam.com", "--to", "someone@[127.0.0.1]", "--header", "Subject: swaks " + mech,
                    "--timeout", "20"), null);
            assertThat(run.code()).as(run.output()).isZero();
            assertThat(run.output()).contains("250-STARTTLS").contains("250-AUTH PLAIN LOGIN")
                    .contains("235 2.7.0 Authentication successful").containsPattern("250 2\\.6\\.0 .* Queued");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (remote.accepted().size() == before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            var last = remote.accepted().get(remote.accepted().size() - 1);
            assertThat(last.content()).contains("Subject: swaks " + mech).containsPattern(
                    "\\(using TLSv1\\.[23] with cipher \\S+\\)\r\n\tby mail1\\.fabrikam\\.com with ESMTPSA id");
        }
    }

    @Test
    void pythonStarttlsLoginAndImplicitTls() throws Exception {
        Path script = tmp.resolve("tls.py");
        Files.writeString(script, """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
                    s.ehlo("contoso.com")
                    assert not s.has_extn("auth"), "AUTH before TLS"
                    s.starttls(context=ctx)
                    s.ehlo("contoso.com")
                    assert not s.has_extn("starttls"), "STARTTLS offered again"
                    s.login("kate@fabrikam.com", "secret")
                    s.sendmail("kate@fabrikam.com", ["postmaster@example.test"], "Subject: starttls\\r\\n\\r\\nbody\\r\\n")
                with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[2]), context=ctx, timeout=20) as s:
                    s.ehlo("contoso.com")
                    s.login("kate@fabrikam.com", "secret")
                    s.sendmail("kate@fabrikam.com", ["postmaster@example.test"], "Subject: implicit\\r\\n\\r\\nbody\\r\\n")
                print("ok")
                """);
        var run = exec(List.of(ExternalTool.require("python3").toString(), script.toString(),
                String.valueOf(submission()), String.valueOf(implicitPort)), null);
        assertThat(run.code()).as(run.output()).isZero();
        var texts = new ArrayList<String>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            texts.clear();
            for (Path p : server.delivered("postmaster@example.test")) {
                String t = Files.readString(p);
                if (t.contains("Subject: starttls") || t.contains("Subject: implicit")) {
                    texts.add(t);
                }
            }
            if (texts.size() == 2) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(texts).hasSize(2);
        assertThat(texts).anySatisfy(t -> assertThat(t).contains("Subject: starttls").contains("with ESMTPSA"))
                .anySatisfy(t -> assertThat(t).contains("Subject: implicit").contains("with ESMTPSA"))
                .allSatisfy(t -> assertThat(t).containsPattern("(?m)^Date: ").containsPattern("(?m)^Message-ID: "));
    }

    @Test
    void angusMailWithStarttlsAndAuth() throws Exception {
        var props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(submission()));
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.trust", "*");
        props.put("mail.smtp.ssl.checkserveridentity", "false");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.timeout", "10000");
        var session = Session.getInstance(props);
        var msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress("katherine@fabrikam.com"));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress("team@fabrikam.com"));
        msg.setSubject("angus starttls");
        msg.setText("hello");
        Transport.send(msg, "kate@fabrikam.com", "secret");
        var mail = server.awaitDelivered("postmaster@example.test", 1, Duration.ofSeconds(5));
        assertThat(mail).anySatisfy(p -> assertThat(Files.readString(p)).contains("Subject: angus starttls"));
    }

    @Test
    void whatIsPipelinedAfterStarttlsIsThrownAway() throws Exception {
        try (var plain = new Socket("127.0.0.1", server.port())) {
            plain.setSoTimeout(5000);
            var in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            var out = plain.getOutputStream();
            in.readLine();
            out.write("EHLO contoso.com\r\n".getBytes(StandardCharsets.US_ASCII));
            String l;
            do {
                l = in.readLine();
            } while (l.charAt(3) == '-');
            // The attack: a command injected in the same write as STARTTLS.
            out.write("STARTTLS\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("220 2.0.0 Ready to start TLS");
            var ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            var tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", server.port(), true);
            tls.startHandshake();
            var tin = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
            tls.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            assertThat(tin.readLine()).as("the first reply after the handshake is NOOP's, not RSET's")
                    .isEqualTo("250 2.0.0 OK");
            tls.getOutputStream().write("MAIL FROM:<a@b.test>\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            assertThat(tin.readLine()).as("EHLO again after TLS").isEqualTo("503 5.5.1 Send EHLO or HELO first");
            tls.getOutputStream().write("EHLO contoso.com\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            var ehlo = new ArrayList<String>();
            do {
                l = tin.readLine();
                ehlo.add(l);
            } while (l.charAt(3) == '-');
            assertThat(ehlo).doesNotContain("250-STARTTLS").contains("250-AUTH PLAIN LOGIN");
            tls.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            assertThat(tin.readLine()).isEqualTo("503 5.5.1 TLS already active");
        }
    }
}
