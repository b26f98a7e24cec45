package dev.mailflow.tlspolicy.tlsrpt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;

/**
 * One {@link SessionResult} as one line of a {@link ReportLog} journal: a JSON object with short
 * keys and a version, then a newline. Reading is strict: a line that is not a whole, valid
 * object (a line torn by a crash, a disk error) is refused rather than half-read.
 */
final class JournalLine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VERSION = 1;

    private JournalLine() {
    }

    /** The line for a result, newline included, as UTF-8. */
    static byte[] encode(SessionResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", VERSION);
        o.put("t", r.time().toString());
        o.put("d", r.policyDomain());
        o.put("p", r.type().jsonName());
        ArrayNode strings = o.putArray("s");
        r.policyStrings().forEach(strings::add);
        putIfSet(o, "mx", r.mxHost());
        putIfSet(o, "helo", r.mxHelo());
        putIfSet(o, "rip", r.receivingIp() == null ? null : r.receivingIp().getHostAddress());
        putIfSet(o, "sip", r.sendingIp() == null ? null : r.sendingIp().getHostAddress());
        if (r.failure() != null) {
            o.put("r", r.failure().resultType().jsonName());
            putIfSet(o, "rc", r.failure().reasonCode());
            putIfSet(o, "ai", r.failure().additionalInformation() == null ? null
                    : r.failure().additionalInformation().toString());
        }
        try {
            return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    private static void putIfSet(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    /** The result on a line (without its newline), or empty when the line is not a valid entry. */
    static Optional<SessionResult> decode(String line) {
        if (line.isEmpty() || line.charAt(0) != '{' || line.charAt(line.length() - 1) != '}') {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readTree(line);
            if (o == null || !o.isObject() || o.path("v").asInt() != VERSION) {
                return Optional.empty();
            }
            var type = PolicyType.fromJsonName(o.path("p").asText());
            if (type.isEmpty() || !o.path("t").isTextual() || !o.path("d").isTextual()) {
                return Optional.empty();
            }
            var strings = new ArrayList<String>();
            for (JsonNode s : o.path("s")) {
                strings.add(s.asText());
            }
            SessionResult.Failure failure = null;
            if (o.has("r")) {
                var resultType = ResultType.fromJsonName(o.path("r").asText());
                if (resultType.isEmpty()) {
                    return Optional.empty();
                }
                URI info = o.has("ai") ? URI.create(o.path("ai").asText()) : null;
                failure = new SessionResult.Failure(resultType.get(), text(o, "rc"), info);
            }
            return Optional.of(new SessionResult(Instant.parse(o.path("t").asText()), o.path("d").asText(), type.get(),
                    strings, text(o, "mx"), text(o, "helo"), address(o, "rip"), address(o, "sip"), failure));
        } catch (JsonProcessingException | RuntimeException | UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode o, String key) {
        return o.has(key) ? o.path(key).asText() : null;
    }

    /** An address as written by {@link #encode}: a literal, so no lookup happens. */
    private static InetAddress address(JsonNode o, String key) throws UnknownHostException {
        if (!o.has(key)) {
            return null;
        }
        String s = o.path(key).asText();
        if (!s.matches("[0-9a-fA-F:.%]+") || !(s.indexOf(':') >= 0 || s.matches("[0-9.]+"))) {
            throw new UnknownHostException("not an address literal: " + s);
        }
        return InetAddress.getByName(s);
    }
}
