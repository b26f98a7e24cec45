package dev.mailflow.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mailflow probe HOST --conformance}: SMTP smuggling checks against a server of one's
 * own (intrusive: each sends a test message), then the protocol checks of {@link ProtocolChecks}. Each check sends, in its own session, a message
 * whose body holds a false end of data (one of the ten endings of hannob/smtpsmug: a dot between
 * bare LF or CR line ends, or with a NUL) followed by a smuggled {@code MAIL FROM}, then waits.
 * A server that answers before the real {@code CRLF.CRLF} took the false ending for the end of
 * data (RFC 5321 4.1.1.4 allows only CRLF.CRLF): it fails, since the next server on the path may
 * read the rest as a second message (CVE-2023-51764 and kin). A server that refuses the message
 * for its bare line ends, or keeps the false ending as content, passes.
 */
public final class Conformance {

    /**
     * One check's result: {@code verdict} is pass, warn (could not be tested) or fail;
     * {@code reached} whether the server answered with its greeting (not in the JSON).
     */
    public record Check(String name, String verdict, String detail,
                        @com.fasterxml.jackson.annotation.JsonIgnore boolean reached) {
        public Check(String name, String verdict, String detail) {
            this(name, verdict, detail, true);
        }

        /** A check that could not begin: no connection, or no greeting. */
        static Check unreached(String name, String detail) {
            return new Check(name, "warn", detail, false);
        }
    }

    /** The false endings, named by their octets. */
    static final List<String[]> ENDINGS = List.of(
            new String[] {"smuggling LF.LF", "\n.\n"},
            new String[] {"smuggling LF.CRLF", "\n.\r\n"},
            new String[] {"smuggling CRLF.LF", "\r\n.\n"},
            new String[] {"smuggling CR.CR", "\r.\r"},
            new String[] {"smuggling CR.CRLF", "\r.\r\n"},
            new String[] {"smuggling CRLF.CR", "\r\n.\r"},
            new String[] {"smuggling CR.LF", "\r.\n"},
            new String[] {"smuggling LF.CR", "\n.\r"},
            new String[] {"smuggling CRLF.NUL.CRLF", "\r\n.\u0000\r\n"},
            new String[] {"smuggling CRLF.NUL CRLF", "\r\n\u0000.\r\n"});

    private Conformance() {
    }

    /**
     * Runs every check against {@code host:port}, one session each.
     *
     * @param wait how long to wait for a reply after the false ending
     */
    public static List<Check> run(String host, int port, String helo, String from, String to, Duration timeout,
                                  Duration wait) {
        var checks = new ArrayList<Check>();
        for (String[] ending : ENDINGS) {
            checks.add(smuggling(host, port, helo, from, to, timeout, wait, ending[0], ending[1]));
        }
        checks.addAll(new ProtocolChecks(host, port, helo, from, to, timeout, wait).run());
        return checks;
    }

    private static Check smuggling(String host, int port, String helo, String from, String to, Duration timeout,
                                   Duration wait, String name, String ending) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            String greeting = RawSmtp.reply(in);
            if (!greeting.startsWith("220")) {
                return Check.unreached(name, Messages.text("conformance.notTested.greeting", RawSmtp.firstLine(greeting)));
            }
            for (String command : List.of("EHLO " + helo, "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">", "DATA")) {
                RawSmtp.send(out, command + "\r\n");
                String r = RawSmtp.reply(in);
                boolean ok = command.equals("DATA") ? r.startsWith("354") : r.startsWith("250");
                if (!ok) {
                    return new Check(name, "warn", Messages.text("conformance.notTested.answered", command,
                            RawSmtp.firstLine(r)));
                }
            }
            RawSmtp.send(out, "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: Mailflow conformance check, " + name
                    + "\r\n\r\nThis message tests SMTP smuggling; the next line may end it too early." + ending
                    + "MAIL FROM:<smuggled@" + helo + ">\r\n");
            socket.setSoTimeout((int) wait.toMillis());
            String early;
            try {
                early = RawSmtp.reply(in);
            } catch (SocketTimeoutException e) {
                early = null;
            }
            socket.setSoTimeout((int) timeout.toMillis());
            if (early != null) {
                if (early.startsWith("2")) {
                    return new Check(name, "fail", Messages.text("conformance.smuggled", visible(ending),
                            RawSmtp.firstLine(early)));
                }
                return new Check(name, "pass", Messages.text("conformance.refusedAtFalseEnding", RawSmtp.firstLine(early)));
            }
            RawSmtp.send(out, "\r\n.\r\n");
            String end = RawSmtp.reply(in);
            RawSmtp.send(out, "QUIT\r\n");
            if (end.startsWith("2")) {
                return new Check(name, "pass", Messages.text("conformance.stayedInContent", visible(ending),
                        RawSmtp.firstLine(end)));
            }
            return new Check(name, "pass", Messages.text("conformance.refusedAtEnd", RawSmtp.firstLine(end)));
        } catch (IOException e) {
            return Check.unreached(name, Messages.text("conformance.notTested", e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static String visible(String ending) {
        return ending.replace("\r", "<CR>").replace("\n", "<LF>").replace("\u0000", "<NUL>");
    }
}
