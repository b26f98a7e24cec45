package dev.mailflow.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that need the server's configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "TOML configuration file (default: the embedded defaults)")
    Path file;

    /** The configuration, or null after telling {@code err} in one line what is wrong with it. */
    MailflowConfig loadOrReport(PrintWriter err) {
        return loadOrReport(file, err);
    }

    /** The configuration in {@code file} (null: the embedded defaults), or null after reporting the error. */
    static MailflowConfig loadOrReport(Path file, PrintWriter err) {
        try {
            return file == null ? ConfigLoader.loadDefaults() : ConfigLoader.load(file);
        } catch (ConfigException e) {
            err.println("mailflow: " + e.getMessage());
            return null;
        }
    }
}
