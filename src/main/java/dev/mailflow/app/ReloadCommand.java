package dev.mailflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mailflow reload}: what SIGHUP does, asked over the running server's admin channel,
 * with the answer printed: what changed, what needs a restart, or the one-line error of a
 * file the server refused (it then keeps the configuration it runs), as {@code postfix reload}.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Make the running server read its configuration file again (what SIGHUP does).",
            "Domains, mailboxes, aliases, passwords, connector rules, send connectors, delivery and",
            "retry settings and the certificate change for new sessions; sessions in progress keep",
            "theirs. Listeners, hostname, data_dir and [web] need a restart: they are named and kept.",
            "--config names the server (its data_dir), as for queue; the server reads the file it",
            "was started with."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:reloaded (the changes are listed)",
            "2:the file has a mistake: not reloaded, the server keeps its running configuration",
            "3:no server is running with that data directory"})
public final class ReloadCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path data;
        try {
            data = (config.file == null ? ConfigLoader.loadDefaults() : ConfigLoader.load(config.file)).server().dataDir();
        } catch (ConfigException e) {
            // The server would refuse this file too; find it by the data_dir the file names, if any.
            data = config.file == null ? null : ConfigLoader.dataDirOf(config.file);
            if (data == null) {
                err.println("mailflow: " + e.getMessage());
                err.println("mailflow: not reloaded");
                return ExitCodes.USAGE;
            }
        }
        JsonNode answer;
        try {
            answer = AdminChannel.call(data, QueueJson.MAPPER.createObjectNode().put("op", AdminProtocol.RELOAD));
        } catch (IOException e) {
            err.println("mailflow: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        if (answer == null) {
            err.println("mailflow: no Mailflow server is running with the data directory " + data
                    + " (nothing to reload; mailflow serve starts one)");
            return ExitCodes.UNREACHABLE;
        }
        if (!answer.path("ok").asBoolean()) {
            err.println("mailflow: " + answer.path("error").asText());
            err.println("mailflow: not reloaded; the server keeps its running configuration");
            return ExitCodes.USAGE;
        }
        var changes = answer.path("changes");
        out.println("mailflow: reloaded " + answer.path("source").asText() + (changes.isEmpty() ? ": nothing changed" : ""));
        for (var c : changes) {
            out.println("  " + c.path("line").asText());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
