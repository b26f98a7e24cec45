package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without hostname in the config: the machine's fully qualified name, else mail.example.test, and serve says which. */
class DefaultHostnameTest {

    @TempDir
    Path dir;

    private static DefaultHostname.Choice choose(String... names) {
        return DefaultHostname.choose(() -> Arrays.asList(names));
    }

    @Test
    void theFirstFullyQualifiedNameOfTheMachine() {
        var c = choose("vm", "MX1.Example.COM.", "other.example.net");
        assertThat(c.name()).isEqualTo("mx1.example.com");
        assertThat(c.reason()).isEqualTo("this machine's name; set hostname in the config to choose another");
    }

    @Test
    void namesThatAreNotAFullyQualifiedDomainAreSkipped() {
        for (String bad : new String[] {"vm", "localhost", "localhost.localdomain", "vm.localdomain", "a.localhost",
            "127.0.0.1", "::1", "bad_name.example", "-x.example.com", "", null}) {
            assertThat(choose(bad).name()).as(String.valueOf(bad)).isEqualTo("mail.example.test");
        }
        var none = choose();
        assertThat(none.name()).isEqualTo(DefaultHostname.FALLBACK);
        assertThat(none.reason()).isEqualTo("this machine has no fully qualified name; set hostname in the config");
    }

    @Test
    void serveAndCheckSayWhichNameAndWhy() throws Exception {
        var expected = DefaultHostname.forThisMachine();
        Path config = Files.writeString(dir.resolve("mailflow.toml"), """
                data_dir = "data"
                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"
                [web]
                enabled = false
                """);
        String line = "hostname " + expected.name() + " (" + expected.reason() + ")";
        try (var server = ServerProcess.start(config)) {
            assertThat(server.output()).contains("\n  " + line + "\n");
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
        var check = MainRunner.run("check", "--config", config.toString());
        assertThat(check.out()).contains("  hostname: " + expected.name() + " (" + expected.reason() + ")\n");

        Path named = Files.writeString(dir.resolve("named.toml"), "hostname = \"mx.example.test\"\n");
        assertThat(MainRunner.run("check", "--config", named.toString()).out()).contains("  hostname: mx.example.test\n");
    }
}
