package dev.mailflow.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits a filter asks of a message's content at the end of data (the milter's add, insert and
 * change header and replace body), applied in the order given to the content as it is now.
 * Header fields are whole fields, {@code Name: value} with CRLF folding, without the final CRLF.
 */
final class ContentEdits {

    sealed interface Edit {
    }

    /** After the last field of the header section. */
    record Append(String field) implements Edit {
    }

    /** Before the field at this index (0 is the first; past the end appends). */
    record Insert(int index, String field) implements Edit {
    }

    /** The n-th field of this name (1 is the first) replaced, or removed when field is null. */
    record Change(String name, int occurrence, String field) implements Edit {
    }

    /** A new body, CRLF line ends. */
    record ReplaceBody(byte[] body) implements Edit {
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private final List<Edit> edits = new ArrayList<>();

    void add(Edit edit) {
        edits.add(edit);
    }

    boolean isEmpty() {
        return edits.isEmpty();
    }

    void clear() {
        edits.clear();
    }

    /** Writes the content with the edits applied. */
    void apply(InputStream current, OutputStream out) throws IOException {
        var in = new BufferedInputStream(current, 16 * 1024);
        var header = HeaderSection.read(in);
        var fields = new ArrayList<>(header.fields());
        byte[] body = null;
        for (var edit : edits) {
            switch (edit) {
                case Append a -> fields.add(new HeaderSection.Field(a.field()));
                case Insert i -> fields.add(Math.max(0, Math.min(i.index(), fields.size())),
                        new HeaderSection.Field(i.field()));
                case Change c -> change(fields, c);
                case ReplaceBody r -> body = r.body();
            }
        }
        for (var field : fields) {
            out.write(field.raw());
        }
        if (body != null) {
            out.write(CRLF);
            out.write(body);
            return;
        }
        if (header.separated()) {
            out.write(CRLF);
        }
        in.transferTo(out);
    }

    private static void change(List<HeaderSection.Field> fields, Change c) {
        int seen = 0;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).is(c.name()) && ++seen == Math.max(1, c.occurrence())) {
                if (c.field() == null) {
                    fields.remove(i);
                } else {
                    fields.set(i, new HeaderSection.Field(c.field()));
                }
                return;
            }
        }
        // Postfix: a change of a field that is not there adds it.
        if (c.field() != null) {
            fields.add(new HeaderSection.Field(c.field()));
        }
    }
}
