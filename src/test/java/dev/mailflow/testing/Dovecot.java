package dev.mailflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the tests' private Dovecot instances share: the settings of a test instance, its log, a command. */
public final class Dovecot {

    private Dovecot() {
    }

    /**
     * The lines every test instance starts with: {@code protocols}, then everything in
     * {@code base} (sockets, state, log), no TLS, plain passwords, Debian's service users.
     */
    public static String settings(Path base, String protocols) {
        return """
                protocols = %2$s
                listen = 127.0.0.1
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = %1$s/dovecot.log
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain
                default_internal_user = dovecot
                default_internal_group = dovecot
                default_login_user = dovenull
                """.formatted(base, protocols);
    }

    public static String log(Path base) throws Exception {
        Path log = base.resolve("dovecot.log");
        return Files.exists(log) ? Files.readString(log) : "(no dovecot log)";
    }

    public static void run(List<String> command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
