package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The forms a probe target takes, and the sentences for the ones it cannot take. */
class ProbeTargetTest {

    @Test
    void domainsHostsAndAddresses() {
        assertThat(ProbeTarget.parse("fabrikam.com", null)).isEqualTo(new ProbeTarget("fabrikam.com", 25, false));
        assertThat(ProbeTarget.parse("fabrikam.com", 587)).isEqualTo(new ProbeTarget("fabrikam.com", 587, false));
        assertThat(ProbeTarget.parse("mail1.fabrikam.com:2525", null))
                .isEqualTo(new ProbeTarget("mail1.fabrikam.com", 2525, true));
        assertThat(ProbeTarget.parse("127.0.0.1", null)).isEqualTo(new ProbeTarget("127.0.0.1", 25, true));
        assertThat(ProbeTarget.parse("127.0.0.1:2525", 25)).isEqualTo(new ProbeTarget("127.0.0.1", 2525, true));
        assertThat(ProbeTarget.parse("::1", null)).isEqualTo(new ProbeTarget("::1", 25, true));
        assertThat(ProbeTarget.parse("[::1]:2525", null)).isEqualTo(new ProbeTarget("::1", 2525, true));
        assertThat(ProbeTarget.parse(" [::1] ", 2525)).isEqualTo(new ProbeTarget("::1", 2525, true));
        assertThat(ProbeTarget.parse("bücher.example", null).host()).isEqualTo("bücher.example");
    }

    @Test
    void malformedTargetsSayWhy() {
        assertThatThrownBy(() -> ProbeTarget.parse("127.0.0.1:99999", null))
                .hasMessage("127.0.0.1:99999: the port must be a number from 1 to 65535, not \"99999\"");
        assertThatThrownBy(() -> ProbeTarget.parse("127.0.0.1:abc", null)).hasMessageContaining("not \"abc\"");
        assertThatThrownBy(() -> ProbeTarget.parse("127.0.0.1", 0)).hasMessageContaining("from 1 to 65535");
        assertThatThrownBy(() -> ProbeTarget.parse("[::1:25", null)).hasMessageContaining("no closing ']'");
        assertThatThrownBy(() -> ProbeTarget.parse("[::1]25", null)).hasMessageContaining("only \":port\"");
        assertThatThrownBy(() -> ProbeTarget.parse("[mail.example]", null)).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> ProbeTarget.parse("fe80::1:25:x", null)).hasMessageContaining("[::1]:25");
        assertThatThrownBy(() -> ProbeTarget.parse("exa mple..com", null))
                .hasMessageContaining("is not a domain, host name or IP address");
        assertThatThrownBy(() -> ProbeTarget.parse("  ", null)).hasMessageContaining("a target is needed");
    }
}
