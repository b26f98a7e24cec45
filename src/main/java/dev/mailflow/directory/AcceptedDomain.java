package dev.mailflow.directory;

import dev.mailflow.smtp.MailAddress;

/**
 * A domain we accept mail for.
 *
 * @param name     the domain in canonical form (lower case, A-labels)
 * @param catchAll where mail for unknown local parts goes, or null to refuse it
 */
public record AcceptedDomain(String name, MailAddress catchAll) {
}
