package dev.mailflow.app;

import dev.mailflow.directory.Directory;
import dev.mailflow.directory.AcceptedDomain;
import dev.mailflow.smtp.MailAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What is valid but probably not meant: check prints it as "warning:" lines (exit 0), serve
 * and reload log it. Local addresses that lead nowhere, domains without the postmaster
 * RFC 5321 4.5.1 requires, and DKIM keys that are weak or for a domain that is not ours.
 */
final class ConfigWarnings {

    private ConfigWarnings() {
    }

    /** A plain console password shorter than mailflow passwd --web would take. */
    private static void webPassword(MailflowConfig config, List<String> warnings) {
        var web = config.web();
        String password = web == null || !web.enabled() ? null : web.password();
        if (password != null && !dev.mailflow.server.auth.Passwords.isHash(password)
                && password.length() < PasswdCommand.MIN_WEB_PASSWORD) {
            warnings.add("[web] password is a plain password of " + password.length() + " characters: mailflow passwd"
                    + " --web wants at least " + PasswdCommand.MIN_WEB_PASSWORD + "; put the bcrypt hash it prints there"
                    + " (or remove the key: the server makes one at its first start)");
        }
    }

    static List<String> of(MailflowConfig config) {
        var d = config.server().directory();
        var warnings = new ArrayList<String>();
        if (config.parts() != null) {
            ldapInClear(config.part(DirectorySection.SECTION), warnings);
        }
        webPassword(config, warnings);
        if (!d.fromConfigFile()) {
            return warnings; // a database's rows change under us: nothing to say about them at load
        }
        if (d.acceptedDomains().isEmpty()) {
            warnings.add("no [[accepted_domain]]: every recipient is relay, refused (550 5.7.54) unless the client"
                    + " may relay");
        }
        for (var alias : d.aliases().stream().sorted(Comparator.comparing(a -> a.address().key())).toList()) {
            for (var target : alias.targets()) {
                if (leadsNowhere(d, target, null)) {
                    warnings.add("alias " + alias.address() + ": recipient " + target + " does not exist here"
                            + " (no mailbox, alias or catch-all): mail to " + alias.address() + " bounces for it");
                }
            }
        }
        for (var domain : d.acceptedDomains()) {
            if (domain.catchAll() != null && leadsNowhere(d, domain.catchAll(), domain)) {
                warnings.add("accepted domain " + domain.name() + ": catch_all " + domain.catchAll()
                        + " does not exist here (no mailbox or alias): mail to unknown users bounces");
            }
            var postmaster = new MailAddress("postmaster", domain.name());
            if (d.mailbox(postmaster) == null && d.alias(postmaster) == null) {
                var elsewhere = d.postmasterMailbox(domain.name());
                warnings.add("accepted domain " + domain.name() + " has no postmaster address (RFC 5321 4.5.1): "
                        + (elsewhere == null ? "mail to " + postmaster + " is accepted and then bounced"
                        : "mail to " + postmaster + " goes to " + elsewhere.address())
                        + "; add a [[mailbox]] or [[alias]] " + postmaster);
            }
        }
        dkimKeys(config, warnings);
        outboundTls(config, warnings);
        dnsLists(config, warnings);
        return warnings;
    }

    /**
     * Passwords over ldap:// without StartTLS to a server beyond loopback: bind_dn's, and every
     * user's at AUTH (each AUTH is a bind with the user's password).
     */
    private static void ldapInClear(DirectorySection.Settings s, List<String> warnings) {
        if (s.ldap() == null || s.ldap().startTls()) {
            return;
        }
        for (var url : s.ldap().urls()) {
            String host = url.getHost();
            boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
            if (url.getScheme().equals("ldap") && !loopback) {
                warnings.add("directory: " + url + " is plain LDAP: the bind password and every AUTH password go "
                        + "to it in clear text; use ldaps:// or start_tls = true");
            }
        }
    }

