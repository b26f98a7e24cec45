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
        } else if (code >= 400 && code < 500 && step.equals("RCPT") && greylisted(r)) {
            list.add("Greylisted: the server delays the first message of a new sender, client network and "
                    + "recipient on purpose; a real sender retries after the delay it names (often 1 to 15 "
                    + "minutes) and gets through. Not a fault of the server or of this probe.");
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

    /** Whether a 4xx reads as greylisting: Postfix's postgrey, Mailflow, Stalwart and rspamd say so in words. */
    static boolean greylisted(Reply r) {
        String text = String.join(" ", r.lines()).toLowerCase(java.util.Locale.ROOT);
        return text.contains("greylist") || text.contains("graylist") || text.contains("try again in")
                || text.contains("please retry later") && r.status() != null && r.status().toString().equals("4.2.0");
    }

    // ---- Email authentication (mailflow auth, the records step) ------------------------------

    /** What an SPF result means for the receiver (RFC 7208 2.6 and 8). */
    public static String spf(dev.mailflow.auth.spf.SpfResult r) {
        return switch (r) {
            case PASS -> "pass: the domain authorizes this address to send with its name (RFC 7208 2.6.3).";
            case FAIL -> "fail: the domain says this address may not send with its name; a receiver may refuse "
                    + "the mail (RFC 7208 2.6.4, 8.4).";
            case SOFTFAIL -> "softfail: the domain says this address is probably not allowed, but asks receivers not "
                    + "to refuse for that alone (RFC 7208 2.6.5).";
            case NEUTRAL -> "neutral: the domain makes no statement about this address (RFC 7208 2.6.2).";
            case NONE -> "none: the domain publishes no SPF record, or there was no domain to check (RFC 7208 2.6.1).";
            case TEMPERROR -> "temperror: a DNS lookup failed for now; a receiver defers (4xx) or accepts, and "
                    + "asking again later may give a result (RFC 7208 2.6.6).";
            case PERMERROR -> "permerror: the domain's SPF records cannot be used (a syntax error or too many DNS "
                    + "lookups); only the domain owner can fix it (RFC 7208 2.6.7).";
        };
    }

    /** What a DKIM signature's status means (RFC 8601 2.7.1). */
    public static String dkim(dev.mailflow.auth.dkim.DkimStatus s) {
        return switch (s) {
            case PASS -> "pass: the signature verified; the signing domain vouches for the signed header fields "
                    + "and body (RFC 6376 6).";
            case FAIL -> "fail: the signature did not verify: the message was changed after it was signed.";
            case NEUTRAL -> "neutral: the signature could not be processed (syntax, version, algorithm).";
            case TEMPERROR -> "temperror: the key could not be fetched for now; trying later may verify it.";
            case PERMERROR -> "permerror: the signature can never verify as it is (no key, a broken or revoked key, "
                    + "expired).";
            case POLICY -> "policy: the signature may be genuine, but it is too weak to count (RFC 8301).";
            case NONE -> "none: the message is not signed.";
        };
    }

    /** What a DMARC result means (RFC 9989; RFC 8601 2.7.x). */
    public static String dmarc(dev.mailflow.auth.dmarc.DmarcResult r) {
        return switch (r) {
            case PASS -> "pass: SPF or DKIM passed for a domain aligned with the From domain.";
            case FAIL -> "fail: the From domain has a policy, and neither SPF nor DKIM passed for an aligned domain; "
                    + "the policy says what the owner asks receivers to do.";
            case NONE -> "none: the From domain publishes no DMARC policy (or the message has no usable From).";
            case TEMPERROR -> "temperror: a DNS failure kept the policy from being found; try again later.";
            case PERMERROR -> "permerror: the policy record cannot be used.";
        };
    }

    /** What an ARC chain status means (RFC 8617 4.4). */
    public static String arc(dev.mailflow.auth.arc.ArcResult r) {
        return switch (r) {
            case PASS -> "pass: every ARC set verified; the intermediaries' Authentication-Results can be weighed.";
            case FAIL -> "fail: the ARC chain is broken: an ARC set does not verify, or the chain is malformed.";
            case NONE -> "none: no intermediary sealed the message (no ARC sets).";
        };
    }

    /**
     * A DMARC record's tags in words (RFC 9989 4.7): what each asks receivers to do, defaults
     * named, for the records step.
     */
    public static List<String> dmarcRecord(dev.mailflow.auth.dmarc.DmarcRecord r) {
        var out = new ArrayList<String>();
        var p = r.policy();
        out.add("p=" + p.word() + ": mail from this domain that fails DMARC " + switch (p) {
            case REJECT -> "is to be refused at SMTP time";
            case QUARANTINE -> "is to be treated as suspicious (the spam folder, or held)";
            case NONE -> "is delivered as usual: the owner only collects reports (monitoring)";
        });
        out.add(r.subdomainPolicy() != null ? "sp=" + r.subdomainPolicy().word() + ": the policy for subdomains"
                : "sp= absent: subdomains get the p= policy");
        out.add(r.nonExistentPolicy() != null ? "np=" + r.nonExistentPolicy().word() + ": the policy for subdomains "
                + "that do not exist (forged names under the domain)"
                : "np= absent: subdomains that do not exist get the sp= policy");
        out.add(alignment("adkim", r.strictDkim(), "DKIM d="));
        out.add(alignment("aspf", r.strictSpf(), "SPF's MAIL FROM domain"));
        if (r.testing()) {
            out.add("t=y: the owner is testing: receivers apply one level less (reject as quarantine, quarantine "
                    + "as none)");
        }
        if (r.psd() == 'y') {
            out.add("psd=y: this is a public suffix domain's policy (RFC 9989 4.7)");
        }
        out.add(r.rua().isEmpty() ? "rua= absent: nobody receives aggregate reports, so failures go unseen"
                : "rua=" + String.join(",", r.rua().stream().map(Object::toString).toList())
                        + ": where receivers send daily aggregate reports");
        if (!r.ruf().isEmpty()) {
            out.add("ruf=" + String.join(",", r.ruf().stream().map(Object::toString).toList())
                    + ": where receivers send failure reports (few do)");
        }
        return out;
    }

    private static String alignment(String tag, boolean strict, String what) {
        return tag + "=" + (strict ? "s" : "r") + ": " + what + (strict
                ? " must be exactly the From domain (strict alignment)"
                : " may be the From domain or share its organizational domain (relaxed alignment)");
    }
}
