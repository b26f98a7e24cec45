/**
 * Local delivery to Maildir, in the layout Dovecot reads unchanged:
 * {@code <data_dir>/mailboxes/<domain>/<local>/{tmp,new,cur}}.
 *
 * <p>Each copy is written in {@code tmp/}, fsynced, renamed into {@code new/}, and
 * {@code new/} is fsynced (after Postfix's {@code src/local/maildir.c}). The file name is
 * derived from the queue id and the mailbox, so that a delivery repeated after a crash finds
 * the copy it made before and does not deliver twice.
 */
package dev.mailflow.delivery.local;
