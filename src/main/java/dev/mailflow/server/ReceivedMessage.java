package dev.mailflow.server;

import java.io.IOException;
import java.io.InputStream;

/** A message at the end of data, as the end-of-data hooks see it (the milter's EOM stage). */
public interface ReceivedMessage {

    /** The queue id the message will have (the milter's {@code i} macro). */
    long id();

    /** Octets of content received (after dot-unstuffing). */
    long size();

    /** The content as it will be queued, from its first header field. */
    InputStream open() throws IOException;

    /**
     * Adds a header field at the top of the message (under the Received field delivery adds).
     *
     * @param field the whole field, {@code Name: value}, folded with CRLF and white space where
     *              long, without the final CRLF
     */
    void addHeader(String field);
}
