package dev.mailflow.queue;

import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.RcptParameters;

/** One accepted recipient with its DSN parameters (RFC 3461), kept for delivery. */
public record EnvelopeRecipient(MailAddress address, RcptParameters parameters) {
}
