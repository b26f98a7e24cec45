package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The macro examples of RFC 7208 7.4, and the syntax rules of 7.1. */
class MacroStringTest {

    private static MacroValues values(String ip) throws Exception {
        return new MacroValues(InetAddress.getByName(ip), "strong-bad@email.example.com", "strong-bad",
                "email.example.com", "email.example.com", "mx.example.org", "mx.example.net", 1_700_000_000L,
                d -> "mx.example.org");
    }

    private static String expand(String spec, String ip) throws Exception {
        return MacroString.explanation(spec).expand(values(ip));
    }

    @Test
    void rfc7208Section74Examples() throws Exception {
        String ip = "192.0.2.3";
        assertThat(expand("%{s}", ip)).isEqualTo("strong-bad@email.example.com");
        assertThat(expand("%{o}", ip)).isEqualTo("email.example.com");
        assertThat(expand("%{d}", ip)).isEqualTo("email.example.com");
        assertThat(expand("%{d4}", ip)).isEqualTo("email.example.com");
        assertThat(expand("%{d3}", ip)).isEqualTo("email.example.com");
        assertThat(expand("%{d2}", ip)).isEqualTo("example.com");
        assertThat(expand("%{d1}", ip)).isEqualTo("com");
        assertThat(expand("%{dr}", ip)).isEqualTo("com.example.email");
        assertThat(expand("%{d2r}", ip)).isEqualTo("example.email");
        assertThat(expand("%{l}", ip)).isEqualTo("strong-bad");
        assertThat(expand("%{l-}", ip)).isEqualTo("strong.bad");
        assertThat(expand("%{lr}", ip)).isEqualTo("strong-bad");
        assertThat(expand("%{lr-}", ip)).isEqualTo("bad.strong");
        assertThat(expand("%{l1r-}", ip)).isEqualTo("strong");
        assertThat(expand("%{ir}.%{v}._spf.%{d2}", ip)).isEqualTo("3.2.0.192.in-addr._spf.example.com");
        assertThat(expand("%{lr-}.lp._spf.%{d2}", ip)).isEqualTo("bad.strong.lp._spf.example.com");
        assertThat(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", ip))
                .isEqualTo("bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
        assertThat(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", ip))
                .isEqualTo("3.2.0.192.in-addr.strong.lp._spf.example.com");
        assertThat(expand("%{d2}.trusted-domains.example.net", ip)).isEqualTo("example.com.trusted-domains.example.net");
        // The RFC writes the nibbles in lower case; DNS does not care, and we write them as pyspf does.
        assertThat(expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01")).isEqualToIgnoringCase(
                "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    }

    @Test
    void otherLettersAndEscapes() throws Exception {
        assertThat(expand("%{c} %{h} %{r} %{t} %{p}", "2001:db8::cb01"))
                .isEqualTo("2001:db8::cb01 mx.example.org mx.example.net 1700000000 mx.example.org");
        assertThat(expand("100%% %_%-", "192.0.2.3")).isEqualTo("100%  %20");
        assertThat(expand("%{L}", "192.0.2.3")).isEqualTo("strong-bad");
        var v = new MacroValues(InetAddress.getByName("192.0.2.3"), "a b&c@x.test", "a b&c", "x.test", "x.test", "h",
                "r", 0, d -> "unknown");
        assertThat(MacroString.explanation("%{L}").expand(v)).isEqualTo("a%20b%26c");
        assertThat(MacroString.explanation("%{l}").expand(v)).isEqualTo("a b&c");
    }

    @Test
    void syntaxErrors() {
        assertThatThrownBy(() -> MacroString.domainSpec("%{x}.example.com")).isInstanceOf(SpfSyntaxException.class)
                .hasMessageContaining("%{x} is not a macro");
        assertThatThrownBy(() -> MacroString.domainSpec("%{r}.example.com")).hasMessageContaining("only in explanation");
        assertThatThrownBy(() -> MacroString.domainSpec("%{d0}.example.com")).hasMessageContaining("must not be 0");
        assertThatThrownBy(() -> MacroString.domainSpec("%{d2x}.example.com")).hasMessageContaining("not a delimiter");
        assertThatThrownBy(() -> MacroString.domainSpec("foo%")).hasMessageContaining("lone %");
        assertThatThrownBy(() -> MacroString.domainSpec("%{d")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> MacroString.domainSpec("example")).hasMessageContaining("is not a domain");
        assertThatThrownBy(() -> MacroString.domainSpec("a b.example")).hasMessageContaining("a space");
        assertThatThrownBy(() -> MacroString.domainSpec("")).hasMessage("a domain is missing");
    }

    @Test
    void domainEnds() throws Exception {
        MacroString.domainSpec("example.com");
        MacroString.domainSpec("example.com.");
        MacroString.domainSpec("_spf.%{d}");
        MacroString.domainSpec("%{d2}");
        MacroString.domainSpec("x.xn--zckzah");
        MacroString.domainSpec("foo:bar/baz.example.com");
        MacroString.unknownModifier("");
        MacroString.unknownModifier("%{r}");
        assertThatThrownBy(() -> MacroString.domainSpec("example.123")).isInstanceOf(SpfSyntaxException.class);
        assertThatThrownBy(() -> MacroString.domainSpec("example.-com")).isInstanceOf(SpfSyntaxException.class);
        assertThatThrownBy(() -> MacroString.domainSpec("example.com-")).isInstanceOf(SpfSyntaxException.class);
    }
}
