package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The version check of RFC 7208 4.5 ("v=spf1" in any ASCII case, alone or before a space) and
 * the records kept parsed by text.
 */
class SpfVersionAndParseCacheTest {

    /** 4.5 as a regular expression, ASCII case folding only: what the check answers to. */
    private static final Pattern VERSION = Pattern.compile("(?i)v=spf1(?: .*)?", Pattern.DOTALL);

    @Test
    void theVersionCheckAgreesWithTheRfcsPatternOnEveryCase() {
        List<String> texts = List.of("v=spf1", "v=spf1 -all", "V=SPF1 -all", "v=Spf1", "v=spf1  a", "v=spf1\t-all",
                "v=spf10", "v=spf1-all", "v=spf", "", "v=spf2.0/pra", " v=spf1", "spf1", "v = spf1",
                "v=\u017fpf1 -all", "\u0056=spf1", "v=spf1 \r\n", "v=sPF1 ?all", "v=spf\u0131");
        for (String t : texts) {
            assertThat(SpfRecord.isSpf1(t)).as("\"%s\"", t).isEqualTo(VERSION.matcher(t).matches());
        }
        // U+017F (long s) upper-cases to S; ASCII case folding does not make it an s.
        assertThat(SpfRecord.isSpf1("v=\u017fpf1")).isFalse();
    }

    @Test
    void aRecordThatParsedIsKeptAndOneWithAnErrorFailsEveryTime() throws Exception {
        String text = "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test -all";
        SpfRecord first = SpfRecord.parseCached(text);
        assertThat(SpfRecord.parseCached(text)).isSameAs(first);
        assertThat(first.directives()).extracting(SpfRecord.Directive::term)
                .containsExactly("ip4:192.0.2.0/24", "include:_spf.example.test", "-all");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> SpfRecord.parseCached("v=spf1 ip4:192.0.2.300 -all"))
                    .isInstanceOf(SpfSyntaxException.class).hasMessageContaining("192.0.2.300");
        }
    }
}
