package dev.mailflow.auth.spf;

import dev.mailflow.dns.Zone;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenSPF RFC 7208 suite (src/test/resources/dev/mailflow/auth/spf/rfc7208-tests.yml),
 * read into scenarios: each a zone and its tests. The zone rules are those of the suite's
 * drivers (pyspf's testspf.py): a record tagged SPF is served as TXT unless the name has TXT
 * records of its own; "TXT: NONE" means no TXT records; TIMEOUT makes the name's other
 * lookups time out; TXT string lists are one record of several strings.
 */
final class OpenSpfSuite {

    /** One zone entry: a record of a type, or the TIMEOUT marker (type "TIMEOUT"). */
    record Entry(String type, Object value) {
    }

    record Case(String scenario, String name, String helo, String host, String mailFrom, Set<String> results,
            String explanation) {
        @Override
        public String toString() {
            return name + " (" + scenario + ")";
        }
    }

    record Scenario(String description, Map<String, List<Entry>> zone, List<Case> cases) {

        /** The zone as the in-memory fake. */
        Zone toZone() {
            var b = Zone.builder();
            zone.forEach((name, entries) -> {
                b.exists(name);
                boolean hasTxt = entries.stream().anyMatch(e -> e.type().equals("TXT"));
                for (var e : entries) {
                    switch (e.type()) {
                        case "TIMEOUT" -> b.timeout(name);
                        case "A" -> b.a(name, (String) e.value());
                        case "AAAA" -> b.aaaa(name, (String) e.value());
                        case "MX" -> {
                            var mx = (List<?>) e.value();
                            b.mx(name, ((Number) mx.get(0)).intValue(), (String) mx.get(1));
                        }
                        case "PTR" -> b.ptr(name, (String) e.value());
                        case "CNAME" -> b.cname(name, (String) e.value());
                        case "TXT" -> {
                            var strings = strings(e.value());
                            if (!strings.equals(List.of("NONE"))) {
                                b.txt(name, strings.toArray(String[]::new));
                            }
                        }
                        case "SPF" -> {
                            // Type 99 is not asked for (RFC 7208 3.1); it stands for TXT where the name has none.
                            var strings = strings(e.value());
                            if (!hasTxt && !strings.equals(List.of("NONE"))) {
                                b.txt(name, strings.toArray(String[]::new));
                            }
                        }
                        default -> throw new IllegalStateException("unknown record type in the suite: " + e.type());
                    }
                }
            });
            return b.build();
        }
    }

    static List<String> strings(Object value) {
        if (value instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }

    static List<Scenario> load() {
        try (InputStream in = OpenSpfSuite.class.getResourceAsStream("rfc7208-tests.yml")) {
            var options = new LoaderOptions();
            var scenarios = new ArrayList<Scenario>();
            for (Object doc : new Yaml(options).loadAll(in)) {
                @SuppressWarnings("unchecked")
                var map = (Map<String, Object>) doc;
                String description = (String) map.get("description");
                var zone = new LinkedHashMap<String, List<Entry>>();
                @SuppressWarnings("unchecked")
                var zd = (Map<String, List<Object>>) map.get("zonedata");
                zd.forEach((name, list) -> {
                    var entries = new ArrayList<Entry>();
                    for (Object o : list) {
                        if ("TIMEOUT".equals(o)) {
                            entries.add(new Entry("TIMEOUT", null));
                        } else {
                            @SuppressWarnings("unchecked")
                            var rr = (Map<String, Object>) o;
                            rr.forEach((type, value) -> entries.add(new Entry(type, value)));
                        }
                    }
                    zone.put(name, entries);
                });
                var cases = new ArrayList<Case>();
                @SuppressWarnings("unchecked")
                var tests = (Map<String, Map<String, Object>>) map.get("tests");
                tests.forEach((name, t) -> {
                    Object r = t.get("result");
                    var results = new LinkedHashSet<String>(strings(r));
                    cases.add(new Case(description, name, String.valueOf(t.get("helo")), String.valueOf(t.get("host")),
                            String.valueOf(t.get("mailfrom")), results, (String) t.get("explanation")));
                });
                scenarios.add(new Scenario(description, zone, cases));
            }
            return scenarios;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
