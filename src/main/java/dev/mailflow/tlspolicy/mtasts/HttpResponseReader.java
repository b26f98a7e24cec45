package dev.mailflow.tlspolicy.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one HTTP/1.1 response (RFC 9112) from a stream, bounded: at most 32 KiB of status line
 * and headers, at most {@code maxBody} octets of body, framed by {@code Content-Length}, by
 * chunked transfer coding (6.1, what the JDK's and most servers send for a body of unknown
 * length) or by the end of the connection. Interim 1xx responses are skipped.
 *
 * <p>SECURITY: the server is not trusted until the policy has been checked; every length is
 * bounded before it is read, so a hostile server can waste neither memory nor, with the
 * caller's deadline on the stream, time.
 */
final class HttpResponseReader {

    static final int MAX_HEADER_OCTETS = 32 * 1024;

    /** The response is not HTTP, or bigger than allowed: the message says which. */
    static final class BadResponse extends IOException {
        BadResponse(String message) {
            super(message);
        }
    }

    /** The body is over the limit. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * A response.
     *
     * @param headers field names in lower case; a repeated field's values joined with ", "
     */
    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final InputStream in;
    private final int maxBody;
    private int headerOctets;

    HttpResponseReader(InputStream in, int maxBody) {
        this.in = in;
        this.maxBody = maxBody;
    }

    /** The status line and headers; the body is read only for a 200 ({@code readBody}). */
    Response read(boolean readBody) throws IOException {
        while (true) {
            String status = line();
            if (status == null) {
                throw new BadResponse("the connection closed before an HTTP response");
            }
            var m = java.util.regex.Pattern.compile("HTTP/1\\.[01] ([0-9]{3})(?: (.*))?").matcher(status);
            if (!m.matches()) {
                throw new BadResponse("the answer is not HTTP/1.1 (\"" + printable(status) + "\")");
            }
            int code = Integer.parseInt(m.group(1));
            var headers = headers();
            if (code >= 100 && code < 200) {
                continue;
            }
            byte[] body = readBody && code == 200 ? body(headers) : new byte[0];
            return new Response(code, m.group(2) == null ? "" : m.group(2).strip(), headers, body);
        }
    }

    private Map<String, String> headers() throws IOException {
        var headers = new LinkedHashMap<String, String>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadResponse("a header line is not \"name: value\" (\"" + printable(line) + "\")");
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        if (line == null) {
            throw new BadResponse("the connection closed in the HTTP headers");
        }
        return headers;
    }

    private byte[] body(Map<String, String> headers) throws IOException {
        String encoding = headers.get("transfer-encoding");
        if (encoding != null) {
            if (!encoding.toLowerCase(Locale.ROOT).strip().equals("chunked")) {
                throw new BadResponse("the body has a transfer coding other than chunked (" + printable(encoding) + ")");
            }
            return chunked();
        }
        String length = headers.get("content-length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new BadResponse("Content-Length \"" + printable(length) + "\" is not a number");
            }
            if (n < 0) {
                throw new BadResponse("Content-Length " + n + " is negative");
            }
            if (n > maxBody) {
                throw new TooLarge("the body is " + n + " octets, over the limit of " + maxBody);
            }
            byte[] body = in.readNBytes((int) n);
            if (body.length < n) {
                throw new BadResponse("the connection closed after " + body.length + " of " + n + " octets of body");
            }
            return body;
        }
        byte[] body = in.readNBytes(maxBody + 1);
        if (body.length > maxBody) {
            throw new TooLarge("the body is over the limit of " + maxBody + " octets");
        }
        return body;
    }

    private byte[] chunked() throws IOException {
        var out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = framingLine();
            if (sizeLine == null) {
                throw new BadResponse("the connection closed in a chunked body");
            }
            String hex = sizeLine.contains(";") ? sizeLine.substring(0, sizeLine.indexOf(';')) : sizeLine;
            int size;
            try {
                long s = Long.parseLong(hex.strip(), 16);
                if (s < 0 || s > maxBody) {
                    throw new TooLarge("a chunk of " + s + " octets is over the limit of " + maxBody);
                }
                size = (int) s;
            } catch (NumberFormatException e) {
                throw new BadResponse("a chunk size \"" + printable(sizeLine) + "\" is not hexadecimal");
            }
            if (size == 0) {
                String trailer;
                int trailers = 0;
                while ((trailer = framingLine()) != null && !trailer.isEmpty()) {
                    // trailer fields carry nothing a policy needs
                    if (++trailers > 100) {
                        throw new BadResponse("more than 100 trailer fields");
                    }
                }
                return out.toByteArray();
            }
            if (out.size() + size > maxBody) {
                throw new TooLarge("the body is over the limit of " + maxBody + " octets");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new BadResponse("the connection closed in a chunk");
            }
            out.write(chunk);
            String end = framingLine();
            if (end == null || !end.isEmpty()) {
                throw new BadResponse("a chunk does not end with CRLF");
            }
        }
    }

    /** A line of the status or the headers, counted against {@link #MAX_HEADER_OCTETS}. */
    private String line() throws IOException {
        return line(true);
    }

    /** A line of chunked framing: at most 1 KiB. */
    private String framingLine() throws IOException {
        return line(false);
    }

    /** One line without its CRLF (or LF), ISO-8859-1; null at the end of the stream before any octet. */
    private String line(boolean header) throws IOException {
        var sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return sb.isEmpty() ? null : sb.toString();
            }
            if (header && ++headerOctets > MAX_HEADER_OCTETS) {
                throw new BadResponse("the status line and headers are over " + MAX_HEADER_OCTETS + " octets");
            }
            if (!header && sb.length() > 1024) {
                throw new BadResponse("a line of the chunked framing is over 1024 octets");
            }
            if (b == '\n') {
                int last = sb.length() - 1;
                return last >= 0 && sb.charAt(last) == '\r' ? sb.substring(0, last) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return new String(t.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1)
                .replaceAll("[\\x00-\\x1f\\x7f-\\xff]", "?");
    }
}
