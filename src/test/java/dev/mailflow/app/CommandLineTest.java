package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on its exit codes and messages (style.md, principle 10). */
class CommandLineTest {

    @TempDir
    Path dir;

    static MainRunner.Result run(String... args) {
        return MainRunner.run(args);
    }

    @Test
    void versionAndHelp() {
        var v = run("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).matches("mailflow \\d+\\.\\d+\\.\\d+.*\\R");
        var h = run("--help");
        assertThat(h.code()).isZero();
        assertThat(h.out()).contains("serve").contains("queue").contains("track").contains("passwd")
                .contains("Exit codes");
        var s = run("serve", "--help");
        assertThat(s.code()).isZero();
        assertThat(s.out()).contains("--config").contains("127.0.0.1:2525");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("serve", "--no-such-option").code()).isEqualTo(2);
        // In words, not picocli's "Unmatched argument at index 0".
        assertThat(run("frobnicate").err()).startsWith("mailflow: 'frobnicate' is not a command of mailflow (its "
                + "commands: serve, check, probe").contains("'mailflow --help' says more.");
        assertThat(run("serve", "--no-such-option").err())
                .startsWith("mailflow: no option '--no-such-option' for mailflow serve\n");
        var timeout = run("telnet", "127.0.0.1", "25", "--timeout", "0");
        assertThat(timeout.err()).startsWith("mailflow: --timeout must be at least 1 second\nUsage: mailflow telnet")
                .endsWith("'mailflow telnet --help' says more.\n");
        // A command's own checks of its options end the same way.
        for (String[] args : new String[][] {
                {"auth", "--ip", "not-an-address"},
                {"dkim", "keygen", "--domain", "example.test", "--selector", "s", "--bits", "512"},
                {"probe", "[bad"},
                {"passwd", "--web", "--dovecot"}}) {
            var r = run(args);
            String command = args[0].equals("dkim") ? "mailflow dkim keygen" : "mailflow " + args[0];
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("mailflow: ").contains("\nUsage: " + command + " ")
                    .endsWith("'" + command + " --help' says more.\n");
        }
    }

