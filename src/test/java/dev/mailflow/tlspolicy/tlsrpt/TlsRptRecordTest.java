package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.TxtRecord;
import dev.mailflow.dns.Zone;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsRptRecordTest {

    private static TlsRptRecord valid(String text) {
        var parsed = TlsRptRecord.parse(text);
        assertThat(parsed).as(text).isInstanceOf(TlsRptRecord.Valid.class);
        return ((TlsRptRecord.Valid) parsed).record();
    }

    private static String invalid(String text) {
        var parsed = TlsRptRecord.parse(text);
        assertThat(parsed).as(text).isInstanceOf(TlsRptRecord.Invalid.class);
        return ((TlsRptRecord.Invalid) parsed).reason();
    }

    @Test
    void theRfcExamplesParse() {
        // RFC 8460 3.1's two examples
        var mail = valid("v=TLSRPTv1;rua=mailto:reports@example.com");
        assertThat(mail.destinations()).containsExactly(new ReportDestination.Mailto(
                java.net.URI.create("mailto:reports@example.com"), "reports@example.com"));
        var https = valid("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt");
        assertThat(https.destinations()).singleElement().isInstanceOf(ReportDestination.Https.class)
                .extracting(ReportDestination::uri).hasToString("https://reporting.example.com/v1/tlsrpt");
    }

    @Test
    void severalUrisInOrderWithSpacesAndAFinalSemicolon() {
        var r = valid("v=TLSRPTv1 ;  rua=mailto:a@example.com , https://r.example.net/x?y=1 ,mailto:b@example.org ;");
        assertThat(r.destinations()).extracting(d -> d.uri().toString())
                .containsExactly("mailto:a@example.com", "https://r.example.net/x?y=1", "mailto:b@example.org");
        assertThat(r.ignored()).isEmpty();
    }

    @Test
    void theMailtoAddressIsPercentDecodedAndItsHeaderFieldsDropped() {
        var r = valid("v=TLSRPTv1; rua=mailto:tls%2Breports@example.com?subject=TLS%20report");
        assertThat(((ReportDestination.Mailto) r.destinations().get(0)).address()).isEqualTo("tls+reports@example.com");
        var encoded = valid("v=TLSRPTv1; rua=mailto:tls%2dreports%40example.com");
        assertThat(((ReportDestination.Mailto) encoded.destinations().get(0)).address())
                .isEqualTo("tls-reports@example.com");
    }

    @Test
    void unknownFieldsAreIgnoredAndSeveralRuaFieldsAddUp() {
        var r = valid("v=TLSRPTv1; ext.1=value; rua=mailto:a@example.com; rua=https://b.example.com/; x_y-z=1");
        assertThat(r.destinations()).hasSize(2);
    }

    @Test
    void unusableUrisAreSetAsideWithAReasonWhileTheRestAreUsed() {
        var r = valid("v=TLSRPTv1; rua=http://plain.example.com/,mailto:a!b@example.com,ftp://x.example/,"
                + "mailto:not-an-address,https://user@h.example/,mailto:a@example.com");
        assertThat(r.destinations()).extracting(d -> d.uri().toString()).containsExactly("mailto:a@example.com");
        assertThat(r.ignored()).hasSize(5);
        assertThat(r.ignored().get(0)).contains("scheme http: is not mailto: or https:");
        assertThat(r.ignored().get(1)).contains("\"!\" must be percent-encoded");
        assertThat(r.ignored().get(3)).contains("is not an email address");
        assertThat(r.ignored().get(4)).contains("user information");
    }

    @Test
    void noUsableUriMakesTheRecordInvalid() {
        assertThat(invalid("v=TLSRPTv1; rua=http://plain.example.com/")).startsWith("the rua field has no usable URI")
                .contains("http:");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:%ZZ@example.com")).contains("is not a valid URI");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:r%C3%A9@example.com")).contains("not an ASCII address");
    }

    @Test
    void malformedRecordsSayWhy() {
        assertThat(invalid("v=TLSRPTv1")).isEqualTo("the record has no rua field");
        assertThat(invalid("v=TLSRPTv1;")).isEqualTo("the record has no rua field");
        assertThat(invalid("v=TLSRPTv1; ext=1")).isEqualTo("the record has no rua field");
        assertThat(invalid("v=TLSRPTv2; rua=mailto:a@example.com")).contains("does not begin with v=TLSRPTv1");
        assertThat(invalid("v=TLSRPTv10; rua=mailto:a@example.com")).contains("the version is not v=TLSRPTv1");
        assertThat(invalid("v=tlsrptv1; rua=mailto:a@example.com")).contains("does not begin with v=TLSRPTv1");
        assertThat(invalid("rua=mailto:a@example.com; v=TLSRPTv1")).contains("does not begin with");
        assertThat(invalid("v=TLSRPTv1;; rua=mailto:a@example.com")).contains("empty field");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:a@example.com,")).contains("stray comma");
        assertThat(invalid("v=TLSRPTv1; rua")).contains("is not name=value");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:a@example.com; x=a b")).contains("value that RFC 8460 3 does not allow");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:a@example.com; x=a=b")).contains("does not allow");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:a@example.com; _x=1")).contains("field name \"_x\" is not valid");
        assertThat(invalid("v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv1")).contains("second version");
        // The field names are case-sensitive (%s in the ABNF): RUA is an unknown extension.
        assertThat(invalid("v=TLSRPTv1; RUA=mailto:a@example.com")).isEqualTo("the record has no rua field");
    }

    @Test
    void badInputNeverThrows() {
        for (String s : List.of("", ";", "v=", "v=TLSRPTv1;\u0000", "v=TLSRPTv1; rua=mailto:", "v=TLSRPTv1; rua=:",
                "v=TLSRPTv1; rua=https://", "v=TLSRPTv1; rua=https:///x", "v=TLSRPTv1; rua=mailto:%",
                "v=TLSRPTv1; rua=https://[::1/", "v=TLSRPTv1; =x", "v=TLSRPTv1; rua=\u00e9")) {
            assertThat(TlsRptRecord.parse(s)).as(s).isInstanceOf(TlsRptRecord.Invalid.class);
        }
        assertThat(TlsRptRecord.quote("a\u0001b")).isEqualTo("\"a?b\"");
    }

    @Test
    void theRecordIsLookedUpUnderSmtpTlsAndTheStringsJoined() {
        var zone = Zone.builder()
                .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tls", "rpt@example.com")
                .build();
        var lookup = TlsRptRecord.lookup(zone, "example.com");
        assertThat(lookup).isInstanceOf(TlsRptLookup.Found.class);
        assertThat(lookup.describe()).isEqualTo("v=TLSRPTv1; rua=mailto:tlsrpt@example.com");
        assertThat(zone.queries()).containsExactly("_smtp._tls.example.com TXT");
        assertThat(TlsRptRecord.recordName("example.com.")).isEqualTo("_smtp._tls.example.com");
    }

    @Test
    void otherTxtRecordsAreDiscardedAndSeveralTlsRptRecordsMeanNone() {
        var one = TlsRptRecord.select("_smtp._tls.example.com", List.of(TxtRecord.of("v=spf1 -all"),
                TxtRecord.of("v=TLSRPTv1; rua=mailto:a@example.com"), TxtRecord.of("v=TLSRPTv10; rua=mailto:b@example.com")));
        assertThat(one).isInstanceOf(TlsRptLookup.Found.class);
        var two = TlsRptRecord.select("_smtp._tls.example.com", List.of(
                TxtRecord.of("v=TLSRPTv1; rua=mailto:a@example.com"), TxtRecord.of("v=TLSRPTv1;rua=mailto:b@example.com")));
        assertThat(two).isInstanceOf(TlsRptLookup.Invalid.class);
        assertThat(two.describe()).contains("has 2 records beginning with v=TLSRPTv1")
                .contains("does not implement TLS-RPT");
        var none = TlsRptRecord.select("_smtp._tls.example.com", List.of(TxtRecord.of("hello")));
        assertThat(none).isInstanceOf(TlsRptLookup.Absent.class);
        var bad = TlsRptRecord.select("_smtp._tls.example.com", List.of(TxtRecord.of("v=TLSRPTv1; rua=ftp://x/")));
        assertThat(bad).isInstanceOf(TlsRptLookup.Invalid.class);
        assertThat(bad.describe()).startsWith("_smtp._tls.example.com: the rua field has no usable URI");
    }

    @Test
    void dnsOutcomesMapToTheLookupCases() {
        var zone = Zone.builder().exists("example.com").servfail("_smtp._tls.broken.example").build();
        var absent = TlsRptRecord.lookup(zone, "example.com");
        assertThat(absent).isInstanceOf(TlsRptLookup.Absent.class);
        assertThat(absent.describe()).isEqualTo("_smtp._tls.example.com does not exist (NXDOMAIN)");
        assertThat(TlsRptRecord.lookup(zone, "broken.example")).isInstanceOf(TlsRptLookup.TempFail.class);
    }
}
