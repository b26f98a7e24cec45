package dev.mailflow.probe;

import dev.mailflow.probe.Conformance.Check;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The protocol checks of {@code --conformance}, after the smuggling ones: how a server treats
 * bare LF (RFC 5321 2.3.8), long lines and commands (4.5.3.1), pipelined commands (RFC 2920),
 * BDAT chunks that hold a dot line (RFC 3030), DSN parameters (RFC 3461), SMTPUTF8 addresses
 * (RFC 6531) and an unknown MAIL parameter (RFC 5321 4.1.1.11). Each runs in a session of its
 * own; those that need an extension the server does not offer are "warn", not tested.
 */
final class ProtocolChecks {

    private final String host;
    private final int port;
    private final String helo;
    private final String from;
    private final String to;
    private final Duration timeout;
    private final Duration wait;

    ProtocolChecks(String host, int port, String helo, String from, String to, Duration timeout, Duration wait) {
        this.host = host;
        this.port = port;
        this.helo = helo;
        this.from = from;
        this.to = to;
        this.timeout = timeout;
        this.wait = wait;
    }

    List<Check> run() {
        var checks = new ArrayList<Check>();
        checks.add(check("bare LF in a command", this::bareLfCommand));
        checks.add(check("bare LF in the content", this::bareLfContent));
        checks.add(check("line of 1200 octets", this::longLine));
        checks.add(check("command of 1000 octets", this::longCommand));
        checks.add(check("PIPELINING", this::pipelining));
        checks.add(check("BDAT framing", this::bdat));
        checks.add(check("DSN parameters", this::dsn));
        checks.add(check("SMTPUTF8", this::smtputf8));
        checks.add(check("unknown MAIL parameter", this::unknownParameter));
        return checks;
    }

    private interface Body {
        Check run(Session s, String name) throws IOException;
    }

    private Check check(String name, Body body) {
        Session session;
        try {
            session = new Session();
        } catch (IOException e) {
            return Check.unreached(name, Messages.text("conformance.notTested", e.getMessage() == null
                    ? Messages.text("conformance.noConnection") : e.getMessage()));
        }
        try (var s = session) {
            String greeting = s.reply();
            if (!greeting.startsWith("220")) {
                return Check.unreached(name, Messages.text("conformance.notTested.greeting", RawSmtp.firstLine(greeting)));
            }
            String ehlo = s.command("EHLO " + helo);
            if (!ehlo.startsWith("250")) {
                return warn(name, Messages.text("conformance.answered", "EHLO", RawSmtp.firstLine(ehlo)));
            }
            s.extensions = ehlo.toUpperCase(Locale.ROOT);
            return body.run(s, name);
        } catch (SocketTimeoutException e) {
            return new Check(name, "fail", Messages.text("conformance.noAnswer", timeout.toSeconds()));
        } catch (IOException e) {
            String why = e.getMessage() == null ? Messages.text("conformance.connectionFailed") : e.getMessage();
            return new Check(name, "fail", why);
        }
    }

    private static Check warn(String name, String why) {
        return new Check(name, "warn", Messages.text("conformance.notTested", why));
    }

    /**
     * RFC 5321 2.3.8: clients end lines with CRLF only. A server may tolerate a bare LF after a
     * command (nc users type them); it must answer either way and stay in step.
     */
    private Check bareLfCommand(Session s, String name) throws IOException {
        s.send("NOOP\n");
        String early = s.replyWithin(wait);
        if (early != null) {
            if (early.startsWith("2")) {
                return new Check(name, "pass", Messages.text("conformance.bareLfCommand.tolerated",
                        RawSmtp.firstLine(early)));
            }
            return new Check(name, "pass", Messages.text("conformance.bareLfCommand.refused", RawSmtp.firstLine(early)));
        }
        String later = s.command("");
        return new Check(name, "pass", Messages.text("conformance.bareLfCommand.waited", RawSmtp.firstLine(later)));
    }

    /** A bare LF inside a line of content: refusing it is what Postfix 3.9's smtpd_forbid_bare_newline does. */
    private Check bareLfContent(Session s, String name) throws IOException {
        String refused = s.transaction();
        if (refused != null) {
            return warn(name, refused);
        }
        String end = s.command(header(name) + "one line\nwith a bare LF in it\r\n.");
        if (end.startsWith("2")) {
            return new Check(name, "warn", Messages.text("conformance.bareLfContent.accepted", RawSmtp.firstLine(end)));
        }
        return new Check(name, "pass", Messages.text("conformance.refused", RawSmtp.firstLine(end)));
    }

    /** RFC 5321 4.5.3.1.6: 1000 octets with CRLF; a server may take more, it must answer either way. */
    private Check longLine(Session s, String name) throws IOException {
        String refused = s.transaction();
        if (refused != null) {
            return warn(name, refused);
        }
        String end = s.command(header(name) + "x".repeat(1200) + "\r\n.");
        if (end.startsWith("2")) {
            return new Check(name, "pass", Messages.text("conformance.longLine.accepted", RawSmtp.firstLine(end)));
        }
        if (end.startsWith("5") || end.startsWith("4")) {
            return new Check(name, "pass", Messages.text("conformance.longLine.refused", RawSmtp.firstLine(end)));
        }
        return new Check(name, "fail", Messages.text("conformance.answeredOnly", RawSmtp.firstLine(end)));
    }

