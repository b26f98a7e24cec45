package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an outside tester got through AUTH (issue 11): the lockout bypassed by a good login
 * between guesses, accounts listed by how long a wrong password takes, and bcrypt starving
 * the anonymous port. Every client is on 127.0.0.0/8 (Linux answers all of it on lo), so
 * "another address" is 127.0.0.x; each test is bounded in connections and time.
 */
class AuthHardeningTest {

    /** The seeds' directory: kate has a plain-text password, postmaster a bcrypt hash (cost 12). */
    private static final String PLAIN_ACCOUNT = "kate@fabrikam.com";
    private static final String HASHED_ACCOUNT = "postmaster@example.test";
    private static final String NO_PASSWORD_ACCOUNT = "\"john doe\"@example.test";
    private static final String UNKNOWN_ACCOUNT = "nobody@example.test";

    private static final String ADDRESS_BLOCKED =
            "454 4.7.0 Temporary authentication failure: too many failures from your address, try again later";
    private static final String ACCOUNT_BLOCKED =
            "454 4.7.0 Temporary authentication failure: too many failures for this account, try again later";

    /** Clients of the flood test, each with an account of its own (postmaster's hash: cost 12). */
    private static final int FLOOD_CLIENTS = 24;

    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        var floodAccounts = new ArrayList<String>();
        for (int i = 0; i < FLOOD_CLIENTS; i++) {
            floodAccounts.addAll(List.of("[[mailbox]]", "address = \"flood" + i + "@example.test\"",
                    "password = \"$2y$12$RGSb5ddwnLEarE2J1sovBujfsiCJ4QBfbMn3Rzc1c8BLiT1vqop3i\""));
        }
        server = TestServer.start(List.of("tls = \"off\"", "allow_insecure_auth = true", "max_auth_failures = 100"),
                floodAccounts);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String plain(String user, String password) {
        return "AUTH PLAIN " + Base64.getEncoder().encodeToString(
                ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A submission session from {@code local}, greeted and past EHLO. */
    private SmtpTestClient submission(String local) throws Exception {
        var c = new SmtpTestClient(local, server.address(TestServer.SUBMISSION).getPort());
        c.socket.setSoTimeout(20_000);
        assertThat(c.reply().get(0)).startsWith("220 ");
        c.send("EHLO contoso.com");
        return c;
    }

    @Test
    void aGoodLoginAtOneAccountDoesNotClearTheGuessesAtAnother() throws Exception {
        // The attacker owns kate and guesses at postmaster, logging in as kate between guesses:
        // today's limiter forgot the address's failures at every good login.
        int checked = 0;
        String refused = null;
        for (int round = 0; round < 12 && refused == null; round++) {
            try (var c = submission("127.0.0.1")) {
                for (int i = 0; i < 2 && refused == null; i++) {
                    String r = c.send(plain(HASHED_ACCOUNT, "guess-" + round + "-" + i)).get(0);
                    if (r.startsWith("535 ")) {
                        checked++;
                    } else {
                        refused = r;
                    }
                }
                if (refused == null) {
                    c.send(plain(PLAIN_ACCOUNT, "secret"));
                }
            }
        }
        assertThat(refused).as("guesses at postmaster with a good login at kate between them")
                .isEqualTo(ADDRESS_BLOCKED);
        assertThat(checked).isEqualTo(MailServer.AUTH_FAILURES_PER_ADDRESS);
        try (var c = submission("127.0.0.1")) {
            assertThat(c.send(plain(PLAIN_ACCOUNT, "secret"))).as("the address stays blocked, good password or not")
                    .containsExactly(ADDRESS_BLOCKED);
        }
    }

    @Test
    void guessesAtOneAccountFromManyAddressesStopAtTheAccountLimit() throws Exception {
        // Two guesses from each address, far below the per-address limit.
        int checked = 0;
        String refused = null;
        for (int host = 2; host < 2 + 15 && refused == null; host++) {
            try (var c = submission("127.0.0." + host)) {
                for (int i = 0; i < 2 && refused == null; i++) {
                    String r = c.send(plain(HASHED_ACCOUNT, "guess-" + host + "-" + i)).get(0);
                    if (r.startsWith("535 ")) {
                        checked++;
                    } else {
                        refused = r;
                    }
                }
            }
        }
        assertThat(refused).isEqualTo(ACCOUNT_BLOCKED);
        assertThat(checked).isEqualTo(MailServer.AUTH_FAILURES_PER_ACCOUNT);
        try (var c = submission("127.0.0.99")) {
            assertThat(c.send(plain(HASHED_ACCOUNT, "hunter2"))).as("the right password is not even checked")
                    .containsExactly(ACCOUNT_BLOCKED);
            assertThat(c.send(plain(PLAIN_ACCOUNT, "secret"))).as("another account from a fresh address")
                    .containsExactly("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void aWrongPasswordTakesAsLongForAnUnknownAccountAsForAnExistingOne() throws Exception {
        List<String> accounts = List.of(HASHED_ACCOUNT, PLAIN_ACCOUNT, NO_PASSWORD_ACCOUNT, UNKNOWN_ACCOUNT);
        var times = new java.util.LinkedHashMap<String, List<Long>>();
        var ratios = new java.util.LinkedHashMap<String, List<Double>>();
        accounts.forEach(a -> {
            times.put(a, new ArrayList<>());
            ratios.put(a, new ArrayList<>());
        });
        int rounds = 9;
        // One new connection per measurement (the per-connection slow-down starts at the third
        // failure), one client address per round (4 failures each, below the address limit),
        // 10 failures per account in all (below the account limit); round 0 warms up. Each
        // round times every account once, in a rotating order, and compares it with the
        // existing hashed account of the same round, so that a slow moment of a shared
        // machine weighs on both sides of a ratio; the median ratio over the rounds decides.
        for (int round = 0; round <= rounds; round++) {
            var order = new ArrayList<>(accounts);
            Collections.rotate(order, round);
            var took = new java.util.HashMap<String, Long>();
            for (String account : order) {
                try (var c = submission("127.0.0." + (40 + round))) {
                    long start = System.nanoTime();
                    String r = c.send(plain(account, "wrong-" + round)).get(0);
                    took.put(account, System.nanoTime() - start);
                    assertThat(r).as(account).startsWith("535 5.7.8");
                }
            }
            if (round > 0) {
                for (String account : accounts) {
                    times.get(account).add(took.get(account));
                    ratios.get(account).add((double) took.get(account) / took.get(HASHED_ACCOUNT));
                }
            }
        }
        var report = new StringBuilder("wrong-password times (ms) and ratios to " + HASHED_ACCOUNT + "\n");
        times.forEach((a, t) -> report.append(String.format("%s: median %.1f ms, median ratio %.3f; %s%n", a,
                median(t) / 1e6, medianOf(ratios.get(a)), t.stream().map(n -> String.format("%.0f", n / 1e6))
                        .toList())));
        System.out.print(report);
        // The leak this guards against is of another order: an unknown account or a plain-text
        // password answered without a bcrypt of the stored cost takes a hundredth of the time
        // (ratio near 0.01). The bounds leave room for a shared machine under load (medians of
        // 0.79 were seen at load 10 to 15 with the code right), not for a missing bcrypt.
        for (String account : accounts) {
            assertThat(medianOf(ratios.get(account))).as("%s against %s\n%s", account, HASHED_ACCOUNT, report)
                    .isBetween(0.67, 1.5);
        }
    }

    @Test
    void theAnonymousPortAnswersPromptlyWhileAuthIsFlooded() throws Exception {
        int frontend = server.port();
        var idle = new ArrayList<Long>();
        for (int i = 0; i < 15; i++) {
            idle.add(timeTo220(frontend));
        }
        double idleMedian = median(idle);

        // 24 clients on 24 addresses send wrong passwords as fast as the server answers, in turn
        // for an account of their own (so that no account limit stops them) and for an unknown
        // user (as costly as a known one); after a 454 they pause 50 ms, as a connection flood
        // is not what this test is about.
        long floodEnd = System.nanoTime() + java.time.Duration.ofSeconds(8).toNanos();
        var checked = new AtomicInteger();
        var busy = new AtomicInteger();
        var flood = new ArrayList<Thread>();
        int submissionPort = server.address(TestServer.SUBMISSION).getPort();
        for (int i = 0; i < FLOOD_CLIENTS; i++) {
            String local = "127.0.0." + (100 + i);
            String account = "flood" + i + "@example.test";
            flood.add(Thread.ofPlatform().name("auth-flood-" + i).start(() -> {
                int n = 0;
                while (System.nanoTime() < floodEnd) {
                    try (var c = new SmtpTestClient(local, submissionPort)) {
                        c.socket.setSoTimeout(20_000);
                        c.reply();
                        c.send("EHLO flood.example");
                        for (int k = 0; k < 2 && System.nanoTime() < floodEnd; k++) {
                            String user = n % 2 == 0 ? account : "user" + n + "@" + local + ".example";
                            n++;
                            String r = c.send(plain(user, "x")).get(0);
                            if (r.startsWith("535 ")) {
                                checked.incrementAndGet();
                            } else {
                                busy.incrementAndGet();
                                Thread.sleep(50);
                                break;
                            }
                        }
                    } catch (Exception e) {
                        // a refused or closed connection: the next round reconnects
                    }
                }
            }));
        }
        Thread.sleep(1000);
        var loaded = new ArrayList<Long>();
        while (System.nanoTime() < floodEnd - 500_000_000L) {
            loaded.add(timeTo220(frontend));
            Thread.sleep(100);
        }
        for (var t : flood) {
            t.join(30_000);
        }
        double loadedMedian = median(loaded);
        double bound = Math.max(100e6, 5 * idleMedian);
        String report = String.format("banner idle median %.1f ms; under AUTH load median %.1f ms, max %.1f ms over"
                + " %d probes (bound %.0f ms); %d passwords checked, %d AUTH refused at once", idleMedian / 1e6,
                loadedMedian / 1e6, Collections.max(loaded) / 1e6, loaded.size(), bound / 1e6, checked.get(),
                busy.get());
        System.out.println(report);
        assertThat(checked.get()).as("the flood kept the server checking passwords: " + report).isGreaterThan(4);
        assertThat(busy.get()).as("more AUTH than the checks could take: " + report).isPositive();
        assertThat(loadedMedian).as(report).isLessThan(bound);
        assertThat(percentile(loaded, 0.9)).as("nine banners in ten: " + report).isLessThan(bound);
    }

    /** Connect, read the 220, close; returns the time to the 220 in nanoseconds. */
    private static long timeTo220(int port) throws Exception {
        long start = System.nanoTime();
        try (var c = new SmtpTestClient(port)) {
            c.socket.setSoTimeout(20_000);
            assertThat(c.reply().get(0)).startsWith("220 ");
            return System.nanoTime() - start;
        }
    }

    private static double medianOf(List<Double> values) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    private static double median(List<Long> values) {
        return percentile(values, 0.5);
    }

    private static double percentile(List<Long> values, double p) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.size() % 2 == 0 && p == 0.5) {
            int mid = sorted.size() / 2;
            return (sorted.get(mid - 1) + sorted.get(mid)) / 2.0;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()));
        return sorted.get(index);
    }
}
