package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk MTA-STS cache: survives a new instance, ignores what it cannot read. */
class PolicyStoreTest {

    @TempDir
    Path dir;

    static MtaStsPolicy policy(String text) {
        return ((MtaStsPolicy.Valid) MtaStsPolicy.parse(text)).policy();
    }

    private static final MtaStsPolicy POLICY = policy(HttpsPolicyFetcherTest.POLICY);

    @Test
    void aPolicySurvivesANewStore() throws Exception {
        var at = Instant.parse("2026-05-01T10:00:00Z");
        var cached = CachedPolicy.fetchedAt("example.test", "20260501", POLICY, at);
        new PolicyStore(dir.resolve("mta-sts")).put(cached);
        var again = new PolicyStore(dir.resolve("mta-sts"));
        assertThat(again.get("example.test")).contains(cached);
        assertThat(again.get("example.test").orElseThrow().expires()).isEqualTo(Instant.parse("2026-05-02T10:00:00Z"));
        assertThat(again.get("example.test").orElseThrow().policy().text()).isEqualTo(HttpsPolicyFetcherTest.POLICY);
        assertThat(again.all()).containsExactly(cached);
        try (var files = Files.list(dir.resolve("mta-sts"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("example.test.policy");
        }
    }

    @Test
    void aNewPolicyReplacesTheOld() throws Exception {
        var store = new PolicyStore(dir);
        store.put(CachedPolicy.fetchedAt("example.test", "1", POLICY, Instant.EPOCH));
        var newer = CachedPolicy.fetchedAt("example.test", "2", policy("version: STSv1\nmode: none\nmax_age: 60\n"),
                Instant.EPOCH.plusSeconds(10));
        store.put(newer);
        assertThat(store.get("example.test")).contains(newer);
        store.remove("example.test");
        assertThat(store.get("example.test")).isEmpty();
    }

    @Test
    void corruptFilesAreIgnored() throws Exception {
        var store = new PolicyStore(dir);
        store.put(CachedPolicy.fetchedAt("good.test", "1", POLICY, Instant.EPOCH));
        Files.writeString(dir.resolve("garbage.test.policy"), "\u0000\u0001 not a cache file");
        Files.writeString(dir.resolve("truncated.test.policy"), "mailflow-mta-sts 1\ndomain: truncated.test\nid: 1\n");
        String good = Files.readString(dir.resolve("good.test.policy"));
        Files.writeString(dir.resolve("other.test.policy"), good);
        Files.writeString(dir.resolve("badtime.test.policy"), good.replace("good.test", "badtime.test")
                .replace("1970-01-01T00:00:00Z", "yesterday"));
        Files.writeString(dir.resolve("badpolicy.test.policy"), good.replace("good.test", "badpolicy.test")
                .replace("mode: enforce", "mode: maybe"));
        assertThat(store.all()).extracting(CachedPolicy::domain).containsExactly("good.test");
        assertThat(store.get("garbage.test")).isEmpty();
        assertThat(store.get("other.test")).isEmpty();
        assertThat(store.get("../etc/passwd")).isEmpty();
    }

    @Test
    void aMissingDirectoryIsAnEmptyCache() {
        assertThat(new PolicyStore(dir.resolve("none")).all()).isEmpty();
        assertThat(new PolicyStore(dir.resolve("none")).get("example.test")).isEmpty();
    }
}
