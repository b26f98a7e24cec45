package dev.mailflow.client;

import java.io.IOException;

/** The peer broke the protocol: a malformed or unexpected reply. */
public final class SmtpProtocolException extends IOException {
    public SmtpProtocolException(String message) {
        super(message);
    }
}
