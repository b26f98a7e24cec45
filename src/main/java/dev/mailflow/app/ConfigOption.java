package dev.mailflow.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that need the server's configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "TOML configuration file (default: the embedded defaults)")
    Path file;

    MailflowConfig load() throws ConfigException {
        return file == null ? ConfigLoader.loadDefaults() : ConfigLoader.load(file);
    }
}
