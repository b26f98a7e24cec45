package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [directory]}: the file by default, PostgreSQL or LDAP when asked, clear errors. */
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
        assertThatThrownBy(() -> load("provider = \"mysql\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be \"config\", \"postgresql\" or \"ldap\"");
        assertThatThrownBy(() -> load("url = \"jdbc:postgresql://x/y\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is used only with provider = \"postgresql\"");
        assertThatThrownBy(() -> load("provider = \"postgresql\"\nurl = \"jdbc:postgresql://x/y\"\n"
                + "password_file = \"nope\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("password_file").hasMessageContaining("nope");
        try {
            Files.writeString(dir.resolve("empty.password"), "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> load("provider = \"postgresql\"\nurl = \"jdbc:postgresql://x/y\"\n"
                + "password_file = \"empty.password\"\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("empty.password is empty: its first line is the password");
    }

    private static final String LDAP = "provider = \"ldap\"\nurl = \"ldap://127.0.0.1:1\"\n"
            + "search_base = \"ou=people,dc=example,dc=test\"\n";

    @Test
    void ldapWithItsKeys() throws Exception {
        Files.writeString(dir.resolve("bind.password"), "b1nd\n");
        var cfg = load(LDAP.replace("ldap://127.0.0.1:1", "ldap://127.0.0.1:1 ldaps://127.0.0.1:2, ldap://[::1]:3")
                + "start_tls = true\nbind_dn = \"uid=mailflow,ou=people,dc=example,dc=test\"\n"
                + "bind_password_file = \"bind.password\"\ndomain_filter = \"(associatedDomain=%s)\"\n"
                + "forward_attribute = \"\"\ncache_ttl = \"10s\"\n");
        var d = cfg.server().directory();
        assertThat(d.fromConfigFile()).isFalse();
        assertThat(d.checksPasswords()).isTrue();
        assertThat(d.describe()).isEqualTo("LDAP at ldap://127.0.0.1:1, ldaps://127.0.0.1:2, ldap://[::1]:3 (StartTLS)");
        var s = cfg.part(DirectorySection.SECTION);
        assertThat(s.ldap().bindPassword()).isEqualTo("b1nd");
        assertThat(s.ldap().search().forwardAttribute()).as("\"\" turns forwarding off").isNull();
        assertThat(s.ldap().search().queryFilter()).isEqualTo(
                "(&(objectClass=inetOrgPerson)(|(mail=%s)(mailAlternateAddress=%s)))");
        assertThat(s.ldap().search().domainBase()).isEqualTo("ou=people,dc=example,dc=test");
        assertThat(s.toString() + s.ldap()).doesNotContain("b1nd");
        // The file's domains are the accepted domains when there is no domain_filter.
        var withDomains = ConfigLoader.loadString("hostname = \"mx.example.test\"\ndata_dir = \"" + dir.resolve("data")
                + "\"\n[[receive_connector]]\nname = \"in\"\nbind = \"127.0.0.1:2525\"\n"
                + "[[accepted_domain]]\nname = \"db.test\"\n[directory]\n" + LDAP, "m.toml", dir);
        assertThat(withDomains.server().directory().isAcceptedDomain("db.test")).isTrue();
    }

    @Test
    void plainLdapBeyondLoopbackIsWarned() throws Exception {
        assertThat(ConfigWarnings.of(load(LDAP.replace("127.0.0.1:1", "192.0.2.1:389")))).anyMatch(w -> w.equals(
                "directory: ldap://192.0.2.1:389 is plain LDAP: the bind password and every AUTH password go to it in "
                        + "clear text; use ldaps:// or start_tls = true"));
        assertThat(ConfigWarnings.of(load(LDAP))).noneMatch(w -> w.contains("clear text"));
        assertThat(ConfigWarnings.of(load(LDAP.replace("127.0.0.1:1", "192.0.2.1:389") + "start_tls = true\n")))
                .noneMatch(w -> w.contains("clear text"));
    }

    @Test
    void ldapMistakesAreNamed() {
        assertThatThrownBy(() -> ConfigLoader.loadString("hostname = \"mx.example.test\"\ndata_dir = \""
                + dir.resolve("data") + "\"\n[[receive_connector]]\nname = \"in\"\nbind = \"127.0.0.1:2525\"\n"
                + "[directory]\n" + LDAP, "m.toml", dir)).hasMessageContaining("needs its accepted domains");
        assertThatThrownBy(() -> load("provider = \"ldap\"\n")).hasMessageContaining(
                "provider = \"ldap\" needs url = \"ldap://HOST:PORT\"");
        assertThatThrownBy(() -> load("provider = \"ldap\"\nurl = \"ldap://127.0.0.1\"\n"))
                .hasMessageContaining("needs search_base");
        assertThatThrownBy(() -> load(LDAP.replace("ldap://127.0.0.1:1", "http://x"))).hasMessageContaining(
                "\"http://x\" is not an LDAP URL");
        assertThatThrownBy(() -> load(LDAP.replace("ldap://127.0.0.1:1", "ldap://127.0.0.1:1/dc=x")))
                .hasMessageContaining("only the scheme, host and port belong in url");
        assertThatThrownBy(() -> load(LDAP.replace("ldap://127.0.0.1:1", "ldaps://127.0.0.1:1") + "start_tls = true\n"))
                .hasMessageContaining("start_tls").hasMessageContaining("ldaps:// is TLS from the start");
        assertThatThrownBy(() -> load(LDAP.replace("ou=people", "ou people"))).hasMessageContaining("is not a DN");
        assertThatThrownBy(() -> load(LDAP + "query_filter = \"(mail=%s\"\n")).hasMessageContaining(
                "query_filter").hasMessageContaining("is not an LDAP filter");
        assertThatThrownBy(() -> load(LDAP + "query_filter = \"(mail=%x)\"\n")).hasMessageContaining("%x");
        assertThatThrownBy(() -> load(LDAP + "bind_dn = \"uid=x,dc=test\"\n")).hasMessageContaining(
                "needs bind_password_file");
        assertThatThrownBy(() -> load(LDAP + "bind_password_file = \"nope\"\n")).hasMessageContaining(
                "bind_dn, which is not set");
        assertThatThrownBy(() -> load(LDAP + "scope = \"tree\"\n")).hasMessageContaining("\"sub\", \"one\" or \"base\"");
        assertThatThrownBy(() -> load(LDAP + "result_attribute = \"mail)(x\"\n")).hasMessageContaining(
                "is not an attribute name");
        assertThatThrownBy(() -> load(LDAP + "ca_file = \"missing.pem\"\n")).hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> load(LDAP + "user = \"x\"\n")).hasMessageContaining(
                "is used only with provider = \"postgresql\"");
        assertThatThrownBy(() -> load("search_base = \"dc=x\"\n")).hasMessageContaining(
                "is used only with provider = \"ldap\"");
        assertThatThrownBy(() -> load("provider = \"postgresql\"\nurl = \"jdbc:postgresql://x/y\"\nstart_tls = true\n"))
                .hasMessageContaining("is used only with provider = \"ldap\"");
    }
}
