package dev.mailflow.delivery.local;

import dev.mailflow.directory.Mailbox;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.Envelope;
import dev.mailflow.smtp.MailAddress;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where the copies for our own mailboxes go: Maildir on this machine ({@link MaildirDelivery},
 * the default) or an LMTP server that owns the mailboxes ({@link LmtpDelivery}, Dovecot).
 * All the local copies of one message come together, so that LMTP sends the message once.
 */
public interface LocalDelivery extends AutoCloseable {

    /**
     * One copy to deliver.
     *
     * @param index    the recipient's index in the queued message
     * @param original the recipient as given in RCPT (for the Received header)
     * @param mailbox  the mailbox it reaches
     */
    record Copy(int index, MailAddress original, Mailbox mailbox) {
    }

    /**
     * Delivers {@code copies} of one message.
     *
     * @param mayBeDelivered an earlier attempt may have delivered some copies (after a crash)
     * @return an outcome for every copy's index
     */
    Map<Integer, DeliveryOutcome> deliver(Envelope envelope, List<Copy> copies, DeliveryAgent.Content content,
                                          boolean mayBeDelivered);

    /** Makes what was reported delivered durable (Maildir: the fsync of new/). */
    void sync() throws IOException;

    @Override
    default void close() {
    }
}
