package dev.mailflow.client;

/** Hears every line of a client session, both ways (for logs and the tester). */
public interface TranscriptListener {

    enum Direction { SENT, RECEIVED, INFO }

    void line(Direction direction, String text);

    /** The message content was sent ({@code octets} of it, not shown line by line). */
    default void content(long octets) {
        line(Direction.SENT, "(" + octets + " octets of message content)");
    }

    TranscriptListener NONE = (d, t) -> { };
}
