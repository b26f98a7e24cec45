package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [delivery] local} and {@code lmtp}: Maildir by default, LMTP when asked, clear errors. */
class LmtpConfigTest {

    @TempDir
    Path dir;

    private MailflowConfig load(String delivery) throws Exception {
        return ConfigLoader.loadString("hostname = \"mx.example.test\"\ndata_dir = \"" + dir.resolve("data")
                + "\"\n[delivery]\n" + delivery, "m.toml", dir);
    }

    @Test
    void maildirByDefaultLmtpWhenAsked() throws Exception {
        assertThat(load("").delivery().lmtp()).isNull();
        assertThat(load("local = \"lmtp\"\nlmtp = \"unix:/run/dovecot/lmtp\"\n").delivery().lmtp())
                .hasToString("unix:/run/dovecot/lmtp");
        assertThat(load("local = \"lmtp\"\nlmtp = \"127.0.0.1:24\"\n").delivery().lmtp().port()).isEqualTo(24);
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> load("local = \"lmtp\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("local = \"lmtp\" needs lmtp = \"unix:/run/dovecot/lmtp\" or \"127.0.0.1:24\"");
        assertThatThrownBy(() -> load("lmtp = \"127.0.0.1:24\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("lmtp is used only with local = \"lmtp\"");
        assertThatThrownBy(() -> load("local = \"dovecot\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be \"maildir\" or \"lmtp\"");
        assertThatThrownBy(() -> load("local = \"lmtp\"\nlmtp = \"dovecot\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is neither unix:/path/to/socket nor host:port");
    }
}
