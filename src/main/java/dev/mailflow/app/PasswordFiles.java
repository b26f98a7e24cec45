package dev.mailflow.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A password kept in a file of its own (so the config can be world-readable), read once at load. */
final class PasswordFiles {

    private PasswordFiles() {
    }

    /** The file's first line without surrounding white space, or a config error naming the key. */
    static String read(SectionInput in, ConfigTable t, ConfigKey<String> key) throws ConfigException {
        Path file = in.resolve(t.get(key));
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            String why = IoErrors.describe(e);
            throw t.error(key, why.startsWith(file.toString()) ? why : file + ": " + why);
        }
        if (password.isEmpty()) {
            throw t.error(key, file + " is empty: its first line is the password (leave " + key.name()
                    + " out when the database needs none)");
        }
        return password;
    }
}
