package dev.mailflow.delivery.remote;

import dev.mailflow.delivery.tls.TlsMode;
import dev.mailflow.delivery.tls.TlsRule;
import java.util.List;
import java.util.Locale;

/**
 * A send connector (Exchange's word; Postfix's relayhost and transport map): mail for the
 * listed domains goes to this smart host instead of the domains' MX hosts.
 *
 * @param domains    the domains it serves: {@code "*"} for all, {@code ".example.com"} for
 *                   subdomains, else exact names
 * @param host       the smart host's name or address
 * @param port       its SMTP port
 * @param requireTls no delivery without STARTTLS (the message waits with 4.7.0 instead)
 * @param username   AUTH user name, or null for none
 * @param password   AUTH password, or null
 * @param tls        the TLS level toward the smart host, with its pins or CAs for {@code verify}
 */
public record SendConnector(String name, List<String> domains, String host, int port, boolean requireTls,
                            String username, String password, TlsRule tls) {

    public SendConnector {
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    }

    public SendConnector(String name, List<String> domains, String host, int port, boolean requireTls,
                         String username, String password) {
        this(name, domains, host, port, requireTls, username, password,
                TlsRule.of(requireTls ? TlsMode.ENCRYPT : TlsMode.OPPORTUNISTIC));
    }

    public boolean serves(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (String pattern : domains) {
            if (pattern.equals("*") || pattern.equals(d) || (pattern.startsWith(".") && d.endsWith(pattern))) {
                return true;
            }
        }
        return false;
    }

    /** The first connector that serves a domain, or null. */
    public static SendConnector forDomain(List<SendConnector> connectors, String domain) {
        for (var c : connectors) {
            if (c.serves(domain)) {
                return c;
            }
        }
        return null;
    }
}
