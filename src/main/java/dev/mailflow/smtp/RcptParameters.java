package dev.mailflow.smtp;

import java.util.Set;

/**
 * The ESMTP parameters of RCPT TO (RFC 3461 4.1, 4.2).
 *
 * @param notifyOn null when NOTIFY was not given (the default applies then: FAILURE, DELAY)
 * @param orcpt  the original recipient, {@code addr-type;xtext}, or null
 */
public record RcptParameters(Set<DsnNotify> notifyOn, String orcpt) {

    public static final RcptParameters NONE = new RcptParameters(null, null);

    public RcptParameters {
        notifyOn = notifyOn == null ? null : Set.copyOf(notifyOn);
    }
}
