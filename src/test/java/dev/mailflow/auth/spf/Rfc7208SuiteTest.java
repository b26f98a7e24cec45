package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every test of the OpenSPF RFC 7208 suite against the in-memory zone: the result must be one
 * of those the test allows, and where the test gives an explanation, it must be ours
 * ("DEFAULT" meaning the record gave none).
 */
class Rfc7208SuiteTest {

    private static final List<OpenSpfSuite.Scenario> SUITE = OpenSpfSuite.load();

    @TestFactory
    Stream<DynamicContainer> suite() {
        return SUITE.stream().map(s -> DynamicContainer.dynamicContainer(s.description(), s.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    String problem = run(s, c);
                    assertThat(problem).as(c.toString()).isNull();
                }))));
    }

    @Test
    void everyTestOfTheSuitePasses() throws Exception {
        int total = 0;
        var failures = new ArrayList<String>();
        for (var s : SUITE) {
            for (var c : s.cases()) {
                total++;
                String problem = run(s, c);
                if (problem != null) {
                    failures.add(c + ": " + problem);
                }
            }
        }
        System.out.println("OpenSPF RFC 7208 suite through the zone fake: " + (total - failures.size()) + " of " + total
                + " pass");
        assertThat(total).isEqualTo(203);
        assertThat(failures).isEmpty();
    }

    /** Null when the case passes, else what went wrong. */
    static String run(OpenSpfSuite.Scenario s, OpenSpfSuite.Case c) throws Exception {
        var spf = new Spf(s.toZone());
        var outcome = spf.checkMailFrom(InetAddress.getByName(c.host()), c.mailFrom(), c.helo());
        return problem(c, outcome);
    }

    static String problem(OpenSpfSuite.Case c, SpfOutcome outcome) {
        if (!c.results().contains(outcome.result().word())) {
            return "expected " + c.results() + " but got " + outcome.result() + ": " + outcome.reason() + "\n  trace: "
                    + String.join("\n         ", outcome.trace());
        }
        if (c.explanation() != null) {
            String expected = c.explanation().equals("DEFAULT") ? null : c.explanation();
            String got = outcome.explanation().orElse(null);
            if (!java.util.Objects.equals(expected, got)) {
                return "expected explanation " + (expected == null ? "none" : "\"" + expected + "\"") + " but got "
                        + (got == null ? "none" : "\"" + got + "\"") + "\n  trace: "
                        + String.join("\n         ", outcome.trace());
            }
        }
        return null;
    }
}
