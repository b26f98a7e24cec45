package dev.mailflow.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GreylistTest {

    static final Duration DELAY = Duration.ofMinutes(5);
    static final Duration WINDOW = Duration.ofDays(1);
    static final Duration EXPIRY = Duration.ofDays(36);
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    static Greylist.Decision check(Greylist g, String triplet, Duration after) {
        return g.check(triplet, T0.plus(after), DELAY, WINDOW, EXPIRY);
    }

    @Test
    void firstAttemptWaitsRetryBeforeTheDelayStillWaitsAfterItPasses() throws Exception {
        var g = Greylist.open(null, T0, EXPIRY, 100);
        assertThat(check(g, "a", Duration.ZERO)).isEqualTo(new Greylist.Decision.Wait(300));
        assertThat(check(g, "a", Duration.ofMinutes(2))).isEqualTo(new Greylist.Decision.Wait(180));
        assertThat(check(g, "a", Duration.ofMinutes(6))).isInstanceOf(Greylist.Decision.Pass.class);
        assertThat(check(g, "a", Duration.ofDays(20))).as("remembered").isInstanceOf(Greylist.Decision.Pass.class);
        assertThat(check(g, "b", Duration.ofMinutes(6))).as("another triplet").isInstanceOf(Greylist.Decision.Wait.class);
    }

    @Test
    void aRetryAfterTheWindowStartsOverAndAPassedTripletExpires() throws Exception {
        var g = Greylist.open(null, T0, EXPIRY, 100);
        check(g, "a", Duration.ZERO);
        assertThat(check(g, "a", Duration.ofDays(2))).isEqualTo(new Greylist.Decision.Wait(300));
        assertThat(check(g, "a", Duration.ofDays(2).plusMinutes(5))).isInstanceOf(Greylist.Decision.Pass.class);
        assertThat(check(g, "a", Duration.ofDays(2 + 37))).as("expired").isInstanceOf(Greylist.Decision.Wait.class);
    }

    @Test
    void theStateSurvivesARestartAndAnUnreadableLineIsSkipped(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("greylist").resolve("triplets.journal");
        try (var g = Greylist.open(journal, T0, EXPIRY, 100)) {
            check(g, "net sender@a.test rcpt@b.test", Duration.ZERO);
            check(g, "passed", Duration.ZERO);
            check(g, "passed", Duration.ofMinutes(10));
        }
        Files.writeString(journal, Files.readString(journal) + "garbage line\nP notanumber x\n");
        try (var g = Greylist.open(journal, T0.plus(Duration.ofMinutes(11)), EXPIRY, 100)) {
            assertThat(g.size()).isEqualTo(2);
            assertThat(check(g, "passed", Duration.ofMinutes(12))).isInstanceOf(Greylist.Decision.Pass.class);
            assertThat(check(g, "net sender@a.test rcpt@b.test", Duration.ofMinutes(12)))
                    .as("first seen before the restart, retried after the delay").isInstanceOf(Greylist.Decision.Pass.class);
        }
        try (var g = Greylist.open(journal, T0.plus(Duration.ofDays(40)), EXPIRY, 100)) {
            assertThat(g.size()).as("expired triplets dropped when the journal is compacted").isZero();
        }
    }

    @Test
    void aFullGreylistLetsNewTripletsPass() throws Exception {
        var g = Greylist.open(null, T0, EXPIRY, 2);
        check(g, "a", Duration.ZERO);
        check(g, "b", Duration.ZERO);
        assertThat(check(g, "c", Duration.ZERO)).isInstanceOf(Greylist.Decision.Pass.class);
        assertThat(g.size()).isEqualTo(2);
    }

    @Test
    void networksAreSlash24AndSlash64() throws Exception {
        assertThat(dev.mailflow.server.ClientNetworks.greylistNetwork(java.net.InetAddress.getByName("192.0.2.77"))).isEqualTo("192.0.2.0/24");
        assertThat(dev.mailflow.server.ClientNetworks.greylistNetwork(
                java.net.InetAddress.getByName("2001:db8:1:2:3:4:5:6")))
                .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    }
}
