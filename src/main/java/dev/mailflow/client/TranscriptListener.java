package dev.mailflow.client;

/** Hears every line of a client session, both ways (for logs and the tester). */
public interface TranscriptListener {

    enum Direction { SENT, RECEIVED, INFO }

    void line(Direction direction, String text);

    TranscriptListener NONE = (d, t) -> { };
}
