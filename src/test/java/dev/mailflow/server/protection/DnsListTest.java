package dev.mailflow.server.protection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The entries of dnsbl and dnswl: postscreen's syntax, and the query names of RFC 5782 2.1 and 2.4. */
class DnsListTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ipv4QueryNameIsTheReversedOctetsUnderTheZone() throws Exception {
        var list = DnsList.parse("zen.example-list.test", true);
        // RFC 5782 2.1: 192.168.42.23 is asked as 23.42.168.192.<zone>
        assertThat(list.queryName(ip("192.168.42.23"))).isEqualTo("23.42.168.192.zen.example-list.test");
        assertThat(list.queryName(ip("127.0.0.2"))).isEqualTo("2.0.0.127.zen.example-list.test");
    }

    @Test
    void ipv6QueryNameIsTheReversedNibbles() throws Exception {
        var list = DnsList.parse("bl6.example.test", true);
        // RFC 5782 2.4's example: 2001:db8:1:2:3:4:567:89ab
        assertThat(list.queryName(ip("2001:db8:1:2:3:4:567:89ab"))).isEqualTo(
                "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl6.example.test");
        assertThat(list.queryName(ip("::1"))).isEqualTo("1." + "0.".repeat(31) + "bl6.example.test");
    }

    @Test
    void plainZoneHasWeightOneAndTakesAnyListingCode() throws Exception {
        var list = DnsList.parse(" Zen.Example-List.Test. ", true);
        assertThat(list.zone()).isEqualTo("zen.example-list.test");
        assertThat(list.weight()).isEqualTo(1);
        assertThat(list.filter()).isNull();
        assertThat(list.counts(java.util.List.of(ip("127.0.0.2")))).isTrue();
        assertThat(list.counts(java.util.List.of())).isFalse();
    }

    @Test
    void weightsAndAnswerPatterns() throws Exception {
        var ranged = DnsList.parse("zen.example.test=127.0.0.[2..11]*3", true);
        assertThat(ranged.zone()).isEqualTo("zen.example.test");
        assertThat(ranged.weight()).isEqualTo(3);
        assertThat(ranged.counts(java.util.List.of(ip("127.0.0.2")))).isTrue();
        assertThat(ranged.counts(java.util.List.of(ip("127.0.0.11")))).isTrue();
        assertThat(ranged.counts(java.util.List.of(ip("127.0.0.12")))).isFalse();
        assertThat(ranged.counts(java.util.List.of(ip("127.0.1.2")))).isFalse();
        // any of several answers
        assertThat(ranged.counts(java.util.List.of(ip("127.0.0.20"), ip("127.0.0.4")))).isTrue();

        var set = DnsList.parse("bl.example.test=127.0.[0..255].[2;4;10..11]", true);
        assertThat(set.counts(java.util.List.of(ip("127.0.9.4")))).isTrue();
        assertThat(set.counts(java.util.List.of(ip("127.0.9.10")))).isTrue();
        assertThat(set.counts(java.util.List.of(ip("127.0.9.3")))).isFalse();

        var exact = DnsList.parse("bl.example.test=127.0.0.2", true);
        assertThat(exact.counts(java.util.List.of(ip("127.0.0.2")))).isTrue();
        assertThat(exact.counts(java.util.List.of(ip("127.0.0.3")))).isFalse();

        assertThat(DnsList.parse("swl.example.test=127.0.[0..255].[1..3]*-2", true).weight()).isEqualTo(-2);
        assertThat(DnsList.parse("wl.example.test=127.0.[0..255].[1..3]", false).filter()).isNotNull();
    }

    @Test
    void badEntriesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> DnsList.parse("wl.example.test*2", false))
                .hasMessageContaining("an allow list has no weight");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test*x", true))
                .hasMessageContaining("the weight after * must be a whole number");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test*0", true)).hasMessageContaining("weight of 0");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test=127.0.0", true))
                .hasMessageContaining("is not an answer pattern");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test=127.0.0.256", true))
                .hasMessageContaining("256 is not an octet");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test=127.0.0.[5..2]", true))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test=127.0.0.2..5", true))
                .hasMessageContaining("in brackets");
        assertThatThrownBy(() -> DnsList.parse("bl.example.test=127.0.0.[2", true))
                .hasMessageContaining("is not an answer pattern");
        assertThatThrownBy(() -> DnsList.parse("localhost", true)).hasMessageContaining("is not a DNS list zone");
        assertThatThrownBy(() -> DnsList.parse("bad zone.test", true)).hasMessageContaining("is not a DNS list zone");
        assertThatThrownBy(() -> DnsList.parse("", true)).hasMessageContaining("is not a DNS list zone");
    }

    @Test
    void listErrorsAndListingCodes() throws Exception {
        assertThat(DnsList.isListError(ip("127.255.255.254"))).isTrue();
        assertThat(DnsList.isListError(ip("127.255.255.0"))).isTrue();
        assertThat(DnsList.isListError(ip("127.255.254.1"))).isFalse();
        assertThat(DnsList.isListingCode(ip("127.0.0.2"))).isTrue();
        assertThat(DnsList.isListingCode(ip("192.0.2.1"))).isFalse();
    }
}
