package dev.mailflow.directory;

import dev.mailflow.smtp.MailAddress;

/**
 * A local mailbox.
 *
 * @param address  its primary address
 * @param password the password as configured (a hash, or plain text in test configs), or null
 * @param quota    the most octets the mailbox may hold, or 0 for no limit
 */
public record Mailbox(MailAddress address, String password, long quota) {
}
