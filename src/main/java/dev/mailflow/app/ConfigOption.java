package dev.mailflow.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, shared by the commands that need the server's configuration; inherited
 * by subcommands, so {@code queue -c FILE list} and {@code queue list -c FILE} both work.
 */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "TOML configuration file of the server (default: the embedded defaults)")
    Path file;

    /** The configuration (without a file: the embedded defaults), or null after telling {@code err} what is wrong. */
    MailflowConfig loadOrReport(PrintWriter err) {
        try {
            return file == null ? ConfigLoader.loadDefaults() : ConfigLoader.load(file);
        } catch (ConfigException e) {
            err.println("mailflow: " + e.getMessage());
            return null;
        }
    }
}
