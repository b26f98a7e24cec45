package dev.mailflow.auth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The tree walk's label arithmetic (RFC 9989 4.10) against its plain definition: split the
 * name at its dots, count the labels, join the last n again. Empty labels (a leading, trailing
 * or doubled dot) are labels too.
 */
public class TreeWalkNamesProperties {

    /** Names of 1 to 12 labels, each empty or of up to 3 characters. */
    static Gen<String> names() {
        Gen<String> label = integers().between(0, 3).zip(integers().between(0, 25), (len, c) ->
                "abcdefghijklmnopqrstuvwxyz".substring(c, Math.min(26, c + len)));
        return lists().of(label).ofSizeBetween(1, 12).map(l -> String.join(".", l));
    }

    @Test
    void labelsAndLastLabelsAreThoseOfTheSplitName() {
        qt().withExamples(5_000).forAll(names(), integers().between(1, 14)).checkAssert((name, n) -> {
            String[] l = name.split("\\.", -1);
            assertThat(TreeWalk.labels(name)).as(name).isEqualTo(l.length);
            assertThat(TreeWalk.lastLabels(name, n)).as(name + " last " + n)
                    .isEqualTo(String.join(".", Arrays.copyOfRange(l, Math.max(0, l.length - n), l.length)));
        });
    }

    @Test
    void aWalkAsksAtMostEightNamesLongestFirst() {
        assertThat(TreeWalk.names("a.b.c.d.e.f.g.h.i.example.com")).containsExactly("a.b.c.d.e.f.g.h.i.example.com",
                "e.f.g.h.i.example.com", "f.g.h.i.example.com", "g.h.i.example.com", "h.i.example.com",
                "i.example.com", "example.com", "com");
        assertThat(TreeWalk.names("mail.example.com")).isEqualTo(List.of("mail.example.com", "example.com", "com"));
    }
}
