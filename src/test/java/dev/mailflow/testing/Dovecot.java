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

    /**
     * Logs in over IMAP with Python's imaplib, selects INBOX and fetches message {@code n}:
     * "messages: COUNT" and the message as Dovecot stores it.
     */
    public static String imapFetch(Path python, Path tmp, int port, String user, String password, int n)
            throws Exception {
        Path script = tmp.resolve("imap-fetch.py");
        Files.writeString(script, """
                import imaplib, sys
                m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
                m.login(sys.argv[2], sys.argv[3])
                typ, data = m.select("INBOX")
                assert typ == "OK", data
                print("messages:", data[0].decode())
                typ, data = m.fetch(sys.argv[4], "(RFC822)")
                sys.stdout.write(data[0][1].decode())
                m.logout()
                """);
        var p = new ProcessBuilder(python.toString(), script.toString(), String.valueOf(port), user, password,
                String.valueOf(n)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("IMAP fetch failed: " + out);
        }
        return out;
    }

    /** {@code doveadm pw}'s hash of {@code password} in {@code scheme}, with its {SCHEME} prefix. */
    public static String passwordHash(Path base, String scheme, String password) throws Exception {
        var p = new ProcessBuilder(ExternalTool.require("doveadm").toString(), "-c", base.resolve("dovecot.conf").toString(), "pw", "-s", scheme,
                "-p", password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("doveadm pw failed: " + out);
        }
        return out;
    }

    /** Starts {@code dovecot -F} on {@code base}/dovecot.conf and waits for the socket it makes. */
    public static Process start(Path dovecot, Path base, Path socket) throws Exception {
        var dv = new ProcessBuilder(dovecot.toString(), "-F", "-c", base.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        base.resolve("stdout.log").toFile())).start();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (!Files.exists(socket)) {
            if (!dv.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("dovecot did not make " + socket + ": " + Files.readString(
                        base.resolve("stdout.log")) + log(base));
            }
            Thread.sleep(50);
        }
        return dv;
    }

    public static void run(List<String> command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
