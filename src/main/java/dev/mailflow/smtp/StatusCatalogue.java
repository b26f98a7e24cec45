package dev.mailflow.smtp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What enhanced status codes mean: the one table behind the DSN's words for people, the web
 * console and the tester (style.md, principles 1 and 6). Pure data, no I/O.
 *
 * <p>Classes and subjects are RFC 3463 2 and 3; the details are RFC 3463 3.1 to 3.8 and
 * the later entries of the IANA "SMTP Enhanced Status Codes" registry (RFC 3886, 4468,
 * 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689), plus the two Exchange codes the
 * seeds' server answers with (5.7.54, 5.7.60), marked as such. A detail means the same in
 * every class (RFC 3463 2: "the detail ... is independent of the class"), so the table is
 * keyed by {@code subject.detail}; {@link #forSenders} gives the NDR sentence of the seeds'
 * style for a failure.
 */
public final class StatusCatalogue {

    private StatusCatalogue() {
    }

    /**
     * One registry entry.
     *
     * @param title      the registry's name for it
     * @param reference  where it is defined
     * @param forSenders a sentence for the sender of a message that failed with it, or null
     *                   when the subject's sentence says enough
     */
    public record Entry(int subject, int detail, String title, String reference, String forSenders) {

        /** {@code X.subject.detail}, as the registry writes it. */
        public String code() {
            return "X." + subject + "." + detail;
        }
    }

    private static final Map<Integer, String> CLASSES = Map.of(
            EnhancedStatus.SUCCESS, "Success",
            EnhancedStatus.TRANSIENT, "Persistent transient failure",
            EnhancedStatus.PERMANENT, "Permanent failure");

    private static final Map<Integer, String> SUBJECTS = Map.of(
            0, "Other or undefined status",
            1, "Addressing status",
            2, "Mailbox status",
            3, "Mail system status",
            4, "Network and routing status",
            5, "Mail delivery protocol status",
            6, "Message content or media status",
            7, "Security or policy status");

    /** The sentence for people by subject, when the detail has none of its own. */
    private static final Map<Integer, String> SUBJECT_SENTENCES = Map.of(
            0, "The message couldn't be delivered.",
            1, "There is a problem with the recipient's address.",
            2, "There is a problem with the recipient's mailbox.",
            3, "The recipient's mail system has a problem and couldn't accept the message.",
            4, "The recipient's server couldn't be reached.",
            5, "This server and the recipient's server couldn't agree on the mail protocol.",
            6, "The message can't be delivered as it is written.",
            7, "The message was refused for a security or policy reason.");

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    private static void row(int subject, int detail, String title, String reference, String forSenders) {
        ENTRIES.put(subject + "." + detail, new Entry(subject, detail, title, reference, forSenders));
    }

    static {
        row(0, 0, "Other undefined status", "RFC 3463", null);

        row(1, 0, "Other address status", "RFC 3463", null);
        row(1, 1, "Bad destination mailbox address", "RFC 3463",
                "The e-mail address you entered couldn't be found. Check the recipient's address and try again.");
        row(1, 2, "Bad destination system address", "RFC 3463",
                "The recipient's domain couldn't be found or has no mail server.");
        row(1, 3, "Bad destination mailbox address syntax", "RFC 3463",
                "The recipient's address isn't valid. Check it and try again.");
        row(1, 4, "Destination mailbox address ambiguous", "RFC 3463", null);
        row(1, 5, "Destination address valid", "RFC 3463", null);
        row(1, 6, "Destination mailbox has moved, no forwarding address", "RFC 3463",
                "The recipient's mailbox has moved and left no forwarding address.");
        row(1, 7, "Bad sender's mailbox address syntax", "RFC 3463",
                "Your address, as the sender, isn't valid for the recipient's server.");
        row(1, 8, "Bad sender's system address", "RFC 3463",
                "The recipient's server doesn't accept mail from your domain.");
        row(1, 9, "Message relayed to non-compliant mailer", "RFC 3886", null);
        row(1, 10, "Recipient address has null MX", "RFC 7505",
                "The recipient's domain accepts no e-mail (it publishes a null MX record).");

        row(2, 0, "Other or undefined mailbox status", "RFC 3463", null);
        row(2, 1, "Mailbox disabled, not accepting messages", "RFC 3463", "The recipient's mailbox is disabled.");
        row(2, 2, "Mailbox full", "RFC 3463",
                "The recipient's mailbox is full and the message couldn't be delivered in time.");
        row(2, 3, "Message length exceeds administrative limit", "RFC 3463",
                "The message is too big for the recipient's server.");
        row(2, 4, "Mailing list expansion problem", "RFC 3463", null);

        row(3, 0, "Other or undefined mail system status", "RFC 3463", null);
        row(3, 1, "Mail system full", "RFC 3463",
                "The recipient's server is out of storage and couldn't accept the message in time.");
        row(3, 2, "System not accepting network messages", "RFC 3463",
                "The recipient's server isn't accepting messages now.");
        row(3, 3, "System not capable of selected features", "RFC 3463", null);
        row(3, 4, "Message too big for system", "RFC 3463", "The message is too big for the recipient's server.");
        row(3, 5, "System incorrectly configured", "RFC 3463", null);
        row(3, 6, "Requested priority was changed", "RFC 6710", null);

        row(4, 0, "Other or undefined network or routing status", "RFC 3463",
                "The message couldn't be routed to the recipient's server.");
        row(4, 1, "No answer from host", "RFC 3463",
                "The recipient's server couldn't be reached: it refused the connection or did not answer.");
        row(4, 2, "Bad connection", "RFC 3463", "The connection to the recipient's server kept failing.");
        row(4, 3, "Directory server failure", "RFC 3463",
                "The recipient's domain couldn't be looked up: its DNS didn't answer.");
        row(4, 4, "Unable to route", "RFC 3463", "The recipient's domain couldn't be found or has no mail server.");
        row(4, 5, "Mail system congestion", "RFC 3463", null);
        row(4, 6, "Routing loop detected", "RFC 3463", "The message was routed in a loop and couldn't be delivered.");
        row(4, 7, "Delivery time expired", "RFC 3463",
                "The message couldn't be delivered in time: the destination kept failing.");

        row(5, 0, "Other or undefined protocol status", "RFC 3463", null);
        row(5, 1, "Invalid command", "RFC 3463", null);
        row(5, 2, "Syntax error", "RFC 3463", null);
        row(5, 3, "Too many recipients", "RFC 3463", "The message has too many recipients for the recipient's server.");
        row(5, 4, "Invalid command arguments", "RFC 3463", null);
        row(5, 5, "Wrong protocol version", "RFC 3463", null);
        row(5, 6, "Authentication exchange line is too long", "RFC 4954", null);

        row(6, 0, "Other or undefined media error", "RFC 3463", null);
        row(6, 1, "Media not supported", "RFC 3463", null);
        row(6, 2, "Conversion required and prohibited", "RFC 3463", null);
        row(6, 3, "Conversion required but not supported", "RFC 3463",
                "The recipient's server can't accept the message as it is written.");
        row(6, 4, "Conversion with loss performed", "RFC 3463", null);
        row(6, 5, "Conversion failed", "RFC 3463", null);
        row(6, 6, "Message content not available", "RFC 4468", null);
        row(6, 7, "Non-ASCII addresses not permitted for that sender/recipient", "RFC 6531",
                "The recipient's server can't accept addresses written with non-ASCII characters.");
        row(6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client", "RFC 6531", null);
        row(6, 9, "UTF-8 header message cannot be transferred to one or more recipients", "RFC 6531", null);

        row(7, 0, "Other or undefined security status", "RFC 3463",
                "The message couldn't be delivered because of a security setting (for instance, encryption was "
                        + "required and not available).");
        row(7, 1, "Delivery not authorized, message refused", "RFC 3463",
                "The recipient's server refused the message by policy.");
        row(7, 2, "Mailing list expansion prohibited", "RFC 3463", null);
        row(7, 3, "Security conversion required but not possible", "RFC 3463", null);
        row(7, 4, "Security features not supported", "RFC 3463", null);
        row(7, 5, "Cryptographic failure", "RFC 3463", null);
        row(7, 6, "Cryptographic algorithm not supported", "RFC 3463", null);
        row(7, 7, "Message integrity failure", "RFC 3463", null);
        row(7, 8, "Authentication credentials invalid", "RFC 4954",
                "The next server refused this server's credentials; its administrator must fix them.");
        row(7, 9, "Authentication mechanism is too weak", "RFC 4954", null);
        row(7, 10, "Encryption needed", "RFC 5248", null);
        row(7, 11, "Encryption required for requested authentication mechanism", "RFC 4954", null);
        row(7, 12, "A password transition is needed", "RFC 4954", null);
        row(7, 13, "User account disabled", "RFC 5248", null);
        row(7, 14, "Trust relationship required", "RFC 5248", null);
        row(7, 15, "Priority level is too low", "RFC 6710", null);
        row(7, 16, "Message is too big for the specified priority", "RFC 6710", null);
        row(7, 17, "Mailbox owner has changed", "RFC 7293", null);
        row(7, 18, "Domain owner has changed", "RFC 7293", null);
        row(7, 19, "RRVS test cannot be completed", "RFC 7293", null);
        row(7, 20, "No passing DKIM signature found", "RFC 7372", null);
        row(7, 21, "No acceptable DKIM signature found", "RFC 7372", null);
        row(7, 22, "No valid author-matched DKIM signature found", "RFC 7372", null);
        row(7, 23, "SPF validation failed", "RFC 7372", null);
        row(7, 24, "SPF validation error", "RFC 7372", null);
        row(7, 25, "Reverse DNS validation failed", "RFC 7372", null);
        row(7, 26, "Multiple authentication checks failed", "RFC 7372", null);
        row(7, 27, "Sender address has null MX", "RFC 7505", null);
        row(7, 29, "ARC validation failure", "RFC 8617", null);
        row(7, 30, "REQUIRETLS support required", "RFC 8689", null);
        row(7, 54, "Unable to relay recipient in non-accepted domain", "Exchange",
                "The server refused to relay the message to the recipient's domain.");
        row(7, 60, "Client does not have permissions to send as this sender", "Exchange",
                "You may not send as this sender: use one of your own addresses.");
    }

    /** Every entry, in the registry's order. */
    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    /** The entry for a code's subject and detail, or null when the registry has none. */
    public static Entry entry(EnhancedStatus s) {
        return ENTRIES.get(s.subject() + "." + s.detail());
    }

    /** Whether the table knows this code's subject and detail. */
    public static boolean explains(EnhancedStatus s) {
        return entry(s) != null && CLASSES.containsKey(s.klass());
    }

    public static String className(int klass) {
        return CLASSES.getOrDefault(klass, "class " + klass);
    }

    public static String subjectName(int subject) {
        return SUBJECTS.getOrDefault(subject, "subject " + subject);
    }

    /** The registry's name for the detail, or "subject S, detail D" for a code it lacks. */
    public static String title(EnhancedStatus s) {
        var e = entry(s);
        return e != null ? e.title() : "detail " + s.detail() + " (not in the registry)";
    }

    /** The code in words: {@code 5.1.1: Permanent failure / Addressing status / Bad destination mailbox address}. */
    public static String describe(EnhancedStatus s) {
        return s + ": " + meaning(s);
    }

    /** As {@link #describe}, without the code in front. */
    public static String meaning(EnhancedStatus s) {
        return className(s.klass()) + " / " + subjectName(s.subject()) + " / " + title(s);
    }

    /** A sentence for the sender of a message that failed with this code (the NDR's first part). */
    public static String forSenders(EnhancedStatus s) {
        var e = entry(s);
        if (e != null && e.forSenders() != null) {
            return e.forSenders();
        }
        return SUBJECT_SENTENCES.getOrDefault(s.subject(), SUBJECT_SENTENCES.get(0));
    }
}
