package dev.mailflow.server;

import dev.mailflow.smtp.MailAddress;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A message at the end of data, as the end-of-data hooks see it (the milter's EOM stage), with
 * the edits a filter may make before it is queued: header fields added, inserted, changed or
 * removed, the body replaced, the envelope's sender and recipients changed. Content edits are
 * applied when the hook returns, so that the next hook reads the edited message; envelope edits
 * apply at once. Nothing is queued until every hook has had its say.
 */
public interface ReceivedMessage {

    /** The queue id the message will have (the milter's {@code i} macro). */
    long id();

    /** Octets of content, as it will be queued (with the edits of earlier hooks). */
    long size();

    /** The content as it will be queued, from its first header field. */
    InputStream open() throws IOException;

    /**
     * Adds a trace field at the very top of the message (above the content, under the
     * Received field delivery adds): Authentication-Results and the like.
     *
     * @param field the whole field, {@code Name: value}, folded with CRLF and white space where
     *              long, without the final CRLF
     */
    void addHeader(String field);

    /** Adds a field after the last one of the header section (the milter's add header). */
    void appendHeader(String field);

    /** Inserts a field before the index-th of the header section (0: the first; the milter's insert header). */
    void insertHeader(int index, String field);

    /**
     * Replaces the n-th field of a name (1 is the first), or removes it when field is null; a
     * replacement for a field that is not there is added at the end (the milter's change header).
     */
    void changeHeader(String name, int occurrence, String field);

    /**
     * Replaces the body (after the empty line), CRLF line ends (the milter's replace body); the
     * array is kept, not copied, and must not change afterwards.
     */
    void replaceBody(byte[] body);

    MailAddress sender();

    List<MailAddress> recipients();

    /** Changes the envelope sender (the milter's change from); its ESMTP parameters stay. */
    void changeSender(MailAddress sender);

    /** Adds an envelope recipient, without DSN parameters (the milter's add recipient). */
    void addRecipient(MailAddress recipient);

    /** Removes the envelope recipients with this address; false when there was none. */
    boolean removeRecipient(MailAddress recipient);
}