    /** RFC 5321 4.5.3.1.4: 512 octets per command; beyond it a reply, and the session still in step. */
    private Check longCommand(Session s, String name) throws IOException {
        String r = s.command("NOOP " + "x".repeat(995));
        String noop = s.command("NOOP");
        if (!noop.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.longCommand.outOfStep", RawSmtp.firstLine(r),
                    RawSmtp.firstLine(noop)));
        }
        return new Check(name, "pass", Messages.text("conformance.longCommand.inStep", RawSmtp.firstLine(r)));
    }

    /**
     * RFC 2920: a group of commands gets its replies in order, one each; and DATA after a group
     * whose every RCPT failed must be refused (3.1), or the message would be read as commands.
     */
    private Check pipelining(Session s, String name) throws IOException {
        if (!s.offers("PIPELINING")) {
            return warn(name, Messages.text("conformance.notOffered", "PIPELINING"));
        }
        s.send("MAIL FROM:<" + from + ">\r\nRCPT TO:<" + to + ">\r\nRCPT TO:<>\r\nNOOP\r\n");
        var replies = new ArrayList<String>();
        for (int i = 0; i < 4; i++) {
            replies.add(s.reply());
        }
        String got = String.join(", ", replies.stream().map(r -> r.substring(0, Math.min(3, r.length()))).toList());
        long ok = replies.stream().filter(r -> r.startsWith("2")).count();
        long refused = replies.stream().filter(r -> r.startsWith("5")).count();
        boolean inOrder = replies.get(0).startsWith("250") && replies.get(1).startsWith("250")
                && replies.get(2).startsWith("5") && replies.get(3).startsWith("250");
        if (!inOrder && ok == 3 && refused == 1) {
            return new Check(name, "fail", Messages.text("conformance.pipelining.wrongOrder", got));
        }
        if (ok == 4) {
            return warn(name, Messages.text("conformance.pipelining.nullAccepted", got));
        }
        if (!replies.get(0).startsWith("250") || !replies.get(1).startsWith("250")) {
            return warn(name, Messages.text("conformance.pipelining.refused", got));
        }
        if (!inOrder) {
            return new Check(name, "fail", Messages.text("conformance.pipelining.notOnePerCommand", got));
        }
        s.send("RSET\r\nMAIL FROM:<" + from + ">\r\nRCPT TO:<>\r\nDATA\r\n");
        replies.clear();
        for (int i = 0; i < 4; i++) {
            replies.add(s.reply());
        }
        String data = replies.get(3);
        if (data.startsWith("354")) {
            s.command(".");
            return new Check(name, "fail", Messages.text("conformance.pipelining.dataAccepted", RawSmtp.firstLine(data)));
        }
        return new Check(name, "pass", Messages.text("conformance.pipelining.pass", got, RawSmtp.firstLine(data)));
    }

    /** RFC 3030: a chunk is exactly its octets; a CRLF.CRLF inside it is content, not an end. */
    private Check bdat(Session s, String name) throws IOException {
        if (!s.offers("CHUNKING")) {
            return warn(name, Messages.text("conformance.notOffered", "CHUNKING"));
        }
        String refused = s.envelope();
        if (refused != null) {
            return warn(name, refused);
        }
        byte[] chunk = (header(name) + "A dot line follows, inside the chunk:\r\n.\r\nNOOP\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        s.send("BDAT " + chunk.length + "\r\n" + new String(chunk, StandardCharsets.US_ASCII));
        String first = s.reply();
        if (!first.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.answered", "BDAT " + chunk.length,
                    RawSmtp.firstLine(first)));
        }
        String last = s.command("BDAT 0 LAST");
        if (!last.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.bdat.last", RawSmtp.firstLine(last)));
        }
        String noop = s.command("NOOP");
        String extra = s.replyWithin(Duration.ofMillis(300));
        if (!noop.startsWith("250") || extra != null) {
            return new Check(name, "fail", extra == null
                    ? Messages.text("conformance.bdat.outOfStep", RawSmtp.firstLine(noop))
                    : Messages.text("conformance.bdat.outOfStep.extra", RawSmtp.firstLine(noop), RawSmtp.firstLine(extra)));
        }
        return new Check(name, "pass", Messages.text("conformance.bdat.pass", RawSmtp.firstLine(last)));
    }

    /** RFC 3461: RET, ENVID, NOTIFY and ORCPT accepted; NOTIFY=NEVER with another value refused (4.1). */
    private Check dsn(Session s, String name) throws IOException {
        if (!s.offers("DSN")) {
            return warn(name, Messages.text("conformance.notOffered", "DSN"));
        }
        String mail = s.command("MAIL FROM:<" + from + "> RET=HDRS ENVID=mailflow-conformance");
        if (!mail.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.dsn.mail", RawSmtp.firstLine(mail)));
        }
        String good = s.command("RCPT TO:<" + to + "> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" + to);
        if (!good.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.dsn.rcpt", RawSmtp.firstLine(good)));
        }
        String bad = s.command("RCPT TO:<" + to + "> NOTIFY=NEVER,SUCCESS");
        s.command("RSET");
        if (bad.startsWith("2")) {
            return new Check(name, "warn", Messages.text("conformance.dsn.neverAccepted", RawSmtp.firstLine(bad)));
        }
        return new Check(name, "pass", Messages.text("conformance.dsn.pass", RawSmtp.firstLine(bad)));
    }

    /** RFC 6531 3.4: a UTF-8 address with the SMTPUTF8 parameter is taken; without it, refused. */
    private Check smtputf8(Session s, String name) throws IOException {
        if (!s.offers("SMTPUTF8")) {
            return warn(name, Messages.text("conformance.notOffered", "SMTPUTF8"));
        }
        String domain = from.substring(from.lastIndexOf('@') + 1);
        String address = "pr\u00fcfung@" + domain;
        String without = s.commandUtf8("MAIL FROM:<" + address + ">");
        s.command("RSET");
        String with = s.commandUtf8("MAIL FROM:<" + address + "> SMTPUTF8");
        s.command("RSET");
        if (!with.startsWith("250")) {
            return new Check(name, "fail", Messages.text("conformance.smtputf8.refused", address, RawSmtp.firstLine(with)));
        }
        if (without.startsWith("2")) {
            return new Check(name, "warn", Messages.text("conformance.smtputf8.withoutAccepted",
                    RawSmtp.firstLine(without)));
        }
        return new Check(name, "pass", Messages.text("conformance.smtputf8.pass", RawSmtp.firstLine(without)));
    }

    /** RFC 5321 4.1.1.11 and 3.3: a parameter the server does not know gets 555, not a 250. */
    private Check unknownParameter(Session s, String name) throws IOException {
        String r = s.command("MAIL FROM:<" + from + "> X-MAILFLOW-CHECK=1");
        s.command("RSET");
        if (r.startsWith("2")) {
            return new Check(name, "fail", Messages.text("conformance.unknownParameter.accepted", RawSmtp.firstLine(r)));
        }
        if (r.startsWith("555") || r.startsWith("501") || r.startsWith("504")) {
            return new Check(name, "pass", Messages.text("conformance.refused", RawSmtp.firstLine(r)));
        }
        return new Check(name, "warn", Messages.text("conformance.unknownParameter.not555", RawSmtp.firstLine(r)));
    }

    private String header(String name) {
        return "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: Mailflow conformance check, " + name
                + "\r\n\r\n";
    }

    /** One session: its socket, the EHLO reply, and commands with their replies. */
    private final class Session implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        String extensions = "";

        Session() throws IOException {
            try {
                connect();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        private void connect() throws IOException {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
        }

        boolean offers(String keyword) {
            for (String line : extensions.split("\n")) {
                String k = line.length() > 4 ? line.substring(4).strip().split(" ")[0] : "";
                if (k.equals(keyword)) {
                    return true;
                }
            }
            return false;
        }

        void send(String text) throws IOException {
            RawSmtp.send(out, text);
        }

        String reply() throws IOException {
            return RawSmtp.reply(in);
        }

        String command(String line) throws IOException {
            send(line + "\r\n");
            return reply();
        }

        String commandUtf8(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply();
        }

        /** A reply within {@code d}, or null when none came. */
        String replyWithin(Duration d) throws IOException {
            socket.setSoTimeout((int) Math.max(1, d.toMillis()));
            try {
                return reply();
            } catch (SocketTimeoutException e) {
                return null;
            } finally {
                socket.setSoTimeout((int) timeout.toMillis());
            }
        }

        /** MAIL and RCPT; null when both were accepted, else why not. */
        String envelope() throws IOException {
            String mail = command("MAIL FROM:<" + from + ">");
            if (!mail.startsWith("250")) {
                return Messages.text("conformance.answered", "MAIL", RawSmtp.firstLine(mail));
            }
            String rcpt = command("RCPT TO:<" + to + ">");
            if (!rcpt.startsWith("250")) {
                return Messages.text("conformance.answered", "RCPT", RawSmtp.firstLine(rcpt));
            }
            return null;
        }

        /** MAIL, RCPT and DATA; null when the server waits for the message, else why not. */
        String transaction() throws IOException {
            String refused = envelope();
            if (refused != null) {
                return refused;
            }
            String data = command("DATA");
            return data.startsWith("354") ? null : Messages.text("conformance.answered", "DATA", RawSmtp.firstLine(data));
        }

        @Override
        public void close() throws IOException {
            try {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(500);
                    RawSmtp.send(out, "QUIT\r\n");
                }
            } catch (IOException e) {
                // closing anyway
            } finally {
                socket.close();
            }
        }
    }
}
