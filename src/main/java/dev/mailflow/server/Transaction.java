package dev.mailflow.server;

import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction, from MAIL to the end of data or RSET (RFC 5321 3.3). The session
 * drops it at the end; nothing here outlives it except what is committed to the spool.
 */
public final class Transaction {

    private MailAddress sender;
    private final MailParameters parameters;
    private final List<EnvelopeRecipient> recipients = new ArrayList<>();
    private QueueStore.Incoming content;
    private long chunkedSize;
    private boolean chunking;
    private final java.util.Map<Class<?>, Object> notes = new java.util.HashMap<>();
    private final List<String> addedHeaders = new ArrayList<>();
    private String holdReason;
    private String discardReason;

    Transaction(MailAddress sender, MailParameters parameters) {
        this.sender = sender;
        this.parameters = parameters;
    }

    public MailAddress sender() {
        return sender;
    }

    public MailParameters parameters() {
        return parameters;
    }

    public List<EnvelopeRecipient> recipients() {
        return List.copyOf(recipients);
    }

    void addRecipient(EnvelopeRecipient recipient) {
        recipients.add(recipient);
    }

    /** A filter's new envelope sender (the milter's change from). */
    void changeSender(MailAddress newSender) {
        this.sender = newSender;
    }

    /** Removes the recipients with this address (a filter's delete recipient); false when none. */
    boolean removeRecipient(MailAddress address) {
        return recipients.removeIf(r -> r.address().key().equals(address.key()));
    }

    int recipientCount() {
        return recipients.size();
    }

    /** True once a BDAT chunk was accepted: DATA is then out of sequence (RFC 3030 3). */
    boolean chunking() {
        return chunking;
    }

    QueueStore.Incoming content() {
        return content;
    }

    void startContent(QueueStore.Incoming incoming, boolean viaBdat) {
        this.content = incoming;
        this.chunking = viaBdat;
    }

    long chunkedSize() {
        return chunkedSize;
    }

    void addChunk(long size) {
        chunkedSize += size;
    }

    /** What a hook noted at one stage for a later one (the SPF result of MAIL, for the end of data). */
    public <T> void note(Class<T> type, T value) {
        notes.put(type, value);
    }

    /** What was noted under this type, or null. */
    public <T> T noted(Class<T> type) {
        return type.cast(notes.get(type));
    }

    private final List<String> filterResults = new ArrayList<>();

    /**
     * What a content filter made of the message when it let it through (a milter's verdict
     * and edits), for the tracking log: {@code milter inet:127.0.0.1:11332: continue, 3 edits}.
     */
    public void filterResult(String result) {
        filterResults.add(result);
    }

    List<String> filterResults() {
        return List.copyOf(filterResults);
    }

    void addHeader(String field) {
        addedHeaders.add(field.endsWith("\r\n") ? field : field + "\r\n");
    }

    List<String> addedHeaders() {
        return List.copyOf(addedHeaders);
    }

    /** Marks the message for the hold queue; the first reason given stays. */
    void hold(String reason) {
        if (holdReason == null) {
            holdReason = reason;
        }
    }

    /** Why the message goes to the hold queue, or null when it does not. */
    public String holdReason() {
        return holdReason;
    }

    /** Marks the message to be accepted and delivered to no one; the first reason given stays. */
    void discard(String reason) {
        if (discardReason == null) {
            discardReason = reason;
        }
    }

    /** Why the message is thrown away after its 250, or null when it is not. */
    public String discardReason() {
        return discardReason;
    }

    /** Forgets anything written to the spool. */
    void abort() {
        if (content != null) {
            content.abort();
            content = null;
        }
    }
}
