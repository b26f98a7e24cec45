package dev.mailflow.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DnsNamesTest {

    @Test
    void namesAreNormalized() {
        assertThat(DnsNames.normalize("Mail.Example.TEST.")).contains("mail.example.test");
        assertThat(DnsNames.normalize("bücher.example")).contains("xn--bcher-kva.example");
        assertThat(DnsNames.normalize("foo:bar/baz.example.com")).contains("foo:bar/baz.example.com");
    }

    @Test
    void namesThatCannotExist() {
        assertThat(DnsNames.isValid("a..b")).isFalse();
        assertThat(DnsNames.isValid(".")).isFalse();
        assertThat(DnsNames.isValid("")).isFalse();
        assertThat(DnsNames.isValid("x".repeat(63) + ".test")).isTrue();
        assertThat(DnsNames.isValid("x".repeat(64) + ".test")).isFalse();
        assertThat(DnsNames.isValid(("x".repeat(62) + ".").repeat(4) + "tes")).isFalse();
    }

    @Test
    void reverseNames() throws Exception {
        assertThat(DnsNames.reverseName(InetAddress.getByName("192.0.2.1"))).isEqualTo("1.2.0.192.in-addr.arpa");
        assertThat(DnsNames.reverseName(InetAddress.getByName("2001:db8::cb01")))
                .isEqualTo("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    }
}