    @Test
    void badConfigIsOneLineAndExit2() throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, "[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:2525\"\nsize = 5\n");
        var r = run("serve", "--config", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("mailflow: " + f + ":4: receive_connector[1].size: unknown key; "
                + "see docs/configuration.md");
    }

    @Test
    void portInUseIsAConfigErrorNamingTheConnector() throws Exception {
        try (var busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path f = dir.resolve("busy.toml");
            Files.writeString(f, "data_dir = \"d\"\n[[receive_connector]]\nname = \"Busy\"\nbind = \"127.0.0.1:"
                    + busy.getLocalPort() + "\"\n[web]\nenabled = false\n");
            var r = run("serve", "--config", f.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("mailflow: " + f + ": receive_connector[1].bind (\"Busy\"): 127.0.0.1:"
                    + busy.getLocalPort() + " is already in use by another program (ss -ltnp 'sport = :"
                    + busy.getLocalPort() + "' shows which): stop it, or give the connector another bind");
        }
    }

    @Test
    void aBusyConsolePortIsAUsageErrorNamingWeb() throws Exception {
        try (var busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path f = dir.resolve("webbusy.toml");
            Files.writeString(f, "data_dir = \"d\"\n[[receive_connector]]\nname = \"Free\"\nbind = \"127.0.0.1:0\"\n"
                    + "[web]\nbind = \"127.0.0.1:" + busy.getLocalPort() + "\"\n");
            var r = run("serve", "--config", f.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().strip().lines().reduce((a, b) -> b).orElse("")).isEqualTo("mailflow: [web] bind 127.0.0.1:" + busy.getLocalPort()
                    + " is already in use by another program; set [web] bind to another address or port, or [web] "
                    + "enabled = false");
        }
    }

    @Test
    void malformedTargetsAndPortsAreUsageErrors() {
        var probe = run("probe", "127.0.0.1:99999");
        assertThat(probe.code()).isEqualTo(2);
        assertThat(probe.err())
                .startsWith("mailflow: 127.0.0.1:99999: the port must be a number from 1 to 65535, not \"99999\"\n"
                        + "Usage: mailflow probe ");
        assertThat(probe.out()).isEmpty();
        assertThat(run("probe", "--port", "0", "127.0.0.1").code()).isEqualTo(2);
        assertThat(run("probe", "[::1:25").err()).contains("no closing ']'");
        var telnet = run("telnet", "127.0.0.1", "70000");
        assertThat(telnet.code()).isEqualTo(2);
        assertThat(telnet.err()).contains("PORT must be a number from 1 to 65535, not 70000");
    }

    @Test
    void aDataDirectoryThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path cfg = Files.writeString(dir.resolve("m.toml"), "data_dir = \"" + file + "\"\n[web]\nenabled = false\n"
                + "[[receive_connector]]\nname = \"a\"\nbind = \"127.0.0.1:0\"\n");
        var r = run("serve", "-c", cfg.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).endsWith("mailflow: cannot use the data directory: " + file
                + ": it exists and is not a directory");
    }

    @Test
    void checkValidatesWithoutStarting() throws Exception {
        var defaults = run("check");
        assertThat(defaults.code()).isZero();
        assertThat(defaults.out()).startsWith("mailflow: (embedded defaults) is valid")
                .contains("Default Frontend: SMTP on 127.0.0.1:2525 (anonymous, STARTTLS), port")
                .contains("Client Submission: SMTP on 127.0.0.1:5870 (authenticated clients only, STARTTLS), port")
                .contains("accepted domains: localhost, example.test")
                .contains("mailboxes: kate@example.test, postmaster@example.test");
        try (var busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path f = Files.writeString(dir.resolve("m.toml"), "data_dir = \"" + dir.resolve("data") + "\"\n"
                    + "[web]\nenabled = false\n[[receive_connector]]\nname = \"Busy\"\nbind = \"127.0.0.1:"
                    + busy.getLocalPort() + "\"\n");
            var r = run("check", "-c", f.toString());
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Busy: SMTP on 127.0.0.1:" + busy.getLocalPort() + " (anonymous, STARTTLS), "
                    + "port in use").contains("(will be created)").doesNotContain("web console");
            assertThat(Files.exists(dir.resolve("data"))).as("check starts nothing and writes nothing").isFalse();
        }
        Path bad = Files.writeString(dir.resolve("bad.toml"), "hostnme = \"x\"\n");
        var r = run("check", "-c", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("hostnme: unknown key");
    }

    @Test
    void checkRefusesADataDirectoryThatIsAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path cfg = Files.writeString(dir.resolve("m.toml"), "data_dir = \"" + file + "\"\n");
        var r = run("check", "-c", cfg.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("data_dir " + file + " exists and is NOT a directory: serve would not start with it");
    }

    @Test
    void passwdPrintsABcryptHashThatMatches() {
        var r = MainRunner.runWithInput("s3cret pass\n", "passwd");
        assertThat(r.code()).isZero();
        String hash = r.out().strip();
        assertThat(hash).startsWith("$2y$12$");
        assertThat(dev.mailflow.server.auth.Passwords.matches(hash, "s3cret pass")).isTrue();
        assertThat(dev.mailflow.server.auth.Passwords.matches(hash, "s3cret")).isFalse();
    }

    @Test
    void passwdMakesDovecotsOtherSchemesWithTheirPrefixOnRequest() {
        var sha = MainRunner.runWithInput("s3cret\n", "passwd", "--scheme", "sha512-crypt");
        assertThat(sha.code()).isZero();
        assertThat(sha.out().strip()).startsWith("$6$rounds=5000$");
        assertThat(dev.mailflow.server.auth.Passwords.matches(sha.out().strip(), "s3cret")).isTrue();
        var argon = MainRunner.runWithInput("s3cret\n", "passwd", "--scheme", "argon2id", "--dovecot");
        assertThat(argon.code()).isZero();
        assertThat(argon.out().strip()).startsWith("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$");
        var bad = MainRunner.runWithInput("s3cret\n", "passwd", "--scheme", "md5");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--scheme is bcrypt, sha512-crypt or argon2id, not 'md5'");
        var web = MainRunner.runWithInput("s3cret\n", "passwd", "--web", "--scheme", "argon2id");
        assertThat(web.code()).isEqualTo(2);
        assertThat(web.err()).contains("always a bcrypt hash");
    }

    @Test
    void helpTextIsWrappedOnceByPicocliWithTelnetsPortOptional() {
        // Each description element is a whole paragraph (or an indented table line): a line
        // broken by hand in the source is broken again by picocli at its own width.
        var root = new picocli.CommandLine(new MailflowCommand());
        var commands = new java.util.ArrayList<picocli.CommandLine>();
        var todo = new java.util.ArrayDeque<picocli.CommandLine>(java.util.List.of(root));
        while (!todo.isEmpty()) {
            var c = todo.pop();
            commands.add(c);
            todo.addAll(c.getSubcommands().values());
        }
        for (var c : commands) {
            var spec = c.getCommandSpec();
            assertThat(spec.usageMessage().description()).as(spec.qualifiedName()).allSatisfy(t ->
                    assertThat(t.isEmpty() || t.startsWith("  ") || t.matches("(?s).*[.:?)]"))
                            .as("'" + t + "' is a whole paragraph").isTrue());
            assertThat(spec.args()).as(spec.qualifiedName() + ": one description element per option")
                    .allSatisfy(a -> assertThat(a.description().length).isLessThanOrEqualTo(1));
        }
        var telnet = run("telnet", "--help");
        assertThat(telnet.out()).contains("Usage: mailflow telnet [-hV] [--lang=LANG] [--timeout=SECONDS] HOST [PORT]")
                .containsPattern("\\[PORT]\\s+its SMTP port \\(default: 25\\)")
                .contains("line editing, history, /starttls\nand /log FILE.");
    }

    @Test
    void valuesThatAreNotWhatTheyShouldBeAreSaidInWords() {
        var show = run("queue", "show", "abc");
        assertThat(show.code()).isEqualTo(2);
        assertThat(show.err()).startsWith("mailflow: abc is not a queue id (ids are the numbers that queue list "
                + "shows)\n").doesNotContain("long").doesNotContain("positional");
        var port = run("telnet", "127.0.0.1", "abc");
        assertThat(port.code()).isEqualTo(2);
        assertThat(port.err()).startsWith("mailflow: PORT: 'abc' is not a whole number\n");
        var timeout = run("probe", "--timeout", "soon", "127.0.0.1");
        assertThat(timeout.code()).isEqualTo(2);
        assertThat(timeout.err()).startsWith("mailflow: --timeout: 'soon' is not a whole number\n");
        var state = run("queue", "list", "--state", "bogus");
        assertThat(state.code()).isEqualTo(2);
        assertThat(state.err()).startsWith("mailflow: --state: 'bogus' is not a queue state: use active, deferred, "
                + "hold or corrupt\n");
        var id = run("track", "--id", "12ab");
        assertThat(id.code()).isEqualTo(2);
        assertThat(id.err()).startsWith("mailflow: 12ab is not a queue id");
        var since = run("track", "--since", "99999999999999999999d");
        assertThat(since.err()).doesNotContain("For input string");
    }

    @Test
    void commandsThatReadTheDataDirectoryNeverCreateIt() throws Exception {
        Path cfg = Files.writeString(dir.resolve("empty.toml"), "");
        Path data = dir.resolve("data");
        String expected = "mailflow: no Mailflow data directory at " + data
                + " (start 'mailflow serve' first, or give --config)";
        for (String[] args : new String[][] {{"queue", "list"}, {"queue", "show", "1"}, {"queue", "release", "1"},
                {"queue", "retry", "--all"}, {"track", "--sender", "a@b.test"}}) {
            var withConfig = new java.util.ArrayList<>(java.util.List.of(args));
            withConfig.addAll(java.util.List.of("--config", cfg.toString()));
            var r = run(withConfig.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).as(String.join(" ", args)).isEqualTo(expected);
            assertThat(Files.exists(data)).as(String.join(" ", args) + " created nothing").isFalse();
        }
        var passwd = MainRunner.runWithInput("secret\n", "passwd", "--web", "--config", cfg.toString());
        assertThat(passwd.code()).isEqualTo(2);
        assertThat(passwd.err().strip()).isEqualTo(expected);
        assertThat(Files.exists(data)).isFalse();
    }
}
