package dev.mailflow.milter;

import dev.mailflow.MailflowVersion;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.protection.ReverseDns;
import dev.mailflow.smtp.MailAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The macros sent before each command, with the names and values Postfix gives them (its
 * {@code milter_*_macros} defaults and more), so that filters which read them work: OpenDKIM
 * reads {@code {daemon_name}} and {@code {auth_type}} to choose between signing and
 * verifying, rspamd reads {@code i}, {@code {client_name}} and the TLS ones. A macro with no
 * value (no TLS, no login) is not sent, as Postfix leaves it out.
 */
final class Macros {

    private Macros() {
    }

    /** Before CONNECT: who we are and who the client is. */
    static Map<String, String> connect(SessionInfo session, String hostname) {
        var m = new LinkedHashMap<String, String>();
        String clientAddr = session.clientAddress().getHostAddress();
        String clientName = clientName(session);
        m.put("j", hostname);
        m.put("{daemon_name}", session.connector().name());
        if (session.localAddress() != null) {
            m.put("{daemon_addr}", session.localAddress().getAddress().getHostAddress());
            m.put("{daemon_port}", String.valueOf(session.localAddress().getPort()));
            m.put("{if_addr}", session.localAddress().getAddress().getHostAddress());
        }
        m.put("v", "Mailflow " + MailflowVersion.get());
        m.put("_", clientName + " [" + clientAddr + "]");
        m.put("{client_addr}", clientAddr);
        if (session.clientPort() > 0) {
            m.put("{client_port}", String.valueOf(session.clientPort()));
        }
        m.put("{client_name}", clientName);
        m.put("{client_ptr}", clientPtr(session));
        m.put("{client_resolve}", resolveStatus(session));
        return m;
    }

    /** Before HELO: the TLS facts, once the connection is encrypted. */
    static Map<String, String> helo(SessionInfo session) {
        var m = new LinkedHashMap<String, String>();
        String tls = session.tls();
        if (tls != null) {
            int space = tls.indexOf(' ');
            String version = space < 0 ? tls : tls.substring(0, space);
            String cipher = space < 0 ? "" : tls.substring(space + 1);
            m.put("{tls_version}", version);
            if (!cipher.isEmpty()) {
                m.put("{cipher}", cipher);
                int bits = cipherBits(cipher);
                if (bits > 0) {
                    m.put("{cipher_bits}", String.valueOf(bits));
                }
            }
        }
        return m;
    }

    /** Before MAIL: the login and the sender. */
    static Map<String, String> mail(SessionInfo session, MailAddress sender) {
        var m = new LinkedHashMap<String, String>();
        if (session.authenticatedUser() != null) {
            // OpenDKIM signs for a client with {auth_type} (not {auth_authen} alone).
            m.put("{auth_type}", session.authMechanism() == null ? "PLAIN" : session.authMechanism());
            m.put("{auth_authen}", session.authenticatedUser());
            m.put("{auth_author}", session.authenticatedUser());
        }
        m.put("{mail_addr}", sender.toString());
        if (!sender.isNullSender()) {
            m.put("{mail_host}", sender.domain());
        }
        m.put("{mail_mailer}", "smtp");
        return m;
    }

    /** Before RCPT. */
    static Map<String, String> rcpt(MailAddress recipient) {
        var m = new LinkedHashMap<String, String>();
        m.put("{rcpt_addr}", recipient.toString());
        m.put("{rcpt_host}", recipient.domain());
        m.put("{rcpt_mailer}", "smtp");
        return m;
    }

    /** Before DATA, the end of the header section and the end of the message: the queue id once there is one. */
    static Map<String, String> queueId(long id) {
        var m = new LinkedHashMap<String, String>();
        if (id > 0) {
            m.put("i", Long.toString(id));
        }
        return m;
    }

    /** The forward-confirmed name, or {@code unknown} as Postfix says it. */
    static String clientName(SessionInfo session) {
        var reverse = session.noted(ReverseDns.class);
        return reverse == null ? "unknown" : reverse.clientName();
    }

    private static String clientPtr(SessionInfo session) {
        var reverse = session.noted(ReverseDns.class);
        return reverse == null ? "unknown" : reverse.ptrName();
    }

    /** Postfix's {@code {client_resolve}}: OK, FAIL (no name), FORGED (not confirmed) or TEMP. */
    private static String resolveStatus(SessionInfo session) {
        var reverse = session.noted(ReverseDns.class);
        if (reverse == null) {
            return "FAIL";
        }
        if (reverse.confirmed()) {
            return "OK";
        }
        return switch (reverse.status()) {
            case TEMPFAIL -> "TEMP";
            case UNCONFIRMED -> "FORGED";
            default -> "FAIL";
        };
    }

    private static int cipherBits(String cipher) {
        if (cipher.contains("AES_256") || cipher.contains("CHACHA20")) {
            return 256;
        }
        if (cipher.contains("AES_128")) {
            return 128;
        }
        return 0;
    }
}
