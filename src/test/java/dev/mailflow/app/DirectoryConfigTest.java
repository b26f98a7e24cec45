package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [directory]}: the file by default, PostgreSQL when asked, clear errors. */
class DirectoryConfigTest {

    @TempDir
    Path dir;

    private MailflowConfig load(String table) throws Exception {
        return ConfigLoader.loadString("hostname = \"mx.example.test\"\ndata_dir = \"" + dir.resolve("data")
                + "\"\n[directory]\n" + table, "m.toml", dir);
    }

    @Test
    void theFileByDefaultPostgresqlWhenAsked() throws Exception {
        assertThat(load("").server().directory().fromConfigFile()).isTrue();
        Files.writeString(dir.resolve("db.password"), "s3cret\n");
        var d = load("provider = \"postgresql\"\nurl = \"jdbc:postgresql://127.0.0.1:1/mail\"\nuser = \"mf\"\n"
                + "password_file = \"db.password\"\n").server().directory();
        assertThat(d.fromConfigFile()).isFalse();
        assertThat(d.describe()).isEqualTo("PostgreSQL at jdbc:postgresql://127.0.0.1:1/mail");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> load("provider = \"postgresql\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs url = \"jdbc:postgresql://HOST:PORT/DATABASE\"");
        assertThatThrownBy(() -> load("provider = \"postgresql\"\nurl = \"jdbc:mysql://x/y\"\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> load("provider = \"ldap\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("\"ldap\" is not available in this version");
        assertThatThrownBy(() -> load("url = \"jdbc:postgresql://x/y\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is used only with provider = \"postgresql\"");
        assertThatThrownBy(() -> load("provider = \"postgresql\"\nurl = \"jdbc:postgresql://x/y\"\n"
                + "password_file = \"nope\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("password_file").hasMessageContaining("nope");
    }
}
