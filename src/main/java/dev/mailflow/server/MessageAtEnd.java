package dev.mailflow.server;

import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.smtp.MailAddress;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The session's {@link ReceivedMessage}: the transaction's content in the queue file, with the
 * edits hooks make. Content edits wait in {@link ContentEdits} until {@link #applyEdits}, which
 * the session calls after each hook: the queue file is rewritten once per hook that edited.
 */
final class MessageAtEnd implements ReceivedMessage {

    private final Transaction transaction;
    private final QueueStore.Incoming incoming;
    private final ContentEdits edits = new ContentEdits();
    private long size;
    private boolean edited;

    MessageAtEnd(Transaction transaction, QueueStore.Incoming incoming, long size) {
        this.transaction = transaction;
        this.incoming = incoming;
        this.size = size;
    }

    @Override
    public long id() {
        return incoming.id();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() throws IOException {
        return incoming.written();
    }

    @Override
    public void addHeader(String field) {
        transaction.addHeader(field);
    }

    @Override
    public void appendHeader(String field) {
        edits.add(new ContentEdits.Append(field));
    }

    @Override
    public void insertHeader(int index, String field) {
        edits.add(new ContentEdits.Insert(index, field));
    }

    @Override
    public void changeHeader(String name, int occurrence, String field) {
        edits.add(new ContentEdits.Change(name, occurrence, field));
    }

    @Override
    public void replaceBody(byte[] body) {
        // The array is the caller's to give away: a replaced body may be as big as a message.
        edits.add(new ContentEdits.ReplaceBody(body));
    }

    @Override
    public MailAddress sender() {
        return transaction.sender();
    }

    @Override
    public List<MailAddress> recipients() {
        return transaction.recipients().stream().map(EnvelopeRecipient::address).toList();
    }

    @Override
    public void changeSender(MailAddress sender) {
        transaction.changeSender(sender);
    }

    @Override
    public void addRecipient(MailAddress recipient) {
        transaction.addRecipient(new EnvelopeRecipient(recipient, dev.mailflow.smtp.RcptParameters.NONE));
    }

    @Override
    public boolean removeRecipient(MailAddress recipient) {
        return transaction.removeRecipient(recipient);
    }

    /** Rewrites the queue file with the pending content edits, if any. */
    void applyEdits() throws IOException {
        if (edits.isEmpty()) {
            return;
        }
        var counting = new long[1];
        try {
            incoming.rewrite((current, replacement) -> {
                var out = new java.io.FilterOutputStream(replacement) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        counting[0] += len;
                        this.out.write(b, off, len);
                    }

                    @Override
                    public void write(int b) throws IOException {
                        counting[0]++;
                        this.out.write(b);
                    }
                };
                edits.apply(current, out);
                out.flush();
            });
        } finally {
            edits.clear();
        }
        size = counting[0];
        edited = true;
    }

    /** Whether a hook changed the content. */
    boolean edited() {
        return edited;
    }
}
