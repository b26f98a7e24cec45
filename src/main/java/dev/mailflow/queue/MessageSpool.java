package dev.mailflow.queue;

import java.io.IOException;
import java.io.OutputStream;

/** Where received messages are stored before delivery. */
public interface MessageSpool {

    /** Starts a message: allocates its queue id and opens its content for writing. */
    Incoming begin() throws IOException;

    /** A message being received. Exactly one of {@link #commit} or {@link #abort} ends it. */
    interface Incoming {

        long internalId();

        /** The content as received (after dot-unstuffing), written as it arrives. */
        OutputStream content();

        /** Makes the message durable with its envelope. When this returns, a 250 may be sent. */
        void commit(Envelope envelope) throws IOException;

        /** Forgets the message and removes whatever was written. Never throws. */
        void abort();
    }
}
