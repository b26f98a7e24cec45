package dev.mailflow.probe;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * {@code mailflow probe HOST --addresses --to USER@DOMAIN}: the addresses every mail domain
 * owes the world, asked with RCPT only (no message is sent): {@code postmaster@} (RFC 5321
 * 4.5.1: must be accepted), {@code abuse@} (RFC 2142: should be), and a random local part that
 * no one has, which should be refused at RCPT: a server that accepts it and bounces later sends
 * its bounces to forged senders (backscatter).
 */
public final class AddressHygiene {

    /** One address's result: {@code verdict} is pass, warn or fail. */
    public record Check(String name, String recipient, String reply, String verdict, String detail) {
    }

    private AddressHygiene() {
    }

    public static List<Check> run(String host, int port, String helo, String from, String domain, Duration timeout) {
        String random = "no-such-user-" + UUID.randomUUID().toString().substring(0, 12);
        return List.of(
                check(host, port, helo, from, timeout, "postmaster", "postmaster@" + domain, true,
                        "fail", Messages.text("hygiene.postmaster")),
                check(host, port, helo, from, timeout, "abuse", "abuse@" + domain, true,
                        "warn", Messages.text("hygiene.abuse")),
                check(host, port, helo, from, timeout, "unknown user", random + "@" + domain, false,
                        "warn", Messages.text("hygiene.unknownUser")));
    }

    private static Check check(String host, int port, String helo, String from, Duration timeout, String name,
                               String recipient, boolean wanted, String badVerdict, String why) {
        String reply;
        try {
            reply = RawSmtp.rcpt(host, port, helo, from, recipient, timeout);
        } catch (IOException e) {
            return new Check(name, recipient, "", "warn", Messages.text("hygiene.notTested", e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        }
        char c = reply.isEmpty() ? '?' : reply.charAt(0);
        if (c == '4') {
            return new Check(name, recipient, reply, "warn", Messages.text(wanted ? "hygiene.deferred.accepted"
                    : "hygiene.deferred.refused"));
        }
        boolean accepted = c == '2';
        if (accepted == wanted) {
            return new Check(name, recipient, reply, "pass", Messages.text(accepted ? "hygiene.accepted"
                    : "hygiene.refused"));
        }
        return new Check(name, recipient, reply, badVerdict, why);
    }
}
