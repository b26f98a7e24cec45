package dev.mailflow.probe;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A delivery status notification read back (RFC 3464): the per-message fields
 * (Reporting-MTA, Original-Envelope-Id, Arrival-Date) and per recipient Final-Recipient,
 * Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code; with the Message-ID of
 * the returned message (its headers, RET=HDRS) so that a report can be matched to the probe's
 * message when the ENVID was not echoed. message/global-delivery-status (RFC 6533) is read the
 * same way.
 */
public record DeliveryReport(String reportingMta, String originalEnvelopeId, String arrivalDate,
                             List<Recipient> recipients, String returnedMessageId, String subject, String from) {

    public DeliveryReport {
        recipients = List.copyOf(recipients);
    }

    /** One recipient's block (RFC 3464 2.3). Fields absent from the report are null. */
    public record Recipient(String finalRecipient, String originalRecipient, String action, String status,
                            String remoteMta, String diagnosticCode, String lastAttemptDate) {
    }

    /** The report in {@code message}, or empty when it is no DSN (a reply, another message). */
    public static Optional<DeliveryReport> parse(byte[] message) {
        try {
            var mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
            if (!mime.isMimeType("multipart/report")) {
                return Optional.empty();
            }
            String statusText = null;
            String returnedId = null;
            if (mime.getContent() instanceof Multipart mp) {
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart part = mp.getBodyPart(i);
                    if (part.isMimeType("message/delivery-status") || part.isMimeType("message/global-delivery-status")) {
                        statusText = new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } else if (part.isMimeType("text/rfc822-headers") || part.isMimeType("message/rfc822")
                            || part.isMimeType("message/global") || part.isMimeType("message/global-headers")) {
                        returnedId = returnedMessageId(part);
                    }
                }
            }
            if (statusText == null) {
                return Optional.empty();
            }
            var blocks = blocks(statusText);
            if (blocks.isEmpty()) {
                return Optional.empty();
            }
            var first = blocks.get(0);
            var recipients = new ArrayList<Recipient>();
            for (var b : blocks.subList(1, blocks.size())) {
                recipients.add(new Recipient(address(b.get("final-recipient")), address(b.get("original-recipient")),
                        lower(b.get("action")), b.get("status"), b.get("remote-mta"), b.get("diagnostic-code"),
                        b.get("last-attempt-date")));
            }
            return Optional.of(new DeliveryReport(b(first, "reporting-mta"), first.get("original-envelope-id"),
                    first.get("arrival-date"), recipients, returnedId, printable(mime.getSubject()),
                    mime.getHeader("From", ", ") == null ? null : printable(mime.getHeader("From", ", "))));
        } catch (MessagingException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The Message-ID of a message that {@code message} answers (In-Reply-To, References), for replies. */
    public static List<String> answers(byte[] message) {
        try {
            var mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
            var ids = new ArrayList<String>();
            for (String h : List.of("In-Reply-To", "References")) {
                String v = mime.getHeader(h, " ");
                if (v != null) {
                    for (String id : v.split("\\s+")) {
                        if (!id.isBlank()) {
                            ids.add(id.strip());
                        }
                    }
                }
            }
            return ids;
        } catch (MessagingException | RuntimeException e) {
            return List.of();
        }
    }

    private static String b(Map<String, String> block, String name) {
        return block.get(name);
    }

    private static String returnedMessageId(Part part) throws MessagingException, IOException {
        String text = new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return blocks(text).stream().findFirst().map(h -> h.get("message-id")).map(String::strip).orElse(null);
    }

    /** Header-style blocks separated by blank lines; folded lines unfolded; names lower case. */
    static List<Map<String, String>> blocks(String text) {
        var blocks = new ArrayList<Map<String, String>>();
        var current = new LinkedHashMap<String, String>();
        String last = null;
        // SECURITY: a report is read up to 1 MiB and 1,000 blocks; a folded field grows to 500
        // characters at most (no quadratic joining of a field folded a million times).
        String bounded = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        for (String line : bounded.replace("\r\n", "\n").split("\n", -1)) {
            if (blocks.size() >= MAX_BLOCKS) {
                break;
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    blocks.add(current);
                    current = new LinkedHashMap<>();
                }
                last = null;
            } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                String sofar = current.get(last);
                if (sofar != null && sofar.length() < 500) {
                    current.put(last, printable(sofar + " " + line.strip()));
                }
            } else {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    current.putIfAbsent(last, printable(line.substring(colon + 1).strip()));
                }
            }
        }
        if (!current.isEmpty()) {
            blocks.add(current);
        }
        return blocks;
    }

    /** "rfc822; user@example.test" to the address. */
    private static String address(String field) {
        if (field == null) {
            return null;
        }
        int semi = field.indexOf(';');
        return semi < 0 ? field : field.substring(semi + 1).strip();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    static final int MAX_TEXT = 1 << 20;
    static final int MAX_BLOCKS = 1_000;

    private static String printable(String s) {
        if (s == null) {
            return null;
        }
        String p = dev.mailflow.smtp.Reply.printable(s);
        return p.length() > 500 ? p.substring(0, 500) + "..." : p;
    }
}
