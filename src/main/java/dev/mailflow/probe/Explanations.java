package dev.mailflow.probe;

import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.StatusCatalogue;
import java.util.ArrayList;
import java.util.List;

/**
 * What replies mean to the tester: the first digit as the seeds' table says (RFC 5321
 * 4.2.1), and for the failures the seeds list (and others a mail administrator meets), their
 * possible reasons. The enhanced code in words comes from the one status catalogue
 * ({@link StatusCatalogue}, RFC 3463 and the IANA registry), as the DSN and the console say
 * it. Where a reply is one of ours, its reasons are keyed by the reply catalogue constant.
 * The words themselves are in the {@link Messages} bundle, in each language.
 */
public final class Explanations {

    private Explanations() {
    }

    /** The seeds' table of first digits. */
    public static String firstDigit(int code) {
        int d = code / 100;
        return Messages.text(d >= 2 && d <= 5 ? "firstDigit." + d : "firstDigit.other");
    }

    /** The seeds' reasons for a failed connection. */
    public static List<String> connectReasons() {
        var list = new ArrayList<String>();
        for (int i = 1; i <= 5; i++) {
            list.add(Messages.text("connect.reason." + i));
        }
        return list;
    }

    /** Possible reasons for a refusal, by step and reply: the seeds' words where they give them. */
    public static List<String> reasons(String step, Reply r) {
        var list = new ArrayList<String>();
        for (String key : reasonKeys(step, r)) {
            list.add(Messages.text(key));
        }
        return list;
    }

    /** The message keys of {@link #reasons}. */
    static List<String> reasonKeys(String step, Reply r) {
        String es = r.status() == null ? "" : r.status().toString();
        int code = r.code();
        if (code < 400) {
            return List.of();
        }
        if (step.equals("EHLO") && code == Reply.INVALID_DOMAIN.code()) {
            return List.of("reason.ehlo.invalidDomain", "reason.ehlo.restrictions");
        } else if (es.equals("5.1.7") || (step.equals("MAIL") && es.equals("5.1.3"))) {
            return List.of("reason.senderSyntax");
        } else if (code == 530 && es.equals("5.7.1")) {
            return List.of("reason.anonymousRefused");
        } else if (code == 530 && es.equals("5.7.0")) {
            return List.of("reason.tlsRequired");
        } else if (es.equals("5.1.1")) {
            return List.of("reason.noSuchRecipient");
        } else if (es.equals("5.7.54") || (step.equals("RCPT") && es.equals("5.7.1"))
                || r.firstLine().toLowerCase(java.util.Locale.ROOT).contains("relay")) {
            return List.of("reason.relayDenied");
        } else if (code >= 400 && code < 500 && step.equals("RCPT") && greylisted(r)) {
            return List.of("reason.greylisted");
        } else if ((code == 450 || code == 451) && es.equals("4.7.1")) {
            return List.of("reason.temporaryPolicy");
        } else if (code == 421) {
            return List.of("reason.unavailable");
        } else if (code == 552 || es.equals("5.3.4") || es.equals("5.2.3")) {
            return List.of("reason.tooBig");
        } else if (code == 554 && es.equals("5.7.1")) {
            return List.of("reason.blocked");
        } else if (code == 500 && (es.equals("5.3.3") || es.isEmpty())) {
            return List.of("reason.syntax");
        } else if (es.equals("5.7.8") || code == 535) {
            return List.of("reason.authFailed");
        } else if (es.equals("5.7.60")) {
            return List.of("reason.sendAs");
        } else if (code == 503) {
            return List.of("reason.sequence");
        }
        return List.of();
    }

    /** Whether a 4xx reads as greylisting: Postfix's postgrey, Mailflow, Stalwart and rspamd say so in words. */
    static boolean greylisted(Reply r) {
        String text = String.join(" ", r.lines()).toLowerCase(java.util.Locale.ROOT);
        return text.contains("greylist") || text.contains("graylist") || text.contains("try again in")
                || text.contains("please retry later") && r.status() != null && r.status().toString().equals("4.2.0");
    }

    // ---- Email authentication (mailflow auth, the records step) ------------------------------

    /** What an SPF result means for the receiver (RFC 7208 2.6 and 8). */
    public static String spf(dev.mailflow.auth.spf.SpfResult r) {
        return Messages.text("spf." + r.name());
    }

    /** What a DKIM signature's status means (RFC 8601 2.7.1). */
    public static String dkim(dev.mailflow.auth.dkim.DkimStatus s) {
        return Messages.text("dkim." + s.name());
    }

    /** What a DMARC result means (RFC 9989; RFC 8601 2.7.x). */
    public static String dmarc(dev.mailflow.auth.dmarc.DmarcResult r) {
        return Messages.text("dmarc." + r.name());
    }

    /** What an ARC chain status means (RFC 8617 4.4). */
    public static String arc(dev.mailflow.auth.arc.ArcResult r) {
        return Messages.text("arc." + r.name());
    }

    /**
     * A DMARC record's tags in words (RFC 9989 4.7): what each asks receivers to do, defaults
     * named, for the records step.
     */
    public static List<String> dmarcRecord(dev.mailflow.auth.dmarc.DmarcRecord r) {
        var out = new ArrayList<String>();
        out.add(Messages.text("dmarcRecord.p." + r.policy().name(), r.policy().word()));
        out.add(r.subdomainPolicy() != null ? Messages.text("dmarcRecord.sp", r.subdomainPolicy().word())
                : Messages.text("dmarcRecord.sp.absent"));
        out.add(r.nonExistentPolicy() != null ? Messages.text("dmarcRecord.np", r.nonExistentPolicy().word())
                : Messages.text("dmarcRecord.np.absent"));
        out.add(Messages.text(r.strictDkim() ? "dmarcRecord.adkim.strict" : "dmarcRecord.adkim.relaxed"));
        out.add(Messages.text(r.strictSpf() ? "dmarcRecord.aspf.strict" : "dmarcRecord.aspf.relaxed"));
        if (r.testing()) {
            out.add(Messages.text("dmarcRecord.testing"));
        }
        if (r.psd() == 'y') {
            out.add(Messages.text("dmarcRecord.psd"));
        }
        out.add(r.rua().isEmpty() ? Messages.text("dmarcRecord.rua.absent")
                : Messages.text("dmarcRecord.rua", String.join(",", r.rua().stream().map(Object::toString).toList())));
        if (!r.ruf().isEmpty()) {
            out.add(Messages.text("dmarcRecord.ruf", String.join(",", r.ruf().stream().map(Object::toString).toList())));
        }
        return out;
    }
}
