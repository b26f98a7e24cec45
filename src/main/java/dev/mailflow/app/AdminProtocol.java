package dev.mailflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.queue.QueueState;
import java.io.IOException;

/**
 * The queue operations as JSON requests and answers: the same for the admin channel of a
 * running server and for the CLI working on the files when no server runs.
 *
 * <p>Request: {@code {"op": "list"|"show"|"retry"|"retry-all"|"hold"|"release"|"delete",
 * "id": 123, "state": "deferred", "after": 122, "limit": 1000}} ({@code after} and {@code limit}
 * page a list). Answer: {@code {"ok": true, ...}} or
 * {@code {"ok": false, "error": "..."}}.
 *
 * <p>A running server also takes {@code {"op": "reload"}} (what SIGHUP does), answered with
 * {@code {"ok": true, "source": "...", "changes": [{"text": "...", "restart": false, "line": "..."}]}} or
 * {@code {"ok": false, "error": "file:line: key: problem"}}.
 */
final class AdminProtocol {

    private AdminProtocol() {
    }

    /** The reload operation's name. */
    static final String RELOAD = "reload";

    static JsonNode handle(QueueAdmin admin, JsonNode request) {
        return handle(admin, null, request);
    }

    /** With the running server's reload ({@code reload} null when no server runs). */
    static JsonNode handle(QueueAdmin admin, ConfigReload reload, JsonNode request) {
        if (RELOAD.equals(request.path("op").asText(""))) {
            return reload == null ? error("no running server to reload") : reloaded(reload.reload());
        }
        var mapper = QueueJson.MAPPER;
        ObjectNode answer = mapper.createObjectNode();
        try {
            String op = request.path("op").asText("");
            long id = request.path("id").asLong(-1);
            switch (op) {
                case "list" -> {
                    String state = request.path("state").asText(null);
                    answer.set("listing", mapper.valueToTree(admin.list(state == null ? null : QueueState.parse(state),
                            Math.max(0, request.path("after").asLong(0)), Math.max(0, request.path("limit").asInt(0)))));
                }
                case "show" -> {
                    var detail = admin.show(id);
                    if (detail == null) {
                        return error("no message " + id + " in the queue");
                    }
                    answer.set("detail", mapper.valueToTree(detail));
                }
                case "retry" -> answer.set("result", mapper.valueToTree(admin.retry(id)));
                case "retry-all" -> answer.set("result", mapper.valueToTree(admin.retryAll()));
                case "hold" -> answer.set("result", mapper.valueToTree(admin.hold(id)));
                case "release" -> answer.set("result", mapper.valueToTree(admin.release(id)));
                case "delete" -> answer.set("result", mapper.valueToTree(admin.delete(id)));
                default -> {
                    return error("unknown operation '" + op + "'");
                }
            }
            answer.put("ok", true);
            return answer;
        } catch (IllegalArgumentException e) {
            return error(e.getMessage()); // our own words: a bad state name, a bad id
        } catch (IOException e) {
            return error(IoErrors.describe(e));
        }
    }

    private static JsonNode reloaded(ConfigReload.Report report) {
        if (!report.applied()) {
            return error(report.error());
        }
        ObjectNode answer = QueueJson.MAPPER.createObjectNode();
        answer.put("ok", true);
        answer.put("source", report.source());
        var changes = answer.putArray("changes");
        for (var c : report.changes()) {
            changes.addObject().put("text", c.text()).put("restart", c.needsRestart()).put("line", c.line());
        }
        return answer;
    }

    static JsonNode error(String message) {
        var n = QueueJson.MAPPER.createObjectNode();
        n.put("ok", false);
        n.put("error", message);
        return n;
    }
}
