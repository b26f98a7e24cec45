package dev.mailflow.smtp;

import java.util.Locale;

/**
 * A mailbox, {@code local-part@domain}, as RFC 5321 4.1.2 defines it. The local part is kept
 * as it was written on the wire (a quoted string keeps its quotes) so it can be passed on
 * unchanged; {@link #key()} gives the form used to look a mailbox up.
 *
 * <p>The null reverse path {@code <>} is {@link #NULL_SENDER}; the special recipient
 * {@code <postmaster>} (no domain) has an empty domain.
 */
public record MailAddress(String localPart, String domain) {

    public static final MailAddress NULL_SENDER = new MailAddress("", "");

    public boolean isNullSender() {
        return localPart.isEmpty() && domain.isEmpty();
    }

    /** {@code <postmaster>} without a domain, RFC 5321 4.1.1.3. */
    public boolean isBarePostmaster() {
        return domain.isEmpty() && localPart.equalsIgnoreCase("postmaster");
    }

    /** The local part with quoting removed: {@code "john doe"} becomes {@code john doe}. */
    public String unquotedLocalPart() {
        if (localPart.length() >= 2 && localPart.startsWith("\"") && localPart.endsWith("\"")) {
            var sb = new StringBuilder();
            for (int i = 1; i < localPart.length() - 1; i++) {
                char c = localPart.charAt(i);
                if (c == '\\' && i + 1 < localPart.length() - 1) {
                    c = localPart.charAt(++i);
                }
                sb.append(c);
            }
            return sb.toString();
        }
        return localPart;
    }

    /** True when any part of the address is not ASCII (it then needs SMTPUTF8). */
    public boolean isInternationalized() {
        for (int i = 0; i < localPart.length(); i++) {
            if (localPart.charAt(i) > 127) {
                return true;
            }
        }
        for (int i = 0; i < domain.length(); i++) {
            if (domain.charAt(i) > 127) {
                return true;
            }
        }
        return false;
    }

    /** The lookup key: the unquoted local part in lower case, then the canonical domain. */
    public String key() {
        return unquotedLocalPart().toLowerCase(Locale.ROOT) + "@" + Domains.canonical(domain);
    }

    /** The address between angle brackets as it goes in a MAIL or RCPT command. */
    public String toPath() {
        return "<" + this + ">";
    }

    @Override
    public String toString() {
        if (isNullSender()) {
            return "";
        }
        return domain.isEmpty() ? localPart : localPart + "@" + domain;
    }
}
