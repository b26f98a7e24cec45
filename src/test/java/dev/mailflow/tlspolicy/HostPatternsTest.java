package dev.mailflow.tlspolicy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 6125 6.4.3 / RFC 8461 4.1: a wildcard is the whole left-most label and stands for one label. */
class HostPatternsTest {

    @Test
    void anExactNameMatchesWithoutRegardToCaseOrAFinalDot() {
        assertThat(HostPatterns.matches("mx.example.com", "MX.Example.COM.")).isTrue();
        assertThat(HostPatterns.matches("mx.example.com.", "mx.example.com")).isTrue();
        assertThat(HostPatterns.matches("mx.example.com", "mx2.example.com")).isFalse();
    }

    @Test
    void aWildcardStandsForExactlyOneLabel() {
        assertThat(HostPatterns.matches("*.example.com", "mx.example.com")).isTrue();
        assertThat(HostPatterns.matches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(HostPatterns.matches("*.example.com", "example.com")).isFalse();
        assertThat(HostPatterns.matches("*.example.com", "mx.example.net")).isFalse();
        assertThat(HostPatterns.matches("*.example.com", "mxexample.com")).isFalse();
    }

    @Test
    void aWildcardThatIsNotTheWholeLeftMostLabelMatchesNothing() {
        assertThat(HostPatterns.matches("m*.example.com", "mx.example.com")).isFalse();
        assertThat(HostPatterns.matches("mx.*.com", "mx.example.com")).isFalse();
        assertThat(HostPatterns.matches("*", "com")).isFalse();
        assertThat(HostPatterns.matches("*.com", "example.com")).isFalse();
    }

    @Test
    void internationalNamesCompareAsALabels() {
        assertThat(HostPatterns.matches("*.bücher.example", "mx.xn--bcher-kva.example")).isTrue();
    }

    @Test
    void patternsAreValidatedForPolicies() {
        assertThat(HostPatterns.isValidPattern("mx.example.com")).isTrue();
        assertThat(HostPatterns.isValidPattern("*.example.com")).isTrue();
        assertThat(HostPatterns.isValidPattern("*.com")).isFalse();
        assertThat(HostPatterns.isValidPattern("m*.example.com")).isFalse();
        assertThat(HostPatterns.isValidPattern("mx example.com")).isFalse();
        assertThat(HostPatterns.isValidPattern("")).isFalse();
    }
}