    /**
     * Block lists asked through the system's resolver: when that is a public one, large lists
     * (Spamhaus) answer every query with their error code, and block nothing.
     */
    private static void dnsLists(MailflowConfig config, List<String> warnings) {
        if (config.delivery() == null || config.delivery().dnsServer() != null) {
            return;
        }
        for (var c : config.server().connectors()) {
            if (!c.filtering().blockLists().isEmpty()) {
                warnings.add("connector \"" + c.name() + "\": dnsbl without [delivery] dns_server: the lists are asked"
                        + " through the system's resolvers; lists such as Spamhaus refuse public resolvers (answers in"
                        + " 127.255.255.0/24, counted as not listed, so nothing is blocked); set dns_server to a"
                        + " resolver of your own");
            }
        }
    }

    /**
     * TLS policy settings that work against what they are for: an MTA-STS policy in enforce
     * served with the self-signed certificate (senders refuse it, RFC 8461 3.3, 4.2), and a
     * {@code [[tls_policy]]} domain that an earlier entry already serves (the later never applies).
     */
    private static void outboundTls(MailflowConfig config, List<String> warnings) {
        if (config.parts() == null) {
            return;
        }
        var published = config.part(MtaStsSection.SECTION);
        if (published.bind() != null && published.policy().mode() == dev.mailflow.tlspolicy.mtasts.MtaStsPolicy.Mode.ENFORCE
                && config.server().tlsCertificate() == null) {
            warnings.add("[mta_sts] mode = \"enforce\" with the self-signed certificate (no [tls] certificate): "
                    + "senders refuse it for mta-sts.<domain> and for the MX, so they cannot fetch the policy or, "
                    + "once cached, deliver; use a certificate from a public CA, or mode = \"testing\"");
        }
        var seen = new java.util.HashSet<String>();
        for (var rule : config.delivery().tlsPolicies()) {
            for (String d : rule.domains()) {
                if (!seen.add(d)) {
                    warnings.add("[[tls_policy]] for " + d + " (tls = \"" + rule.mode().word() + "\") never applies: "
                            + "an earlier [[tls_policy]] already names " + d);
                }
            }
        }
    }

    /**
     * Signing keys that work but are probably not meant: RSA under 2048 bits (RFC 8301 3.2
     * accepts 1024, but large receivers treat it as weak), or a domain Mailflow does not
     * accept mail for (its mail is signed all the same when its From is that domain).
     */
    private static void dkimKeys(MailflowConfig config, List<String> warnings) {
        var d = config.server().directory();
        for (var key : config.delivery().dkimKeys()) {
            String name = "dkim key " + key.domain() + " selector " + key.selector();
            if (key.privateKey() instanceof java.security.interfaces.RSAPrivateKey rsa
                    && rsa.getModulus().bitLength() < 2048) {
                warnings.add(name + ": the RSA key has " + rsa.getModulus().bitLength() + " bits; use 2048"
                        + " (mailflow dkim keygen makes one)");
            }
            boolean ours = d.acceptedDomains().stream().anyMatch(a -> a.name().equals(key.domain())
                    || key.domain().endsWith("." + a.name()) || a.name().endsWith("." + key.domain()));
            if (!ours) {
                warnings.add(name + ": " + key.domain() + " is not an accepted domain (nor a parent or subdomain"
                        + " of one); mail with a From in it is signed all the same");
            }
        }
    }

    /**
     * A local address (in an accepted domain) that no mailbox, alias or catch-all takes; the
     * catch-all of {@code via} does not count (it is the one that points here). Postmaster
     * addresses have their own warning.
     */
    private static boolean leadsNowhere(Directory d, MailAddress address, AcceptedDomain via) {
        var domain = d.acceptedDomain(address.domain());
        if (domain == null || d.mailbox(address) != null || d.alias(address) != null
                || address.unquotedLocalPart().equalsIgnoreCase("postmaster")) {
            return false;
        }
        return domain.catchAll() == null || domain.equals(via);
    }
}
