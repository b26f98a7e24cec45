package dev.mailflow;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version from the build (mailflow-version.properties). */
public final class MailflowVersion {

    private MailflowVersion() {
    }

    public static String get() {
        try (InputStream in = MailflowVersion.class.getResourceAsStream("/mailflow-version.properties")) {
            var p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
