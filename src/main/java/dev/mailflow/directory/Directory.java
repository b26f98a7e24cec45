package dev.mailflow.directory;

import dev.mailflow.smtp.MailAddress;
import java.util.Collection;
import java.util.List;

/**
 * The accepted domains and recipients: who we receive mail for, and where it goes. Three
 * providers: the configuration file ({@link #of}, the default), PostgreSQL and LDAP. A provider
 * whose store cannot be reached, with nothing fresh enough in its cache, throws
 * {@link DirectoryUnavailable}: the SMTP side answers 451 4.3.0 (454 4.7.0 for AUTH) and
 * delivery waits; a missing answer is never taken for "no such user".
 */
public interface Directory {

    /** The directory of the configuration file. */
    static Directory of(List<AcceptedDomain> domains, List<Mailbox> mailboxes, List<Alias> aliases) {
        return new ConfigDirectory(domains, mailboxes, aliases);
    }

    /** The accepted domains (for listings and checks; a database provider asks its table). */
    List<AcceptedDomain> acceptedDomains();

    /** Every mailbox (for listings and checks). */
    Collection<Mailbox> mailboxes();

    /** Every alias (for listings and checks). */
    Collection<Alias> aliases();

    boolean isAcceptedDomain(String domain);

    /** The mailbox at {@code address}, or null. */
    Mailbox mailbox(MailAddress address);

    /** The alias at {@code address}, or null. */
    Alias alias(MailAddress address);

    /** The accepted domain of that name, or null. */
    AcceptedDomain acceptedDomain(String domain);

    /**
     * The mailbox that receives mail for the postmaster of a domain (RFC 5321 4.5.1):
     * postmaster@ that domain, else postmaster@ the first accepted domain that has one.
     */
    Mailbox postmasterMailbox(String domain);

    /** Classifies a recipient: ours (and how) or not. */
    RecipientStatus lookup(MailAddress recipient);

    /** Whether this is the configuration file's own directory (its lists are checked at load). */
    default boolean fromConfigFile() {
        return true;
    }

    /** What the directory is, for logs and {@code mailflow check}: "the configuration file". */
    default String describe() {
        return "the configuration file";
    }
}
