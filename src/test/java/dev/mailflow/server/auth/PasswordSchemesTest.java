package dev.mailflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three hash schemes Dovecot and Mailflow share, against other programs' output: the
 * test vectors of Drepper's SHA-crypt specification (as glibc computes them), and hashes made
 * by Dovecot's own {@code doveadm pw} (copied here as facts; the interop test makes fresh ones).
 */
class PasswordSchemesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Hello world!|$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
        "Hello world!|$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
        "This is just a test|$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0",
        "a very much longer text to encrypt.  This one even stretches over morethan one line.|$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
        "we have a short salt string but not a short password|$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0",
        "a short string|$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1",
        "the minimum number is still observed|$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.",
        // glibc: the empty password.
        "''|$6$rounds=1000$abc$noBronbzNMcAtG61/dMHzc1H.fuLjHArF9.wCx8LbkVDMMEuChQCPee28tiPcXHL/CMNpCqo6OPTyoEpoCMsY/",
        // doveadm pw -s SHA512-CRYPT -p secret
        "secret|$6$s2rwlaK9g9KwMQbM$q7IWtdhUkzzrgG6SBzH4Nh8SNN4ElYDz9TiBBPLxsghuIyPMVH.rVSeRldgxuWucnAwWTbdIDGCDxn9r0y9YJ1",
    })
    void sha512CryptAgreesWithTheSpecificationGlibcAndDovecot(String password, String stored) {
        assertThat(Passwords.Scheme.of(stored)).isEqualTo(Passwords.Scheme.SHA512_CRYPT);
        assertThat(Passwords.matches(stored, password)).isTrue();
        assertThat(Passwords.matches(stored, password + "x")).isFalse();
    }

    @Test
    void aLongPasswordWithATwoByteCharacterAgreesWithGlibc() {
        // Python's crypt.crypt("x" * 200 + "é", "$6$rounds=1000$abc"): blocks of 64 bytes and a tail.
        assertThat(Passwords.matches("$6$rounds=1000$abc$ojdNSYSviwmvc9yT8VhMgBw4IYuz9ntw..PkYhjbqCqzNh42x2zodjls2o"
                + "DqKctOzp9hWgg1N7UVjCJsQ7ZBl0", "x".repeat(200) + "é")).isTrue();
    }

    @Test
    void roundsBelowTheMinimumAreRaisedAsTheSpecificationSays() {
        assertThat(Sha512Crypt.crypt("the minimum number is still observed".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Sha512Crypt.Setting.parse("$6$rounds=10$roundstoolow")))
                .isEqualTo("$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.");
    }

    @Test
    void argon2idAgreesWithDovecot() {
        // doveadm pw -s ARGON2ID -p secret (libsodium: 64 MiB, 3 passes, 1 lane)
        String stored = "$argon2id$v=19$m=65536,t=3,p=1$ft6eUNXe9g6fhwWIq2kAqg$f44xqvW2HQ2wjb7fDTxgImH7V3kuPGJi9T5ASZHj1BE";
        assertThat(Passwords.Scheme.of(stored)).isEqualTo(Passwords.Scheme.ARGON2ID);
        assertThat(Passwords.matches(stored, "secret")).isTrue();
        assertThat(Passwords.matches(stored, "Secret")).isFalse();
    }

    @Test
    void newHashesOfEachSchemeCheckAndCarryTheirWork() {
        for (var scheme : Passwords.Scheme.values()) {
            String hash = Passwords.hash("pässword".toCharArray(), scheme);
            assertThat(Passwords.Scheme.of(hash)).isEqualTo(scheme);
            assertThat(Passwords.matches(hash, "pässword")).as(hash).isTrue();
            assertThat(Passwords.matches(hash, "password")).as(hash).isFalse();
            assertThat(Passwords.hash("pässword".toCharArray(), scheme)).as("a new salt each time").isNotEqualTo(hash);
        }
        assertThat(Passwords.Work.of(Passwords.hash("x".toCharArray(), Passwords.Scheme.SHA512_CRYPT)).cost())
                .isEqualTo("5000");
        assertThat(Passwords.Work.of(Passwords.hash("x".toCharArray(), Passwords.Scheme.ARGON2ID)).cost())
                .isEqualTo("65536,3,1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$2y$12$broken", "$2y$99$abc", "$6$", "$6$rounds=$salt$x", "$6$rounds=12x$salt$x", "$6$rounds=99999999999$s$x",
        "$6$salt", "$argon2id$", "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ",
        "$argon2id$v=18$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        "$argon2id$v=19$m=99999999,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        "$argon2id$v=19$m=65536,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
        "$argon2id$v=19$m=65536,t=3,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2g",
        "$argon2id$v=19$m=65536,t=3,p=1$c2Fs!$aGFzaGhhc2g",
        "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ=$aGFzaGhhc2g"})
    void aMalformedOrOverlargeHashNeverMatchesAndNeverThrows(String stored) {
        assertThat(Passwords.matches(stored, "")).isFalse();
        assertThat(Passwords.matches(stored, "salt")).isFalse();
    }

    @Test
    void aHashAskingTooMuchWorkIsRefusedAtOnceInsteadOfHoldingAPasswordThread() {
        long start = System.nanoTime();
        assertThat(Passwords.matches("$6$rounds=999999999$abc$xyz", "x")).isFalse();
        assertThat(Passwords.matches("$2y$20$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE", "x")).isFalse();
        assertThat(Passwords.matches("$argon2id$v=19$m=262144,t=64,p=16$c2FsdHNhbHQ$aGFzaGhhc2g", "x")).isFalse();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(1));
        assertThat(Passwords.Stored.of("{SHA512-CRYPT}$6$rounds=5000000$abc$xyz", false).problem())
                .contains("asks more work than Mailflow runs for one check");
        assertThat(Passwords.Work.of("$6$rounds=999999999$abc$xyz")).as("the dummy never follows it").isNull();
    }

    @Test
    void dovecotsSchemePrefixesGiveTheHashOrSayWhyNot() {
        String sha = "$6$s2rwlaK9g9KwMQbM$q7IWtdhUkzzrgG6SBzH4Nh8SNN4ElYDz9TiBBPLxsghuIyPMVH.rVSeRldgxuWucnAwWTbdIDGCDxn9r0y9YJ1";
        assertThat(Passwords.Stored.of("{SHA512-CRYPT}" + sha).value()).isEqualTo(sha);
        assertThat(Passwords.Stored.of("{CRYPT}" + sha).value()).isEqualTo(sha);
        assertThat(Passwords.Stored.of("{PLAIN}{not a scheme}").value()).isEqualTo("{not a scheme}");
        assertThat(Passwords.Stored.of("no prefix").value()).isEqualTo("no prefix");
        assertThat(Passwords.Stored.of("{not a scheme} password").value()).as("not a scheme name: plain text")
                .isEqualTo("{not a scheme} password");
        assertThat(Passwords.Stored.of("$1$abcdefgh$Zx6pPfJYe6lLAs0yBk4iF.", false).problem())
                .as("in a table, an unknown crypt is no plain password").contains("has no {SCHEME} prefix");
        assertThat(Passwords.Stored.of("secret", false).value()).isNull();
        assertThat(Passwords.Stored.of("{PLAIN}secret", false).value()).isEqualTo("secret");
        var ssha = Passwords.Stored.of("{SSHA512}abc");
        assertThat(ssha.value()).isNull();
        assertThat(ssha.problem()).isEqualTo("it is in the {SSHA512} scheme, which Mailflow cannot check (use "
                + "{BLF-CRYPT}, {SHA512-CRYPT} or {ARGON2ID}: 'mailflow passwd --scheme ... --dovecot' or "
                + "'doveadm pw -s ...' makes them)");
        assertThat(Passwords.Stored.of("{ARGON2ID}" + sha).problem()).isEqualTo("it is marked {ARGON2ID} but is not a "
                + "hash of that form");
    }

    @Test
    void theDummyFollowsTheWorkOfTheHashesActuallyChecked() {
        var check = new PasswordVerifier.FullCostCheck(Passwords.Work.of(Passwords.dummyHash(4)));
        String sha = Passwords.hash("right".toCharArray(), Passwords.Scheme.SHA512_CRYPT);
        assertThat(check.test(null, "x")).isFalse();
        assertThat(check.work().scheme()).isEqualTo(Passwords.Scheme.BCRYPT);
        assertThat(check.test(sha, "right")).isTrue();
        assertThat(check.work()).as("an unknown account now costs a SHA-512 crypt")
                .isEqualTo(Passwords.Work.of(sha));
        assertThat(check.test(null, "right")).isFalse();
        assertThat(check.test("$6$broken", "right")).isFalse();
        assertThat(check.test("plain", "plain")).isTrue();
    }
}
