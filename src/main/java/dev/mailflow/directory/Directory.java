package dev.mailflow.directory;

import dev.mailflow.smtp.MailAddress;
import java.util.Collection;
import java.util.List;

/**
 * The accepted domains and recipients: who we receive mail for, and where it goes. Three
 * providers: the configuration file ({@link #of}, the default), PostgreSQL and LDAP. A provider
 * whose store cannot be reached, with nothing fresh enough in its cache, throws
 * {@link DirectoryUnavailable}: the SMTP side answers 451 4.3.0 (454 4.7.0 for AUTH) and
 * delivery waits; a missing answer is never taken for "no such user". Passwords are checked by
 * the server against {@link Mailbox#password()} (the file, PostgreSQL), or by the directory
 * itself ({@link #authenticate}, LDAP's bind).
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

    /**
     * Whether the directory checks passwords itself ({@link #authenticate}: an LDAP bind as the
     * user's entry) rather than giving {@link Mailbox#password()} for the server to check.
     */
    default boolean checksPasswords() {
        return false;
    }

    /**
     * Checks a password with the directory's server, for a directory that
     * {@link #checksPasswords()}: never from a cache, and as long for an unknown account as
     * for a known one.
     *
     * @param user     the account's address, or null when the name given is not an address
     * @param password the password as the client sent it
     * @return the mailbox authenticated (its address is the user's identity), or null when the
     *         account or the password is wrong
     * @throws DirectoryUnavailable when the server cannot say (AUTH then gets 454 4.7.0)
     */
    default Mailbox authenticate(MailAddress user, String password) {
        throw new UnsupportedOperationException(describe() + " does not check passwords itself");
    }

    /** Whether this is the configuration file's own directory (its lists are checked at load). */
    default boolean fromConfigFile() {
        return true;
    }

    /**
     * For {@code mailflow check}: each configured lookup tried once with an address that
     * matches nothing; null when they all ran, else what failed, in words.
     */
    default String checkLookups() {
        return null;
    }

    /** What the directory is, for logs and {@code mailflow check}: "the configuration file". */
    default String describe() {
        return "the configuration file";
    }
}
