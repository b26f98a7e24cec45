package dev.mailflow.server.simulate;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a recipient's local part asks of a simulating connector (case does not matter, the
 * domain is any):
 * <ul>
 * <li>{@code 550-5.1.1} (any 4xx or 5xx code and an enhanced code of the same class, then
 * optionally {@code -anything}): that reply to RCPT;</li>
 * <li>{@code data554-5.6.0}: RCPT accepted, that reply to the end of data;</li>
 * <li>{@code delay10s}: RCPT answered after 10 seconds (at most 300), then accepted;</li>
 * <li>{@code tempfail} or {@code tempfail3}: {@code 451 4.7.1} twice (or 3 times) for that
 * address, then accepted, as a greylisting server does;</li>
 * <li>{@code disconnect}: {@code 421 4.4.2} at RCPT, and the connection closes;</li>
 * <li>anything else: accepted.</li>
 * </ul>
 */
public sealed interface SimulationRule {

    /** The longest delay a rule may ask for. */
    Duration MAX_DELAY = Duration.ofSeconds(300);

    record Reply(int code, String status) implements SimulationRule {
    }

    record DataReply(int code, String status) implements SimulationRule {
    }

    record Delay(Duration delay) implements SimulationRule {
    }

    record TempFail(int times) implements SimulationRule {
    }

    record Disconnect() implements SimulationRule {
    }

    record Accept() implements SimulationRule {
    }

    Pattern REPLY = Pattern.compile("(data)?([45])(\\d\\d)[-_]([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:[-_+.].*)?");
    Pattern DELAY = Pattern.compile("delay(\\d{1,4})s(?:[-_+.].*)?");
    Pattern TEMPFAIL = Pattern.compile("tempfail(\\d{0,2})(?:[-_+.].*)?");

    /** The rule of a local part (unquoted); {@link Accept} when none matches. */
    static SimulationRule of(String localPart) {
        String s = localPart.toLowerCase(Locale.ROOT);
        var m = REPLY.matcher(s);
        if (m.matches() && m.group(4).equals(m.group(2))) {
            int code = Integer.parseInt(m.group(2) + m.group(3));
            String status = m.group(4) + "." + Integer.parseInt(m.group(5)) + "." + Integer.parseInt(m.group(6));
            return m.group(1) != null ? new DataReply(code, status) : new Reply(code, status);
        }
        m = DELAY.matcher(s);
        if (m.matches()) {
            long seconds = Math.min(Long.parseLong(m.group(1)), MAX_DELAY.toSeconds());
            return new Delay(Duration.ofSeconds(seconds));
        }
        m = TEMPFAIL.matcher(s);
        if (m.matches()) {
            return new TempFail(m.group(1).isEmpty() ? 2 : Math.max(1, Integer.parseInt(m.group(1))));
        }
        if (s.equals("disconnect") || s.startsWith("disconnect-") || s.startsWith("disconnect+")) {
            return new Disconnect();
        }
        return new Accept();
    }
}
