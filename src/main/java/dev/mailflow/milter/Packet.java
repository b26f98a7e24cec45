package dev.mailflow.milter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One milter packet: a command or reply letter and its data (the 4-octet length in front is
 * the connection's business). Strings in the data end with a NUL.
 */
record Packet(char code, byte[] data) {

    static Packet of(char code) {
        return new Packet(code, new byte[0]);
    }

    /** A packet whose data is the given strings, each NUL-terminated, in UTF-8. */
    static Packet strings(char code, String... strings) {
        var out = new ByteArrayOutputStream();
        for (String s : strings) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return new Packet(code, out.toByteArray());
    }

    /** The NUL-terminated strings of the data from an offset (a last one without its NUL too). */
    List<String> stringsFrom(int offset) {
        var list = new ArrayList<String>();
        int start = offset;
        for (int i = offset; i < data.length; i++) {
            if (data[i] == 0) {
                list.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < data.length) {
            list.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
        }
        return list;
    }

    /** The big-endian 32-bit number at an offset. */
    int intAt(int offset) {
        if (data.length < offset + 4) {
            throw new MilterException("a '" + code + "' reply too short (" + data.length + " octets)");
        }
        return ((data[offset] & 0xff) << 24) | ((data[offset + 1] & 0xff) << 16) | ((data[offset + 2] & 0xff) << 8)
                | (data[offset + 3] & 0xff);
    }

    /** The i-th string of the data, or a protocol error naming what is missing. */
    String string(int offset, int index, String what) {
        var list = stringsFrom(offset);
        if (list.size() <= index) {
            throw new MilterException("a '" + code + "' reply without its " + what);
        }
        return list.get(index);
    }

    static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
