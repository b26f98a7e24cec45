package dev.mailflow.directory;

import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory of the configuration file ({@code [[accepted_domain]]}, {@code [[mailbox]]},
 * {@code [[alias]]}): looked up case-insensitively (local parts as Exchange does, domains as
 * DNS does). Immutable; never unavailable.
 */
final class ConfigDirectory implements Directory {

    private final List<AcceptedDomain> domains;
    private final Map<String, AcceptedDomain> domainsByName = new HashMap<>();
    private final Map<String, Mailbox> mailboxes = new HashMap<>();
    private final Map<String, Alias> aliases = new HashMap<>();

    ConfigDirectory(List<AcceptedDomain> domains, List<Mailbox> mailboxes, List<Alias> aliases) {
        this.domains = List.copyOf(domains);
        for (var d : domains) {
            domainsByName.put(Domains.canonical(d.name()), d);
        }
        for (var m : mailboxes) {
            this.mailboxes.put(m.address().key(), m);
        }
        for (var a : aliases) {
            this.aliases.put(a.address().key(), a);
        }
    }

    @Override
    public List<AcceptedDomain> acceptedDomains() {
        return domains;
    }

    @Override
    public java.util.Collection<Mailbox> mailboxes() {
        return java.util.List.copyOf(mailboxes.values());
    }

    @Override
    public java.util.Collection<Alias> aliases() {
        return java.util.List.copyOf(aliases.values());
    }

    @Override
    public boolean isAcceptedDomain(String domain) {
        return !domain.isEmpty() && domainsByName.containsKey(Domains.canonical(domain));
    }

    @Override
    public Mailbox mailbox(MailAddress address) {
        return mailboxes.get(address.key());
    }

    @Override
    public Alias alias(MailAddress address) {
        return aliases.get(address.key());
    }

    @Override
    public AcceptedDomain acceptedDomain(String domain) {
        return domainsByName.get(Domains.canonical(domain));
    }

    /**
     * The mailbox that receives mail for the postmaster of a domain (RFC 5321 4.5.1):
     * postmaster@ that domain, else postmaster@ the first accepted domain that has one.
     */
    @Override
    public Mailbox postmasterMailbox(String domain) {
        if (!domain.isEmpty()) {
            var own = mailboxes.get("postmaster@" + Domains.canonical(domain));
            if (own != null) {
                return own;
            }
            var alias = aliases.get("postmaster@" + Domains.canonical(domain));
            if (alias != null && alias.targets().size() == 1) {
                var target = mailboxes.get(alias.targets().get(0).key());
                if (target != null) {
                    return target;
                }
            }
        }
        for (var d : domains) {
            var m = mailboxes.get("postmaster@" + d.name());
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** Classifies a recipient: ours (and how) or not. */
    @Override
    public RecipientStatus lookup(MailAddress recipient) {
        if (recipient.isBarePostmaster()) {
            return RecipientStatus.POSTMASTER;
        }
        var domain = domainsByName.get(Domains.canonical(recipient.domain()));
        if (domain == null) {
            return RecipientStatus.NOT_OURS;
        }
        String key = recipient.key();
        if (mailboxes.containsKey(key)) {
            return RecipientStatus.MAILBOX;
        }
        if (aliases.containsKey(key)) {
            return RecipientStatus.ALIAS;
        }
        if (recipient.unquotedLocalPart().equalsIgnoreCase("postmaster")) {
            return RecipientStatus.POSTMASTER;
        }
        return domain.catchAll() != null ? RecipientStatus.CATCH_ALL : RecipientStatus.UNKNOWN_USER;
    }
}
