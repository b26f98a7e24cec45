package dev.mailflow.queue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.RcptParameters;
import dev.mailflow.smtp.ReplyParser;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads a {@link RecipientState} from a status file, in the current form or in the form
 * Mailflow 0.1.0 wrote, so that a message queued before an upgrade is still delivered.
 *
 * <p>The 0.1.0 form had {@code diagnostic}, one string, and {@code remoteMta}, set for any
 * failure at a remote host, whether it answered or not. It is read once, here, into the typed
 * form by this rule: a diagnostic {@code "<where> said: <reply>"} whose reply parses as an
 * SMTP reply line becomes a {@link RemoteReply} (host: {@code remoteMta}, or the name in
 * {@code <where>} when it was empty, as 0.1.0 left it for address literals) with the reason
 * {@code "<where> said"}, so the line a person reads is unchanged; any other diagnostic is
 * our own reason, with no remote reply (a connection refused was never a reply).
 */
final class RecipientStateJson extends StdDeserializer<RecipientState> {

    private static final String SAID = " said: ";

    RecipientStateJson() {
        super(RecipientState.class);
    }

    @Override
    public RecipientState deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode n = ctxt.readTree(p);
        MailAddress original = ctxt.readTreeAsValue(n.get("original"), MailAddress.class);
        MailAddress address = n.hasNonNull("address") ? ctxt.readTreeAsValue(n.get("address"), MailAddress.class)
                : original;
        RcptParameters parameters = n.hasNonNull("parameters")
                ? ctxt.readTreeAsValue(n.get("parameters"), RcptParameters.class) : RcptParameters.NONE;
        var status = RecipientState.Status.valueOf(n.path("status").asText("PENDING"));
        EnhancedStatus enhanced = EnhancedStatus.parse(n.path("enhancedStatus").asText(null));
        Instant updated = n.hasNonNull("updated") ? ctxt.readTreeAsValue(n.get("updated"), Instant.class) : null;
        boolean dsnPassedOn = n.path("dsnPassedOn").asBoolean(false);
        String reason;
        RemoteReply reply;
        if (n.has("diagnostic") && !n.has("reason")) {
            var legacy = legacy(n.path("diagnostic").asText(null), n.path("remoteMta").asText(""));
            reason = legacy.reason();
            reply = legacy.reply();
        } else {
            reason = n.path("reason").asText(null);
            reply = n.hasNonNull("remoteReply") ? ctxt.readTreeAsValue(n.get("remoteReply"), RemoteReply.class) : null;
        }
        return new RecipientState(original, address, parameters, status, enhanced, reason, reply, updated,
                dsnPassedOn);
    }

    record Legacy(String reason, RemoteReply reply) {
    }

    /** Mailflow 0.1.0's diagnostic and remoteMta in the typed form (see the class comment). */
    static Legacy legacy(String diagnostic, String remoteMta) {
        if (diagnostic == null) {
            return new Legacy(null, null);
        }
        int said = diagnostic.indexOf(SAID);
        if (said > 0) {
            String where = diagnostic.substring(0, said);
            try {
                var parsed = new ReplyParser().add(diagnostic.substring(said + SAID.length()));
                if (parsed != null) {
                    String host = remoteMta == null || remoteMta.isBlank() ? hostIn(where) : remoteMta;
                    return new Legacy(where + " said", RemoteReply.of(host, parsed));
                }
            } catch (ReplyParser.MalformedReply e) {
                // not a reply after all: our own words
            }
        }
        return new Legacy(diagnostic, null);
    }

    /** The host of 0.1.0's {@code name[address]:port}, for a literal {@code [address][address]:port}. */
    private static String hostIn(String where) {
        String w = where.substring(where.lastIndexOf(' ') + 1);
        int bracket = w.lastIndexOf('[');
        String host = bracket > 0 ? w.substring(0, bracket) : w;
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? w : host;
    }
}
