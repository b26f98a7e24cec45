package dev.mailflow.server.protection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.RecordType;
import dev.mailflow.dns.Zone;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** DNS list lookups against an in-memory zone: listings, weights, the lists' error codes, failures. */
class DnsListCheckTest {

    private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

    private static List<DnsList> lists(String... entries) {
        return Arrays.stream(entries).map(e -> DnsList.parse(e, true)).toList();
    }

    private static List<DnsList> allow(String... entries) {
        return Arrays.stream(entries).map(e -> DnsList.parse(e, false)).toList();
    }

    private static DnsListCheck.Result check(DnsResolver dns, String client, List<DnsList> block,
                                             List<DnsList> allow) throws Exception {
        return DnsListCheck.start(dns, InetAddress.getByName(client), block, allow,
                System.nanoTime() + Duration.ofSeconds(5).toNanos(), THREADS).finish();
    }

    /** RFC 5782 5's test points: 127.0.0.2 listed, 127.0.0.1 not. */
    private static Zone.Builder testPoints(String zone) {
        return Zone.builder().a("2.0.0.127." + zone, "127.0.0.2").txt("2.0.0.127." + zone, "test point");
    }

    @Test
    void rfc5782TestPoints() throws Exception {
        var zone = testPoints("zen.example-list.test").build();
        var listed = check(zone, "127.0.0.2", lists("zen.example-list.test"), List.of());
        assertThat(listed.listings()).singleElement().satisfies(l -> {
            assertThat(l.zone()).isEqualTo("zen.example-list.test");
            assertThat(l.answers()).containsExactly("127.0.0.2");
            assertThat(l.weight()).isEqualTo(1);
        });
        assertThat(listed.score()).isEqualTo(1);
        assertThat(listed.problems()).isEmpty();
        assertThat(zone.queries()).containsExactly("2.0.0.127.zen.example-list.test A");

        var clean = check(zone, "127.0.0.1", lists("zen.example-list.test"), List.of());
        assertThat(clean.listings()).isEmpty();
        assertThat(clean.score()).isZero();
        assertThat(clean.problems()).isEmpty();
    }

    @Test
    void ipv6ClientsAreAskedInNibbleForm() throws Exception {
        String name = "1." + "0.".repeat(23) + "8.b.d.0.1.0.0.2.bl6.example.test";
        var zone = Zone.builder().a(name, "127.0.0.2").build();
        var result = check(zone, "2001:db8::1", lists("bl6.example.test"), List.of());
        assertThat(zone.queries()).containsExactly(name + " A");
        assertThat(result.score()).isEqualTo(1);
    }

    @Test
    void weightsAddUpAndFiltersPickTheAnswersThatCount() throws Exception {
        var zone = Zone.builder()
                .a("9.2.0.192.zen.example.test", "127.0.0.4", "127.0.0.10")
                .a("9.2.0.192.bl.example.test", "127.0.0.2")
                .a("9.2.0.192.swl.example.test", "127.0.5.2")
                .build();
        var result = check(zone, "192.0.2.9", lists("zen.example.test=127.0.0.[2..3]*3",
                "zen.example.test=127.0.0.[4..7]*2", "bl.example.test", "swl.example.test=127.0.[0..255].[1..3]*-1",
                "other.example.test*5"), List.of());
        assertThat(result.listings()).extracting(ClientReputation.Listing::entry).containsExactly(
                "zen.example.test=127.0.0.[4..7]*2", "bl.example.test", "swl.example.test=127.0.[0..255].[1..3]*-1");
        assertThat(result.listings().get(0).answers()).containsExactly("127.0.0.4");
        assertThat(result.score()).isEqualTo(2 + 1 - 1);
        // one query per zone, whatever the number of entries naming it
        assertThat(zone.queries()).hasSize(4).doesNotHaveDuplicates();

        var reputation = new ClientReputation(result.listings(), result.allowedBy(), result.problems(),
                result.score(), 2, new ReverseDns(ReverseDns.Status.NO_PTR, null, List.of(), "none"));
        assertThat(reputation.blocked()).isTrue();
        assertThat(reputation.blockedBy().zone()).isEqualTo("zen.example.test");
        var higher = new ClientReputation(result.listings(), result.allowedBy(), result.problems(),
                result.score(), 3, reputation.reverseDns());
        assertThat(higher.blocked()).isFalse();
        assertThat(higher.describe()).startsWith("below the threshold: score 2 of 3");
    }

