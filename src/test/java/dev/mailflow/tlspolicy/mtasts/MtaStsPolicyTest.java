package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8461 3.2 (the policy body) and 4.1 (MX matching). */
class MtaStsPolicyTest {

    private static final String RFC_EXAMPLE = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
            + "mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    private static MtaStsPolicy valid(String text) {
        var parsed = MtaStsPolicy.parse(text);
        assertThat(parsed).isInstanceOf(MtaStsPolicy.Valid.class);
        return ((MtaStsPolicy.Valid) parsed).policy();
    }

    private static String invalid(String text) {
        var parsed = MtaStsPolicy.parse(text);
        assertThat(parsed).isInstanceOf(MtaStsPolicy.Invalid.class);
        return ((MtaStsPolicy.Invalid) parsed).reason();
    }

    @Test
    void theRfcExample() {
        var p = valid(RFC_EXAMPLE);
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(p.maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(p.text()).isEqualTo(RFC_EXAMPLE);
        assertThat(p.warnings()).isEmpty();
        assertThat(p.lines()).containsExactly("version: STSv1", "mode: enforce", "mx: mail.example.com",
                "mx: *.example.net", "mx: backupmx.example.com", "max_age: 604800");
    }

    @Test
    void lfLineEndsTrailingSpaceAndUnknownFieldsAreFine() {
        var p = valid("version: STSv1\nmode:testing  \nmx: mx.example.com\nfuture_field: something new\nmax_age: 86400");
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(p.mx()).containsExactly("mx.example.com");
    }

    @Test
    void modeNoneNeedsNoMx() {
        assertThat(valid("version: STSv1\nmode: none\nmax_age: 86400\n").mode()).isEqualTo(MtaStsPolicy.Mode.NONE);
    }

    @Test
    void aMaxAgeAboveAYearIsCappedWithAWarning() {
        var p = valid("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 99999999\n");
        assertThat(p.maxAge()).isEqualTo(MtaStsPolicy.MAX_AGE_LIMIT);
        assertThat(p.warnings()).containsExactly(
                "max_age 99999999 is above the RFC 8461 maximum of 31557600 seconds; taken as that maximum");
    }

    @Test
    void eachKindOfMistakeHasItsReason() {
        assertThat(invalid("")).isEqualTo("the policy is empty");
        assertThat(invalid("mode: enforce\nmx: a.example\nmax_age: 1\n"))
                .isEqualTo("the policy has no version field (version: STSv1)");
        assertThat(invalid("version: STSv2\nmode: enforce\n")).isEqualTo("line 1: version \"STSv2\" is not STSv1");
        assertThat(invalid("version: STSv1\nmx: a.example\nmax_age: 1\n")).isEqualTo("the policy has no mode field");
        assertThat(invalid("version: STSv1\nmode: Enforce\n"))
                .isEqualTo("line 2: mode \"Enforce\" is not enforce, testing or none");
        assertThat(invalid("version: STSv1\nmode: enforce\nmx: a.example\n")).isEqualTo("the policy has no max_age field");
        assertThat(invalid("version: STSv1\nmode: enforce\nmax_age: 1w\n"))
                .isEqualTo("line 3: max_age \"1w\" is not a number of seconds (at most 10 digits)");
        assertThat(invalid("version: STSv1\nmode: enforce\nmax_age: 12345678901\n"))
                .isEqualTo("line 3: max_age \"12345678901\" is not a number of seconds (at most 10 digits)");
        assertThat(invalid("version: STSv1\nmode: enforce\nmax_age: 86400\n"))
                .isEqualTo("the policy has no mx field (needed unless mode is none)");
        assertThat(invalid("version: STSv1\nmode: enforce\nmx: m*.example.com\nmax_age: 1\n"))
                .isEqualTo("line 3: mx \"m*.example.com\" is not a host name or *.domain pattern");
        assertThat(invalid("version: STSv1\nmode: enforce\nmode: testing\n")).isEqualTo("line 3: a second mode field");
        assertThat(invalid("<html><body>Not here</body></html>"))
                .isEqualTo("line 1 is not \"name: value\": <html><body>Not here</body></html>");
        assertThat(invalid("version: STSv1\n\u0001bad: x\n")).isEqualTo("line 2: \"\\x01bad\" is not a field name");
    }

    @Test
    void mxMatchingFollowsTheWildcardRule() {
        var p = valid("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 1\n");
        assertThat(p.matches("mail.example.com")).isTrue();
        assertThat(p.matches("MAIL.example.com.")).isTrue();
        assertThat(p.matches("mx1.example.net")).isTrue();
        assertThat(p.matches("a.b.example.net")).isFalse();
        assertThat(p.matches("example.net")).isFalse();
        assertThat(p.matches("other.example.com")).isFalse();
    }

    @Test
    void aPublishedPolicyParsesBackToItself() {
        String text = MtaStsPolicy.format(MtaStsPolicy.Mode.TESTING, List.of("mx.example.test", "*.example.test"),
                Duration.ofDays(7));
        assertThat(text).isEqualTo("version: STSv1\r\nmode: testing\r\nmx: mx.example.test\r\nmx: *.example.test\r\n"
                + "max_age: 604800\r\n");
        var p = valid(text);
        assertThat(p.mx()).containsExactly("mx.example.test", "*.example.test");
    }
}
