package dev.mailflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The password check pool on its own: outcomes, the dummy hash, the bounded queue, shutdown. */
class PasswordVerifierTest {

    @Test
    void checksHashedAndPlainPasswordsAndNeverMatchAMissingOne() {
        String hash = Passwords.hash("right".toCharArray(), 4);
        try (var verifier = PasswordVerifier.start(List.of(hash), 1, 4)) {
            assertThat(verifier.verify(hash, "right")).isEqualTo(PasswordVerifier.Outcome.MATCH);
            assertThat(verifier.verify(hash, "wrong")).isEqualTo(PasswordVerifier.Outcome.MISMATCH);
            assertThat(verifier.verify("plain", "plain")).isEqualTo(PasswordVerifier.Outcome.MATCH);
            assertThat(verifier.verify("plain", "plain ")).isEqualTo(PasswordVerifier.Outcome.MISMATCH);
            assertThat(verifier.verify(null, "")).isEqualTo(PasswordVerifier.Outcome.MISMATCH);
            assertThat(verifier.verify(null, "anything")).isEqualTo(PasswordVerifier.Outcome.MISMATCH);
            assertThat(verifier.verify("$2y$12$broken", "x")).isEqualTo(PasswordVerifier.Outcome.MISMATCH);
        }
    }

    @Test
    void theDummyHashHasTheMostCommonConfiguredCost() {
        assertThat(PasswordVerifier.dummyWork(List.of()).cost()).isEqualTo(Integer.toString(Passwords.COST));
        assertThat(PasswordVerifier.dummyWork(Arrays.asList("plain", null)).cost()).isEqualTo(Integer.toString(Passwords.COST));
        assertThat(PasswordVerifier.dummyWork(List.of("$2y$10$x", "$2b$11$y", "$2a$11$z", "plain")).cost()).isEqualTo("11");
        assertThat(PasswordVerifier.dummyWork(List.of("$2y$10$x", "$2y$13$y")).cost()).as("a tie: the higher").isEqualTo("13");
        assertThat(PasswordVerifier.dummyWork(List.of("$6$rounds=7000$abc$x", "$6$rounds=7000$def$y", "$2y$10$x")))
                .isEqualTo(new Passwords.Work(Passwords.Scheme.SHA512_CRYPT, "7000", 7000));
        assertThat(Passwords.costOf(Passwords.dummyHash(5))).isEqualTo(5);
        assertThat(Passwords.dummyHash(5)).as("made once").isSameAs(Passwords.dummyHash(5));
        assertThat(Passwords.costOf("$2y$99$x")).isEqualTo(-1);
        assertThat(Passwords.costOf("secret")).isEqualTo(-1);
    }

    @Test
    void aFullQueueAnswersBusyAtOnceAndShutdownReleasesTheWaiting() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        var verifier = new PasswordVerifier(1, 2, (stored, password) -> {
            started.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        });
        var outcomes = new ArrayList<PasswordVerifier.Outcome>();
        var waiting = new ArrayList<Thread>();
        for (int i = 0; i < 3; i++) {
            waiting.add(Thread.ofVirtual().start(() -> {
                var o = verifier.verify("x", "x");
                synchronized (outcomes) {
                    outcomes.add(o);
                }
            }));
            if (i == 0) {
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        dev.mailflow.testing.Await.until("two checks waiting in the queue", () -> verifier.queued() == 2);
        long start = System.nanoTime();
        assertThat(verifier.verify("x", "x")).as("one running, two waiting").isEqualTo(PasswordVerifier.Outcome.BUSY);
        assertThat(System.nanoTime() - start).as("at once").isLessThan(TimeUnit.SECONDS.toNanos(1));

        verifier.close();
        release.countDown();
        for (var t : waiting) {
            assertThat(t.join(java.time.Duration.ofSeconds(10))).isTrue();
        }
        assertThat(outcomes).containsExactlyInAnyOrder(PasswordVerifier.Outcome.MATCH, PasswordVerifier.Outcome.BUSY,
                PasswordVerifier.Outcome.BUSY);
        assertThat(verifier.verify("x", "x")).as("after shutdown").isEqualTo(PasswordVerifier.Outcome.BUSY);
    }
}
