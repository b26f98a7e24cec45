package dev.mailflow.auth.dkim;

import java.nio.charset.StandardCharsets;

/**
 * One header field as it was received, RFC 5322 section 2.2: its name and its raw text,
 * folding and final CRLF included, exactly as the bytes came (ISO-8859-1 maps each byte to
 * one char, so UTF-8 header fields pass through unchanged).
 *
 * @param name the field name: the text before the colon, without trailing whitespace
 * @param raw  the whole field, {@code name:value} with its folds, and its CRLF when it had one
 */
record HeaderField(String name, String raw) {

    /** A header field made of text: {@code raw} is {@code name:value} with or without its CRLF. */
    static HeaderField of(String raw) {
        int colon = raw.indexOf(':');
        String name = colon < 0 ? raw : raw.substring(0, colon);
        return new HeaderField(stripTrailingWsp(name), raw);
    }

    /** The text after the colon, up to (not including) the final CRLF. */
    String value() {
        int colon = raw.indexOf(':');
        String v = colon < 0 ? "" : raw.substring(colon + 1);
        return v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v;
    }

    boolean is(String fieldName) {
        return name.equalsIgnoreCase(fieldName);
    }

    byte[] bytes() {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String stripTrailingWsp(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }
}
