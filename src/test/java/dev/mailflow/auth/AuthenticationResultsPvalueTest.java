package dev.mailflow.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** RFC 8601 2.2 pvalue: which values go out as they are, and which are quoted. */
class AuthenticationResultsPvalueTest {

    /** RFC 2045 token, as a regular expression: what the check answers to. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+^_`{|}~.-]+");
    /** [ [ local-part ] "@" ] domain-name with the "@", local-part a dot-atom (RFC 5322 3.4.1). */
    private static final Pattern ADDRESS = Pattern.compile(
            "([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)?@"
                    + "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");

    @Test
    void tokensAndAddressesAgreeWithTheGrammarsPatternsOnEveryCase() {
        List<String> values = List.of("pass", "example.test", "rsa-sha256", "2001:db8::1", "192.0.2.1",
                "load@sender.test", "@sender.test", "a.b@c.d", ".a@b.c", "a.@b.c", "a..b@c.d", "a@b", "a@b.c.",
                "a@-b.c", "a@b-.c", "a@b..c", "a@@b.c", "a@b@c.d", "x/y=z?@b.c", "OgIL4MIlErKv", "7vHu1CZG/MBg=",
                "", "with space", "quote\"d", "a@b.c-d.e", "\u00e9@b.c", "a@b.c\u00e9", "(comment)", "a+tag@b.c");
        for (String v : values) {
            assertThat(AuthenticationResults.isToken(v)).as("token \"%s\"", v).isEqualTo(TOKEN.matcher(v).matches());
            assertThat(AuthenticationResults.isAddress(v)).as("address \"%s\"", v)
                    .isEqualTo(ADDRESS.matcher(v).matches());
        }
        assertThat(AuthenticationResults.pvalue("load@sender.test")).isEqualTo("load@sender.test");
        assertThat(AuthenticationResults.pvalue("7vHu1CZG/MBg=")).isEqualTo("\"7vHu1CZG/MBg=\"");
        assertThat(AuthenticationResults.pvalue("a\"b")).isEqualTo("\"a\\\"b\"");
    }
}
