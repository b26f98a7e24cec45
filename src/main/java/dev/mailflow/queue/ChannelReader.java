package dev.mailflow.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Reads the first octets of a file through a channel still open for writing, by position, so
 * that the content just written is read back without opening the file again; the channel's own
 * position (where writing goes on) does not move, and closing the stream leaves the channel
 * open.
 */
final class ChannelReader extends InputStream {

    private final FileChannel channel;
    private final long end;
    private long position;

    ChannelReader(FileChannel channel, long end) {
        this.channel = channel;
        this.end = end;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        var buffer = ByteBuffer.wrap(b, off, (int) Math.min(len, end - position));
        int n = channel.read(buffer, position);
        if (n < 0) {
            return -1; // shorter than written: never, unless the file was cut under us
        }
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, end - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - position);
    }
}
