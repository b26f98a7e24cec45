package dev.mailflow.probe;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mailflow probe HOST --relay-test --to USER@OURDOMAIN}, with the operator's consent
 * only: does the server take mail for a domain that is not its own? The classic forms of
 * Microsoft's Remote Connectivity Analyzer and the old relay testers, each as one RCPT in one
 * session (MAIL, RCPT, RSET: no message is ever sent):
 * a plain foreign recipient, the source route, the {@code %} hack, the {@code !} path, a
 * quoted local part holding the foreign address, and {@code user@foreign@ours}.
 *
 * <p>"Open relay" is said only when a plain foreign recipient (or its source route) gets a
 * 2xx: the other forms are addresses of our own domain whose local part names another, which a
 * server may rightly accept and then deliver (or refuse) locally; accepting them is a warning.
 */
public final class RelayTest {

    /** One form's result: {@code verdict} is pass, warn or fail. */
    public record Attempt(String form, String recipient, String reply, String verdict, String detail) {
    }

    /** The domain the attempts name as foreign: reserved for examples (RFC 2606), never mail. */
    public static final String FOREIGN = "example.com";

    private RelayTest() {
    }

    /** The recipients tried, for the user's own domain {@code ours}. */
    static List<String[]> forms(String ours) {
        String f = FOREIGN;
        return List.of(
                new String[] {"foreign recipient", "relaytest@" + f, "plain"},
                new String[] {"source route", "@" + ours + ":relaytest@" + f, "plain"},
                new String[] {"percent hack", "relaytest%" + f + "@" + ours, "local"},
                new String[] {"bang path", f + "!relaytest@" + ours, "local"},
                new String[] {"quoted local part", "\"relaytest@" + f + "\"@" + ours, "local"},
                new String[] {"two at signs", "relaytest@" + f + "@" + ours, "local"});
    }

    public static List<Attempt> run(String host, int port, String helo, String from, String ours, Duration timeout) {
        var attempts = new ArrayList<Attempt>();
        for (String[] form : forms(ours)) {
            attempts.add(attempt(host, port, helo, from, timeout, form[0], form[1], form[2].equals("plain")));
        }
        return attempts;
    }

    /** Whether any attempt makes the server an open relay. */
    public static boolean openRelay(List<Attempt> attempts) {
        return attempts.stream().anyMatch(a -> a.verdict().equals("fail"));
    }

    private static Attempt attempt(String host, int port, String helo, String from, Duration timeout, String form,
                                   String recipient, boolean foreign) {
        String reply;
        try {
            reply = RawSmtp.rcpt(host, port, helo, from, recipient, timeout);
        } catch (IOException e) {
            return new Attempt(form, recipient, "", "warn", Messages.text("conformance.notTested", e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        }
        char c = reply.isEmpty() ? '?' : reply.charAt(0);
        if (c == '2') {
            return foreign ? new Attempt(form, recipient, reply, "fail", Messages.text("relay.open", FOREIGN))
                    : new Attempt(form, recipient, reply, "warn", Messages.text("relay.localPart", FOREIGN));
        }
        if (c == '4') {
            return new Attempt(form, recipient, reply, "warn", Messages.text("relay.deferred"));
        }
        return new Attempt(form, recipient, reply, "pass", Messages.text("relay.refused"));
    }
}
