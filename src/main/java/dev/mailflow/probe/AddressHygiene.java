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
                        "fail", "postmaster must be accepted for every domain (RFC 5321 4.5.1): it is where "
                                + "problems with the domain's mail are reported"),
                check(host, port, helo, from, timeout, "abuse", "abuse@" + domain, true,
                        "warn", "abuse should be accepted (RFC 2142): block lists and other operators report "
                                + "abuse there, and some list domains whose abuse@ bounces"),
                check(host, port, helo, from, timeout, "unknown user", random + "@" + domain, false,
                        "warn", "an address that no one has was accepted at RCPT: the server will bounce it "
                                + "later, to a sender that may be forged (backscatter), unless it throws it away; "
                                + "refuse unknown users at RCPT"));
    }

    private static Check check(String host, int port, String helo, String from, Duration timeout, String name,
                               String recipient, boolean wanted, String badVerdict, String why) {
        String reply;
        try {
            reply = RawSmtp.rcpt(host, port, helo, from, recipient, timeout);
        } catch (IOException e) {
            return new Check(name, recipient, "", "warn", "not tested: " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        }
        char c = reply.isEmpty() ? '?' : reply.charAt(0);
        if (c == '4') {
            return new Check(name, recipient, reply, "warn", "deferred (greylisting or a temporary refusal): "
                    + "asked again later, it may be " + (wanted ? "accepted" : "refused"));
        }
        boolean accepted = c == '2';
        if (accepted == wanted) {
            return new Check(name, recipient, reply, "pass", accepted ? "accepted" : "refused at RCPT");
        }
        return new Check(name, recipient, reply, badVerdict, why);
    }
}
