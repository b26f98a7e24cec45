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
                    + busy.getLocalPort() + " is already in use by another program");
        }
    }

    @Test
    void malformedTargetsAndPortsAreUsageErrors() {
        var probe = run("probe", "127.0.0.1:99999");
        assertThat(probe.code()).isEqualTo(2);
        assertThat(probe.err().strip())
                .isEqualTo("mailflow: 127.0.0.1:99999: the port must be a number from 1 to 65535, not \"99999\"");
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
    void passwdPrintsABcryptHashThatMatches() {
        var r = MainRunner.runWithInput("s3cret pass\n", "passwd");
        assertThat(r.code()).isZero();
        String hash = r.out().strip();
        assertThat(hash).startsWith("$2y$12$");
        assertThat(dev.mailflow.server.auth.Passwords.matches(hash, "s3cret pass")).isTrue();
        assertThat(dev.mailflow.server.auth.Passwords.matches(hash, "s3cret")).isFalse();
    }
}
