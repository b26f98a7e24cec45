package dev.mailflow.queue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/** A queue in memory, for tests of the scheduler and the server: same contract, no durability. */
public final class InMemoryQueueStore implements QueueStore {

    private record Entry(byte[] content, QueuedMessage message) {
    }

    private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();
    private final QueueIds ids = new QueueIds();
    private volatile long usableSpace = Long.MAX_VALUE;

    /** Pretends the disk has this much room left (tests of the 452 at MAIL). */
    public void setUsableSpace(long octets) {
        this.usableSpace = octets;
    }

    @Override
    public Incoming begin() {
        long id = ids.next();
        var buffer = new ByteArrayOutputStream();
        return new Incoming() {
            private boolean done;

            @Override
            public long id() {
                return id;
            }

            @Override
            public OutputStream content() {
                return buffer;
            }

            @Override
            public java.io.InputStream written() {
                return new java.io.ByteArrayInputStream(buffer.toByteArray());
            }

            @Override
            public void rewrite(ContentRewriter rewriter) throws java.io.IOException {
                var edited = new ByteArrayOutputStream();
                rewriter.rewrite(written(), edited);
                buffer.reset();
                edited.writeTo(buffer);
            }

            @Override
            public QueuedMessage commit(Envelope envelope) {
                done = true;
                var m = new QueuedMessage(id, QueueState.ACTIVE, envelope, DeliveryStatus.initial(envelope));
                entries.put(id, new Entry(buffer.toByteArray(), m));
                return m;
            }

            @Override
            public void abort() {
                done = true;
            }
        };
    }

    @Override
    public List<RecoveredMessage> recover() {
        return list(null).stream().map(RecoveredMessage::of).toList();
    }

    @Override
    public List<QueuedMessage> list(QueueState state) {
        var list = new ArrayList<QueuedMessage>();
        for (var e : entries.values()) {
            if (state == null || e.message().state() == state) {
                list.add(e.message());
            }
        }
        return list;
    }

    @Override
    public QueuedMessage load(long id) {
        var e = entries.get(id);
        return e == null ? null : e.message();
    }

    @Override
    public InputStream openContent(long id) throws IOException {
        var e = entries.get(id);
        if (e == null) {
            throw new IOException("no message " + id);
        }
        return new ByteArrayInputStream(e.content());
    }

    @Override
    public QueuedMessage update(QueuedMessage message, QueueState state, DeliveryStatus status) throws IOException {
        var e = entries.get(message.id());
        if (e == null) {
            throw new IOException("no message " + message.id());
        }
        var m = message.withStatus(state, status.nextVersion());
        entries.put(message.id(), new Entry(e.content(), m));
        return m;
    }

    @Override
    public void remove(long id) {
        entries.remove(id);
    }

    @Override
    public long usableSpace() {
        return usableSpace;
    }
}
