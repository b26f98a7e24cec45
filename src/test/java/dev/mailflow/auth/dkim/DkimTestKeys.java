package dev.mailflow.auth.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Keys for tests: a {@link DkimKeyLookup} over a map of {@code selector._domainkey.domain} to answers. */
final class DkimTestKeys implements DkimKeyLookup {

    private final Map<String, Answer> answers = new HashMap<>();
    final List<String> asked = new java.util.ArrayList<>();

    DkimTestKeys put(String selector, String domain, String record) {
        answers.put(name(selector, domain), new Found(List.of(record)));
        return this;
    }

    DkimTestKeys answer(String selector, String domain, Answer answer) {
        answers.put(name(selector, domain), answer);
        return this;
    }

    @Override
    public Answer lookup(String selector, String domain) {
        asked.add(name(selector, domain));
        return answers.getOrDefault(name(selector, domain), new NotFound());
    }

    private static String name(String selector, String domain) {
        return (selector + "._domainkey." + domain).toLowerCase(java.util.Locale.ROOT);
    }

    static byte[] resource(String name) {
        try (InputStream in = DkimTestKeys.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