    @Test
    void theListsOwnErrorCodesAreNeverListings() throws Exception {
        var zone = Zone.builder()
                .a("2.0.0.127.quota.example.test", "127.255.255.254")
                .a("2.0.0.127.over.example.test", "127.0.0.2", "127.255.255.255")
                .a("2.0.0.127.rewrite.example.test", "198.51.100.7")
                .build();
        var result = check(zone, "127.0.0.2", lists("quota.example.test", "over.example.test",
                "rewrite.example.test"), List.of());
        assertThat(result.listings()).isEmpty();
        assertThat(result.score()).isZero();
        assertThat(result.problems()).extracting(ClientReputation.Problem::zone).containsExactly(
                "quota.example.test", "over.example.test", "rewrite.example.test");
        assertThat(result.problems()).allSatisfy(p ->
                assertThat(p.kind()).isEqualTo(ClientReputation.Problem.Kind.LIST_ERROR));
        assertThat(result.problems().get(0).detail()).contains("127.255.255.254")
                .contains("public or shared resolver");
        assertThat(result.problems().get(1).detail()).contains("over the list's free quota");
        assertThat(result.problems().get(2).detail()).contains("no listing code");
    }

    @Test
    void dnsFailuresListNoOne() throws Exception {
        var zone = Zone.builder()
                .timeout("2.0.0.127.slow.example.test")
                .servfail("2.0.0.127.broken.example.test")
                .build();
        var result = check(zone, "127.0.0.2", lists("slow.example.test", "broken.example.test"), List.of());
        assertThat(result.listings()).isEmpty();
        assertThat(result.problems()).hasSize(2).allSatisfy(p ->
                assertThat(p.kind()).isEqualTo(ClientReputation.Problem.Kind.DNS_FAILURE));
        assertThat(result.problems().get(0).detail()).contains("timeout");
        assertThat(result.problems().get(1).detail()).contains("SERVFAIL");
    }

    @Test
    void aListThatDoesNotAnswerByTheDeadlineCountsAsFailed() throws Exception {
        var release = new CountDownLatch(1);
        var listed = testPoints("fast.example.test").build();
        DnsResolver hanging = new DnsResolver() {
            @Override
            public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
                if (name.endsWith("hang.example.test")) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return listed.lookup(name, type);
            }
        };
        long start = System.nanoTime();
        var result = DnsListCheck.start(hanging, InetAddress.getByName("127.0.0.2"),
                lists("hang.example.test", "fast.example.test"), List.of(),
                System.nanoTime() + Duration.ofMillis(300).toNanos(), THREADS).finish();
        long millis = (System.nanoTime() - start) / 1_000_000;
        release.countDown();
        assertThat(millis).isBetween(250L, 3000L);
        assertThat(result.listings()).extracting(ClientReputation.Listing::zone).containsExactly("fast.example.test");
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.zone()).isEqualTo("hang.example.test");
            assertThat(p.kind()).isEqualTo(ClientReputation.Problem.Kind.DNS_FAILURE);
            assertThat(p.detail()).contains("no answer in time");
        });
    }

    @Test
    void allowListsAreAskedAndNamed() throws Exception {
        var zone = Zone.builder()
                .a("2.0.0.127.wl.example.test", "127.0.10.2")
                .a("2.0.0.127.picky-wl.example.test", "127.0.0.9")
                .a("2.0.0.127.bl.example.test", "127.0.0.2")
                .build();
        var result = check(zone, "127.0.0.2", lists("bl.example.test"),
                allow("wl.example.test", "picky-wl.example.test=127.0.[0..255].[1..3]"));
        assertThat(result.allowedBy()).containsExactly("wl.example.test");
        var reputation = new ClientReputation(result.listings(), result.allowedBy(), result.problems(),
                result.score(), 1, new ReverseDns(ReverseDns.Status.NO_PTR, null, List.of(), "none"));
        assertThat(reputation.allowListed()).isTrue();
        assertThat(reputation.blocked()).isFalse();
        assertThat(reputation.describe()).startsWith("allow-listed by wl.example.test");
    }
}
