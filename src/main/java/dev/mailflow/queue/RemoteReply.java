package dev.mailflow.queue;

import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.Reply;
import java.util.List;
import java.util.Objects;

/**
 * What a remote MTA answered, kept as it said it (RFC 3464 2.3.5 Remote-MTA and 2.3.6
 * Diagnostic-Code of type {@code smtp}), apart from our own reason for the outcome: a DSN
 * quotes it, nobody parses it back out of a sentence. SECURITY: the text is the peer's and
 * untrusted; whoever writes it somewhere ({@code DsnMessage}) makes it printable there.
 *
 * @param host     the MTA's name as we found it (an MX host, a smart host, or the address of
 *                 an address literal), for {@code Remote-MTA: dns; host}
 * @param code     the reply code, 200 to 599
 * @param enhanced the reply's enhanced status code (RFC 2034), or null when it had none or one
 *                 of another class than the code (the parser leaves that one in the text)
 * @param lines    the reply's text lines, without code and enhanced code
 */
public record RemoteReply(String host, int code, EnhancedStatus enhanced, List<String> lines) {

    public RemoteReply {
        Objects.requireNonNull(host, "host");
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (enhanced != null && enhanced.klass() != code / 100) {
            throw new IllegalArgumentException("enhanced code " + enhanced + " does not match reply code " + code);
        }
        lines = lines == null || lines.isEmpty() ? List.of("") : List.copyOf(lines);
    }

    /** A reply as the SMTP client read it. */
    public static RemoteReply of(String host, Reply reply) {
        return new RemoteReply(host, reply.code(), reply.status(), reply.lines());
    }

    /**
     * The status this reply stands for: the reply code's class wins over an enhanced code
     * that disagrees with it ({@link EnhancedStatus#ofReply}); null for a 3xx.
     */
    public EnhancedStatus status() {
        return EnhancedStatus.ofReply(code, enhanced);
    }

    /** The reply on one line, as a DSN's {@code Diagnostic-Code: smtp;} quotes it: {@code 550 5.1.1 text}. */
    public String text() {
        var sb = new StringBuilder().append(code);
        if (enhanced != null) {
            sb.append(' ').append(enhanced);
        }
        for (String l : lines) {
            if (!l.isEmpty()) {
                sb.append(' ').append(l);
            }
        }
        return sb.toString();
    }
}
