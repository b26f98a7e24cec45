package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.TestServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real SMTP clients send through a real in-process server; the queue holds what they sent. */
class RealClientsTest {

    private TestServer server;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    record Run(int code, String output) {
    }

    private Run exec(List<String> command) throws Exception {
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        var p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The one message kate got, without the trace headers delivery added. */
    private String onlyDeliveredMessage() throws Exception {
        var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(5));
        assertThat(delivered).hasSize(1);
        return TestServer.withoutTraceHeaders(Files.readString(delivered.get(0), StandardCharsets.UTF_8));
    }

    private List<String> swaks(String... extra) {
        var cmd = new ArrayList<>(List.of(ExternalTool.require("swaks").toString(), "--server", "127.0.0.1",
                "--port", String.valueOf(server.port()), "--ehlo", "contoso.com", "--from", "chris@contoso.com",
                "--to", "kate@fabrikam.com", "--header", "Subject: Test from Contoso",
                "--body", "This is a test message", "--timeout", "20"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    @Test
    void swaksPlainSend() throws Exception {
        var run = exec(swaks());
        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.output()).contains("<-  250 2.1.0 Sender OK").contains("<-  250 2.1.5 Recipient OK")
                .containsPattern("<-  250 2\\.6\\.0 <.*> \\[InternalId=\\d+, Hostname=mail1\\.fabrikam\\.com\\] "
                        + "Queued mail for delivery")
                .contains("<-  221 2.0.0 Service closing transmission channel");
        assertThat(onlyDeliveredMessage()).contains("Subject: Test from Contoso").contains("This is a test message");
    }

    @Test
    void swaksPipelined() throws Exception {
        var run = exec(swaks("--pipeline", "--to", "kate@fabrikam.com,postmaster@example.test,nobody@fabrikam.com"));
        // swaks reports the refused recipient and still sends to the others
        assertThat(run.output()).contains("550 5.1.1 User unknown").containsPattern("250 2\\.6\\.0 .* Queued");
        assertThat(onlyDeliveredMessage()).contains("This is a test message");
    }

    @Test
    void swaksSeesTheSeedsFailures() throws Exception {
        var relay = exec(swaks("--to", "someone@elsewhere.example"));
        assertThat(relay.code()).isNotZero();
        assertThat(relay.output()).contains("<** 550 5.7.54 Unable to relay recipient in non-accepted domain");
        var unknown = exec(swaks("--to", "nobody@fabrikam.com"));
        assertThat(unknown.output()).contains("<** 550 5.1.1 User unknown");
        var submission = new ArrayList<>(swaks());
        submission.set(submission.indexOf(String.valueOf(server.port())),
                String.valueOf(server.address(TestServer.SUBMISSION).getPort()));
        var auth = exec(submission);
        assertThat(auth.output()).contains("<** 530 5.7.1 Client was not authenticated");
    }

    @Test
    void pythonSmtplibSendmailAndSmtputf8() throws Exception {
        Path script = tmp.resolve("send.py");
        Files.writeString(script, """
                import smtplib, sys
                from email.message import EmailMessage
                port = int(sys.argv[1])
                with smtplib.SMTP("127.0.0.1", port, local_hostname="contoso.com", timeout=20) as s:
                    s.ehlo()
                    assert s.has_extn("smtputf8") and s.has_extn("pipelining") and s.has_extn("dsn")
                    refused = s.sendmail("chris@contoso.com", ["kate@fabrikam.com"],
                        "Subject: plain\\r\\n\\r\\n.leading dot\\r\\nThis is a test message\\r\\n",
                        rcpt_options=["NOTIFY=SUCCESS,FAILURE"])
                    assert refused == {}, refused
                    msg = EmailMessage()
                    msg["From"] = "クリス@contoso.com"
                    msg["To"] = "用户@example.test"
                    msg["Subject"] = "Grüße"
                    msg.set_content("Unicode body: 你好")
                    s.send_message(msg)
                    # smtplib adds SMTPUTF8 itself to a UTF-8 message: with the caller's own it
                    # arrives twice, which Postfix takes and so must we.
                    msg.replace_header("Subject", "twice")
                    s.send_message(msg, mail_options=["SMTPUTF8"])
                print("ok")
                """, StandardCharsets.UTF_8);
        var run = exec(List.of(ExternalTool.require("python3").toString(), script.toString(),
                String.valueOf(server.port())));
        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok");
        // smtplib sends no Message-ID: delivery adds the one the 250 reply named
        assertThat(onlyDeliveredMessage()).matches(
                "Message-ID: <[0-9a-f-]+@mail1\\.fabrikam\\.com>\r\nSubject: plain\r\n\r\n\\.leading dot\r\n"
                        + "This is a test message\r\n");
        var utf8 = server.awaitDelivered("用户@example.test", 2, Duration.ofSeconds(5));
        assertThat(utf8).hasSize(2);
        for (var file : utf8) {
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("To: 用户@example.test")
                    .contains("Delivered-To: 用户@example.test");
        }
    }

    @Test
    void angusMailSends() throws Exception {
        var props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.port()));
        props.put("mail.smtp.localhost", "contoso.com");
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        var session = Session.getInstance(props);
        var msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress("chris@contoso.com"));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress("kate@fabrikam.com"));
        msg.setSubject("Test from Contoso");
        msg.setText("This is a test message\n.\n..two dots\n");
        Transport.send(msg);
        String queued = onlyDeliveredMessage();
        assertThat(queued).contains("Subject: Test from Contoso").contains("\r\n.\r\n..two dots\r\n");
    }
}
