package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Perl Mail::DKIM test corpus (as shipped in Apache James jDKIM; see the README beside the
 * files), with the expected result of each file from Mail::DKIM's {@code t/verifier.t}: pass,
 * fail, or invalid (any result that is neither: neutral, permerror, temperror, policy).
 *
 * <p>The corpus dates from 2006-2008: nearly all of it is rsa-sha1, with 512- and 768-bit keys,
 * and some of it follows pre-RFC drafts (no v=, q=dns). Today's rules (RFC 8301) refuse all of
 * that, so the corpus runs twice:
 * <ul>
 * <li>under {@link DkimPolicy#historicForCorpus()}, which checks our canonicalization, header
 *     selection, tag and key parsing and hashing against Mail::DKIM's verdicts, file by file;</li>
 * <li>under {@link DkimPolicy#standard()}, where every expected pass must either pass or be
 *     refused for one of those historic reasons, and nothing else may pass.</li>
 * </ul>
 */
class DkimCorpusTest {

    /** Mail::DKIM t/verifier.t: the expected result per file. */
    static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        for (String f : List.of("mine_ietf01_1", "mine_ietf01_2", "mine_ietf01_3", "mine_ietf01_4", "mine_ietf05_1",
                "good_ietf01_1", "good_ietf01_2", "good_rfc4871_3", "good_rfc4871_4", "good_1878523", "multiple_1",
                "multiple_2", "good_qp_1", "good_qp_2", "good_qp_3", "no_body_1", "no_body_2", "no_body_3",
                "goodkey_1", "goodkey_2", "goodkey_3", "goodkey_4")) {
            EXPECTED.put(f, "pass");
        }
        for (String f : List.of("bad_ietf01_1", "bad_ietf01_2", "bad_ietf01_3", "bad_1", "bad_1878954")) {
            EXPECTED.put(f, "fail");
        }
        for (int i = 1; i <= 8; i++) {
            EXPECTED.put("ignore_" + i, "invalid");
        }
        for (int i = 1; i <= 15; i++) {
            EXPECTED.put("badkey_" + i, "invalid");
        }
    }

    /**
     * Files whose verdict RFC 6376 changed: the key tag g= of RFC 4871 (granularity, matched
     * against i=) was removed in RFC 6376, so a key's g= is now an unknown tag and ignored.
     * Mail::DKIM still applies it; we follow RFC 6376 and these signatures pass.
     */
    static final Set<String> RFC6376_DROPPED_G_TAG = Set.of("badkey_8", "badkey_9", "badkey_12", "badkey_13");

    /** Skipped in the old verifier.t ("older-prestandard DKIM signatures"): counted, not judged. */
    static final Set<String> PRESTANDARD_SKIPPED = Set.of("good_ietf00_1", "good_ietf00_2", "good_ietf00_3",
            "good_ietf00_4", "good_ietf00_5");

    /** Why today's rules may refuse an old signature that Mail::DKIM passed. */
    static final Set<DkimReason> HISTORIC_REASONS = EnumSet.of(DkimReason.HISTORIC_ALGORITHM,
            DkimReason.KEY_TOO_SHORT, DkimReason.MISSING_TAG, DkimReason.UNSUPPORTED_VERSION,
            DkimReason.UNSUPPORTED_QUERY_METHOD);

    /** The corpus's signatures carry no x= but ignore_7's, which expired in 2007. */
    static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    static Path dir() {
        try {
            return Path.of(DkimCorpusTest.class.getResource("mail-dkim-corpus").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** FAKE_DNS.dat: "name record", NXDOMAIN, or ~~an error~~ (a temporary failure). */
    static DkimKeyLookup fakeDns() throws IOException {
        Map<String, DkimKeyLookup.Answer> zone = new TreeMap<>();
        for (String line : Files.readAllLines(dir().resolve("FAKE_DNS.dat"), StandardCharsets.US_ASCII)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.strip().split("\\s+", 2);
            String value = parts[1].strip();
            zone.put(parts[0].toLowerCase(Locale.ROOT), value.equals("NXDOMAIN") ? new DkimKeyLookup.NotFound()
                    : value.startsWith("~~") ? new DkimKeyLookup.TempFail(value.replace("~~", ""))
                    : new DkimKeyLookup.Found(List.of(value)));
        }
        return (selector, domain) -> zone.getOrDefault((selector + "._domainkey." + domain).toLowerCase(Locale.ROOT),
                new DkimKeyLookup.NotFound());
    }

    static DkimVerification verify(String file, DkimPolicy policy) throws IOException {
        byte[] message = DkimVerifier.withCrlfLineEnds(Files.readAllBytes(dir().resolve(file + ".txt")));
        return new DkimVerifier(fakeDns(), NOW, policy).verify(message);
    }

    /** Mail::DKIM's overall word: pass if one passes, else fail if one fails, else invalid. */
    static String overall(DkimVerification v) {
        if (v.anyPassed()) {
            return "pass";
        }
        if (v.signatures().stream().anyMatch(r -> r.status() == DkimStatus.FAIL)) {
            return "fail";
        }
        return v.signed() ? "invalid" : "none";
    }

    @TestFactory
    Stream<DynamicTest> eachFileUnderTheHistoricRulesGivesMailDkimsVerdict() {
        return EXPECTED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey() + " " + e.getValue(), () -> {
            DkimVerification v = verify(e.getKey(), DkimPolicy.historicForCorpus());
            String expected = RFC6376_DROPPED_G_TAG.contains(e.getKey()) ? "pass" : e.getValue();
            assertThat(overall(v)).as(e.getKey() + ": " + v.signatures()).isEqualTo(expected);
        }));
    }

    @Test
    void multiple2GivesEachSignatureItsOwnResult() throws IOException {
        List<DkimResult> r = verify("multiple_2", DkimPolicy.historicForCorpus()).signatures();
        assertThat(r).extracting(DkimResult::reason).containsExactly(DkimReason.UNSUPPORTED_CANONICALIZATION,
                DkimReason.VERIFIED, DkimReason.SIGNATURE_MISMATCH, DkimReason.SYNTAX_ERROR);
        assertThat(r.get(1).signatureStart()).startsWith("keocS8z7y+ut");
        assertThat(r.get(3).explanation()).contains("synerr");
    }

    @Test
    void keyProblemsSayWhatIsWrongWithTheKey() throws IOException {
        Map<String, DkimReason> expected = new LinkedHashMap<>();
        expected.put("badkey_1", DkimReason.KEY_NOT_FOUND);
        expected.put("badkey_2", DkimReason.KEY_REVOKED);
        expected.put("badkey_3", DkimReason.KEY_SYNTAX); // v=DKIM3
        expected.put("badkey_4", DkimReason.KEY_SYNTAX); // "t;" without =
        expected.put("badkey_5", DkimReason.KEY_SYNTAX); // k=foobar
        expected.put("badkey_6", DkimReason.KEY_NOT_FOR_EMAIL); // s=chat
        expected.put("badkey_7", DkimReason.KEY_HASH_NOT_ALLOWED); // h=bad
        expected.put("badkey_10", DkimReason.KEY_STRICT_IDENTITY); // t=s, i= in a subdomain
        expected.put("badkey_11", DkimReason.KEY_HASH_NOT_ALLOWED); // h=md5:sha1 for rsa-sha256
        expected.put("badkey_14", DkimReason.KEY_TEMPFAIL); // DNS timeout
        expected.put("badkey_15", DkimReason.KEY_TEMPFAIL); // SERVFAIL
        expected.put("ignore_1", DkimReason.UNSUPPORTED_VERSION);
        expected.put("ignore_2", DkimReason.UNSUPPORTED_ALGORITHM);
        expected.put("ignore_3", DkimReason.UNSUPPORTED_ALGORITHM);
        expected.put("ignore_4", DkimReason.UNSUPPORTED_CANONICALIZATION);
        expected.put("ignore_5", DkimReason.UNSUPPORTED_QUERY_METHOD);
        expected.put("ignore_6", DkimReason.UNSUPPORTED_QUERY_METHOD);
        expected.put("ignore_7", DkimReason.EXPIRED);
        expected.put("ignore_8", DkimReason.IDENTITY_OUTSIDE_DOMAIN);
        expected.put("bad_ietf01_1", DkimReason.BODY_HASH_MISMATCH);
        expected.put("bad_ietf01_2", DkimReason.SIGNATURE_MISMATCH);
        expected.put("bad_ietf01_3", DkimReason.SIGNATURE_MISMATCH);
        for (var e : expected.entrySet()) {
            List<DkimResult> r = verify(e.getKey(), DkimPolicy.historicForCorpus()).signatures();
            assertThat(r).as(e.getKey()).hasSize(1);
            assertThat(r.get(0).reason()).as(e.getKey() + ": " + r.get(0)).isEqualTo(e.getValue());
        }
        assertThat(verify("badkey_14", DkimPolicy.standard()).signatures().get(0).status())
                .isIn(DkimStatus.TEMPERROR, DkimStatus.POLICY);
    }

    /** Today's rules: the score, with each refusal of an expected pass explained. */
    @Test
    void underTodaysRulesNothingPassesThatShouldNotAndEveryOtherRefusalIsHistoric() throws IOException {
        int agree = 0;
        Map<String, Integer> historic = new TreeMap<>();
        List<String> report = new ArrayList<>();
        for (var e : EXPECTED.entrySet()) {
            DkimVerification v = verify(e.getKey(), DkimPolicy.standard());
            String got = overall(v);
            if (!e.getValue().equals("pass")) {
                assertThat(got).as(e.getKey() + ": " + v.signatures()).isNotEqualTo("pass");
            }
            if (got.equals(e.getValue()) || RFC6376_DROPPED_G_TAG.contains(e.getKey()) && !got.equals("fail")) {
                agree++;
                report.add(String.format("%-16s %-8s agrees", e.getKey(), e.getValue()));
                continue;
            }
            // An expected pass that today's rules refuse: say why, and it must be a historic reason.
            DkimResult first = v.signatures().stream().filter(r -> HISTORIC_REASONS.contains(r.reason())).findFirst()
                    .orElseThrow(() -> new AssertionError(e.getKey() + " refused for no historic reason: "
                            + v.signatures()));
            String why = switch (first.reason()) {
                case HISTORIC_ALGORITHM -> "rsa-sha1 (RFC 8301 3.1)";
                case KEY_TOO_SHORT -> "RSA key under 1024 bits (RFC 8301 3.2)";
                default -> "pre-RFC draft signature (no v=, v=0.5 or q=dns)";
            };
            historic.merge(why, 1, Integer::sum);
            report.add(String.format("%-16s %-8s refused today: %s", e.getKey(), e.getValue(), why));
        }
        int domainKeys = 0;
        try (var files = Files.list(dir())) {
            for (Path p : files.filter(f -> f.getFileName().toString().contains("dk_")).toList()) {
                domainKeys++;
                String name = p.getFileName().toString().replace(".txt", "");
                assertThat(verify(name, DkimPolicy.standard()).signed()).as(name).isFalse();
            }
        }
        String summary = agree + " of " + EXPECTED.size() + " agree with Mail::DKIM; refused for historic "
                + "reasons: " + historic + "; " + PRESTANDARD_SKIPPED.size() + " ietf00 drafts skipped (as verifier.t "
                + "does); " + domainKeys + " DomainKeys (RFC 4870) files carry no DKIM signature: none";
        System.out.println("Mail::DKIM corpus under RFC 6376 + RFC 8301: " + summary);
        Path artifacts = Path.of(System.getProperty("mailflow.test.artifacts", "target/test-artifacts"));
        Files.createDirectories(artifacts);
        Files.write(artifacts.resolve("dkim-corpus.txt"), java.util.stream.Stream.concat(report.stream(),
                java.util.stream.Stream.of(summary)).toList());
        assertThat(agree + historic.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(EXPECTED.size());
    }
}
