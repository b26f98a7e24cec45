package dev.mailflow.probe;

import java.time.Duration;
import java.util.List;

/**
 * What to test: a domain (MX lookup), a host or host:port, or an IP address.
 *
 * @param quitAfter   stop after this step (CONNECT, EHLO, STARTTLS, AUTH, MAIL, RCPT), or null
 * @param starttls    "auto" (when offered), "require", or "never"
 * @throws IllegalArgumentException with a sentence for the user when the target or port is malformed
 */
public record ProbeOptions(String target, Integer port, String from, List<String> to, String notifyOn, String helo,
                           String starttls, String authUser, String authPassword, boolean data, String quitAfter,
                           String dnsServer, Duration timeout) {

    public ProbeOptions {
        to = List.copyOf(to);
        ProbeTarget.parse(target, port);
    }

    /** Where to connect, from {@code target} and {@code port}. */
    public ProbeTarget destination() {
        return ProbeTarget.parse(target, port);
    }
}
