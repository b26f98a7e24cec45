package dev.mailflow.probe;

import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What replies mean: the first digit as the seeds' table says (RFC 5321 4.2.1), the enhanced
 * code's class, subject and detail (RFC 3463 and the IANA registry), and for the failures the
 * seeds list (and others a mail administrator meets), their possible reasons. The server's
 * reply catalogue and this table meet: where a reply is one of ours, its reasons are keyed by
 * the catalogue constant.
 */
public final class Explanations {

    private Explanations() {
    }

    /** The seeds' table of first digits. */
    public static String firstDigit(int code) {
        return switch (code / 100) {
            case 2 -> "2yz: the command was completed; the server is ready for the next one.";
            case 3 -> "3yz: the command was accepted, the server needs more information (such as the message).";
            case 4 -> "4yz: not accepted, for a reason that may be temporary: a sender should try again later.";
            case 5 -> "5yz: not accepted, for a reason that will not go away: a sender gives up and returns a "
                    + "non-delivery report.";
            default -> "unknown reply class";
        };
    }

    static final Map<Integer, String> CLASSES = Map.of(2, "Success", 4, "Persistent transient failure",
            5, "Permanent failure");

    static final Map<Integer, String> SUBJECTS = Map.of(0, "Other or undefined status", 1, "Addressing status",
            2, "Mailbox status", 3, "Mail system status", 4, "Network and routing status",
            5, "Mail delivery protocol status", 6, "Message content or media status",
            7, "Security or policy status");

    /** RFC 3463 and IANA "SMTP Enhanced Status Codes", subject.detail. */
    static final Map<String, String> DETAILS = Map.ofEntries(
            Map.entry("0.0", "Other undefined status"),
            Map.entry("1.0", "Other address status"),
            Map.entry("1.1", "Bad destination mailbox address"),
            Map.entry("1.2", "Bad destination system address"),
            Map.entry("1.3", "Bad destination mailbox address syntax"),
            Map.entry("1.5", "Destination mailbox address valid"),
            Map.entry("1.6", "Destination mailbox has moved"),
            Map.entry("1.7", "Bad sender's mailbox address syntax"),
            Map.entry("1.8", "Bad sender's system address"),
            Map.entry("1.10", "Recipient address has null MX"),
            Map.entry("2.0", "Other or undefined mailbox status"),
            Map.entry("2.1", "Mailbox disabled, not accepting messages"),
            Map.entry("2.2", "Mailbox full"),
            Map.entry("2.3", "Message length exceeds administrative limit"),
            Map.entry("3.0", "Other or undefined mail system status"),
            Map.entry("3.1", "Mail system full"),
            Map.entry("3.2", "System not accepting network messages"),
            Map.entry("3.3", "System not capable of selected features"),
            Map.entry("3.4", "Message too big for system"),
            Map.entry("4.0", "Other or undefined network or routing status"),
            Map.entry("4.1", "No answer from host"),
            Map.entry("4.2", "Bad connection"),
            Map.entry("4.3", "Directory server failure"),
            Map.entry("4.4", "Unable to route"),
            Map.entry("4.5", "Mail system congestion"),
            Map.entry("4.6", "Routing loop detected"),
            Map.entry("4.7", "Delivery time expired"),
            Map.entry("5.0", "Other or undefined protocol status"),
            Map.entry("5.1", "Invalid command"),
            Map.entry("5.2", "Syntax error"),
            Map.entry("5.3", "Too many recipients"),
            Map.entry("5.4", "Invalid command arguments"),
            Map.entry("5.5", "Wrong protocol version"),
            Map.entry("6.0", "Other or undefined media error"),
            Map.entry("6.3", "Conversion required but not supported"),
            Map.entry("6.7", "Non-ASCII addresses not permitted for that sender/recipient"),
            Map.entry("7.0", "Other or undefined security status"),
            Map.entry("7.1", "Delivery not authorized, message refused"),
            Map.entry("7.8", "Authentication credentials invalid"),
            Map.entry("7.11", "Encryption required for requested authentication mechanism"),
            Map.entry("7.54", "Relay not permitted (Exchange: unable to relay recipient in non-accepted domain)"),
            Map.entry("7.60", "Send-as permission denied (Exchange)"));

    /** RFC 3463: the enhanced code in words. */
    public static String enhanced(EnhancedStatus s) {
        String detail = DETAILS.getOrDefault(s.subject() + "." + s.detail(), "detail " + s.detail());
        return s + ": " + CLASSES.getOrDefault(s.klass(), "?") + " / "
                + SUBJECTS.getOrDefault(s.subject(), "subject " + s.subject()) + " / " + detail;
    }

    /** The seeds' reasons for a failed connection. */
    public static final List<String> CONNECT_REASONS = List.of(
            "The destination SMTP service is unavailable.",
            "Restrictions on the destination firewall.",
            "Restrictions on the source firewall.",
            "Incorrect FQDN or IP address for the destination SMTP server.",
            "Incorrect port number.");

    /** Possible reasons for a refusal, by step and reply: the seeds' words where they give them. */
    public static List<String> reasons(String step, Reply r) {
        var list = new ArrayList<String>();
        String es = r.status() == null ? "" : r.status().toString();
        int code = r.code();
        if (code < 400) {
            return list;
        }
        if (step.equals("EHLO") && code == Reply.INVALID_DOMAIN.code()) {
            list.add("Invalid characters in the domain name.");
            list.add("Connection restrictions on the destination SMTP server.");
        } else if (es.equals("5.1.7") || (step.equals("MAIL") && es.equals("5.1.3"))) {
            list.add("A syntax error in the sender's e-mail address.");
        } else if (code == 530 && es.equals("5.7.1")) {
            list.add("The destination server doesn't accept anonymous message submissions: this connector "
                    + "accepts mail only from authenticated clients (try --auth, or the anonymous port).");
        } else if (code == 530 && es.equals("5.7.0")) {
            list.add("The server requires TLS first: use --starttls auto or require.");
        } else if (es.equals("5.1.1")) {
            list.add("The specified recipient doesn't exist.");
        } else if (es.equals("5.7.54") || (step.equals("RCPT") && es.equals("5.7.1"))
                || r.firstLine().toLowerCase().contains("relay")) {
            list.add("Relay denied: the server does not accept mail for this domain from you. Send to an "
                    + "accepted domain, authenticate, or have your address allowed to relay.");
        } else if ((code == 450 || code == 451) && es.equals("4.7.1")) {
            list.add("Greylisting or a temporary policy block: a real sender retries later and gets through.");
        } else if (code == 421) {
            list.add("The service is not available now (shutting down, overloaded, too many connections or "
                    + "errors from you); try again later.");
        } else if (code == 552 || es.equals("5.3.4") || es.equals("5.2.3")) {
            list.add("The message is bigger than the server accepts (see its SIZE in the EHLO reply).");
        } else if (code == 554 && es.equals("5.7.1")) {
            list.add("Blocked by policy: your address or domain may be on a blocklist, or the server's rules "
                    + "refuse this sender.");
        } else if (code == 500 && (es.equals("5.3.3") || es.isEmpty())) {
            list.add("Unrecognized SMTP command or syntax error: check the command and type it again.");
        } else if (es.equals("5.7.8") || code == 535) {
            list.add("The user name or password is wrong, or this user may not authenticate here.");
        } else if (es.equals("5.7.60")) {
            list.add("The authenticated user may not send as this sender: use one of the user's own addresses.");
        } else if (code == 503) {
            list.add("Commands out of order: EHLO, then MAIL FROM, then RCPT TO, then DATA.");
        }
        return list;
    }
}
