package dev.mailflow.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.smtp.MailAddress;
import dev.mailflow.testing.InMemoryLdap;
import dev.mailflow.testing.TestPki;
import dev.mailflow.tlspolicy.TrustAnchors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LDAP provider against UnboundID's in-memory server ({@code directory.ldif}): mailboxes,
 * alternate addresses, forwarding, several entries, the domains of the file and of a search,
 * the catch-all of "@domain"; hostile addresses that would widen the filter; AUTH by a bind;
 * a server that is down (unavailable, never "unknown"), the stale cache within the grace, and
 * TLS (LDAPS and StartTLS, trusted, untrusted, and a certificate for another host).
 */
class LdapDirectoryTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (var c : open.reversed()) {
            c.close();
        }
    }

    private static MailAddress a(String address) {
        int at = address.lastIndexOf('@');
        return new MailAddress(address.substring(0, at), address.substring(at + 1));
    }

    private InMemoryLdap ldap() throws Exception {
        var ldap = InMemoryLdap.start();
        open.add(ldap);
        return ldap;
    }

    private LdapServers servers(String url, boolean startTls, SSLContext tls) {
        var s = LdapServers.open(new LdapServers.Settings(List.of(LdapServers.parseUrl(url)), startTls,
                tls == null ? TrustAnchors.system().sslContext() : tls, InMemoryLdap.SERVICE_DN,
                InMemoryLdap.SERVICE_PASSWORD, Duration.ofSeconds(2), Duration.ofSeconds(3)));
        open.add(s);
        return s;
    }

    private static LdapDirectory.Search search() {
        var d = LdapDirectory.Search.defaults(InMemoryLdap.PEOPLE);
        return new LdapDirectory.Search(d.base(), d.scope(), d.queryFilter(), d.resultAttribute(),
                d.forwardAttribute(), InMemoryLdap.DOMAINS, "(associatedDomain=%s)", d.domainAttribute());
    }

    private LdapDirectory directory(LdapServers servers, LdapDirectory.Search search, Duration ttl, Duration grace) {
        return new LdapDirectory(servers, search, List.of(new AcceptedDomain("listed.test", a("kate@db.test"))), ttl,
                grace);
    }

    private LdapDirectory directory(InMemoryLdap ldap) {
        return directory(servers(ldap.url(), false, null), search(), Duration.ofMinutes(1), Duration.ofMinutes(5));
    }

    @Test
    void mailboxesAliasesForwardsAndDomains() throws Exception {
        var d = directory(ldap());
        assertThat(d.lookup(a("kate@db.test"))).isEqualTo(RecipientStatus.MAILBOX);
        assertThat(d.mailbox(a("KATE@DB.test")).address()).isEqualTo(a("kate@db.test"));
        assertThat(d.mailbox(a("kate@db.test")).password()).as("never read").isNull();

        assertThat(d.lookup(a("k@db.test"))).as("an alternate address").isEqualTo(RecipientStatus.ALIAS);
        assertThat(d.alias(a("k@db.test")).targets()).containsExactly(a("kate@db.test"));
        assertThat(d.mailbox(a("k@db.test"))).isNull();

        assertThat(d.lookup(a("chris@db.test"))).as("forwarding wins").isEqualTo(RecipientStatus.ALIAS);
        assertThat(d.alias(a("chris@db.test")).targets())
                .containsExactly(a("chris@elsewhere.example"), a("kate@db.test"));
        assertThat(d.mailbox(a("chris@db.test"))).as("still a mailbox: AUTH, send as").isNotNull();

        assertThat(d.lookup(a("sales@db.test"))).as("two entries").isEqualTo(RecipientStatus.ALIAS);
        assertThat(d.alias(a("sales@db.test")).targets()).containsExactlyInAnyOrder(a("ann@db.test"), a("bob@db.test"));

        assertThat(d.lookup(a("nobody@db.test"))).isEqualTo(RecipientStatus.UNKNOWN_USER);
        assertThat(d.lookup(a("postmaster@db.test"))).isEqualTo(RecipientStatus.MAILBOX);
        assertThat(d.postmasterMailbox("db.test").address()).isEqualTo(a("postmaster@db.test"));

        assertThat(d.lookup(a("kate@other.test"))).isEqualTo(RecipientStatus.NOT_OURS);
        assertThat(d.isAcceptedDomain("DB.TEST")).isTrue();
        assertThat(d.isAcceptedDomain("listed.test")).as("from the file, no search").isTrue();
        assertThat(d.lookup(a("anyone@catch.test"))).as("the entry of @catch.test").isEqualTo(RecipientStatus.CATCH_ALL);
        assertThat(d.acceptedDomain("catch.test").catchAll()).isEqualTo(a("kate@db.test"));
        assertThat(d.lookup(a("anyone@listed.test"))).as("catch_all of the file").isEqualTo(RecipientStatus.CATCH_ALL);
        assertThat(d.acceptedDomain("db.test").catchAll()).isNull();

        assertThat(d.acceptedDomains()).extracting(AcceptedDomain::name)
                .containsExactlyInAnyOrder("listed.test", "db.test", "catch.test");
        assertThat(d.mailboxes()).extracting(m -> m.address().toString())
                .containsExactlyInAnyOrder("kate@db.test", "postmaster@db.test", "ann@db.test", "bob@db.test");
        assertThat(d.aliases()).extracting(x -> x.address().toString()).containsExactly("chris@db.test");
        assertThat(d.describe()).matches("LDAP at ldap://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void hostileAddressesAreValuesNotFilters() throws Exception {
        var ldap = ldap();
        var d = directory(ldap);
        for (String local : List.of("*", "\"*)(uid=*\"", "\"kate@db.test)(mail=*\"", "\"*)(|(mail=*\"",
                "\"\\\\2a\"", "k*")) {
            assertThat(d.lookup(new MailAddress(local, "db.test"))).as(local).isEqualTo(RecipientStatus.UNKNOWN_USER);
            assertThat(d.authenticate(new MailAddress(local, "db.test"), "secret")).as(local).isNull();
        }
        // A filter on the local part alone, where "*" unescaped would find every person.
        var byUid = new LdapDirectory.Search(InMemoryLdap.PEOPLE, "sub", "(&(objectClass=inetOrgPerson)(uid=%u))",
                "mail", "mailForwardingAddress", InMemoryLdap.DOMAINS, "(associatedDomain=%s)", "associatedDomain");
        var u = directory(servers(ldap.url(), false, null), byUid, Duration.ofMinutes(1), Duration.ofMinutes(1));
        assertThat(u.lookup(a("kate@db.test"))).isEqualTo(RecipientStatus.MAILBOX);
        assertThat(u.lookup(a("*@db.test"))).isEqualTo(RecipientStatus.UNKNOWN_USER);
        assertThat(u.lookup(new MailAddress("\"kate)(uid=*\"", "db.test"))).isEqualTo(RecipientStatus.UNKNOWN_USER);
        assertThat(u.acceptedDomain("catch.test").catchAll()).as("%u of @domain: no search").isNull();

        assertThat(LdapDirectory.escape("*)(uid=*")).isEqualTo("\\2a\\29\\28uid=\\2a");
        assertThat(LdapDirectory.escape("a\\b\u0000c\r")).isEqualTo("a\\5cb\\00c\\0d");
        assertThat(LdapDirectory.expand("(mail=%s)(x=%u)(y=%d)(p=100%%)", "k*", "db.test"))
                .isEqualTo("(mail=k\\2a@db.test)(x=k\\2a)(y=db.test)(p=100%)");
        assertThatThrownBy(() -> LdapDirectory.checkFilter("(mail=%x)")).hasMessageContaining("%x");
        assertThatThrownBy(() -> LdapDirectory.checkFilter("(mail=%s")).hasMessageContaining("not an LDAP filter");
    }

    @Test
    void authenticationIsABindAsTheUser() throws Exception {
        var d = directory(ldap());
        assertThat(d.checksPasswords()).isTrue();
        assertThat(d.authenticate(a("kate@db.test"), "secret").address()).isEqualTo(a("kate@db.test"));
        assertThat(d.authenticate(a("K@db.test"), "secret").address()).as("by an alternate address")
                .isEqualTo(a("kate@db.test"));
        assertThat(d.authenticate(a("kate@db.test"), "wrong")).isNull();
        assertThat(d.authenticate(a("kate@db.test"), "")).as("an unauthenticated bind is no check").isNull();
        assertThat(d.authenticate(a("nobody@db.test"), "secret")).isNull();
        assertThat(d.authenticate(null, "secret")).isNull();
        assertThat(d.authenticate(a("sales@db.test"), "ann-pw")).as("several entries").isNull();
        assertThat(d.authenticate(a("chris@db.test"), "chris-pw").address()).as("a forwarding account logs in")
                .isEqualTo(a("chris@db.test"));
        assertThat(d.authenticate(a("kate@db.test"), "secret")).as("after failures, again").isNotNull();
    }

    @Test
    void aServerThatIsDownIsUnavailableAndTheCacheServesWithinTheGrace() throws Exception {
        var ldap = ldap();
        var d = directory(servers(ldap.url(), false, null), search(), Duration.ofMillis(300), Duration.ofHours(1));
        assertThat(d.lookup(a("kate@db.test"))).isEqualTo(RecipientStatus.MAILBOX);
        assertThat(d.lookup(a("gone@db.test"))).isEqualTo(RecipientStatus.UNKNOWN_USER);

        ldap.stop();
        Thread.sleep(400); // past the ttl: only the grace keeps the answers
        assertThat(d.lookup(a("kate@db.test"))).as("stale, within the grace").isEqualTo(RecipientStatus.MAILBOX);
        assertThat(d.lookup(a("gone@db.test"))).as("a cached no too").isEqualTo(RecipientStatus.UNKNOWN_USER);
        assertThatThrownBy(() -> d.lookup(a("new@db.test"))).isInstanceOf(DirectoryUnavailable.class)
                .hasMessageMatching("LDAP at ldap://127\\.0\\.0\\.1:\\d+ does not answer: connection refused");
        assertThatThrownBy(() -> d.authenticate(a("kate@db.test"), "secret")).as("a bind is never cached")
                .isInstanceOf(DirectoryUnavailable.class);
        assertThatThrownBy(d::mailboxes).isInstanceOf(DirectoryUnavailable.class);

        ldap.startAgain();
        Thread.sleep(CachedLookups.RETRY_AFTER.toMillis() + 300); // a failed server is left alone that long
        assertThat(d.lookup(a("new@db.test"))).isEqualTo(RecipientStatus.UNKNOWN_USER);
        assertThat(d.authenticate(a("kate@db.test"), "secret")).as("the dead pooled connection is replaced")
                .isNotNull();
    }

    @Test
    void aServerThatNeverWasIsUnavailableAtOnce() throws Exception {
        int port = dev.mailflow.testing.Dnsmasq.freePort();
        var d = directory(servers("ldap://127.0.0.1:" + port, false, null), search(), Duration.ofMinutes(1),
                Duration.ofMinutes(5));
        assertThat(d.isAcceptedDomain("listed.test")).as("the file's domains need no server").isTrue();
        long start = System.nanoTime();
        assertThatThrownBy(() -> d.lookup(a("kate@db.test"))).isInstanceOf(DirectoryUnavailable.class)
                .hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> d.authenticate(a("kate@db.test"), "secret")).isInstanceOf(DirectoryUnavailable.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersTimesOut() throws Exception {
        try (var silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            var held = new java.util.concurrent.CopyOnWriteArrayList<java.net.Socket>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (java.io.IOException e) {
                    // closed at the end
                }
            });
            var s = LdapServers.open(new LdapServers.Settings(List.of(LdapServers.parseUrl("ldap://127.0.0.1:"
                    + silent.getLocalPort())), false, TrustAnchors.system().sslContext(), InMemoryLdap.SERVICE_DN,
                    InMemoryLdap.SERVICE_PASSWORD, Duration.ofSeconds(1), Duration.ofSeconds(1)));
            open.add(s);
            var d = directory(s, search(), Duration.ofMinutes(1), Duration.ofMinutes(1));
            long start = System.nanoTime();
            assertThatThrownBy(() -> d.lookup(a("kate@db.test"))).isInstanceOf(DirectoryUnavailable.class)
                    .hasMessageEndingWith("does not answer: timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            for (var h : held) {
                h.close();
            }
        }
    }

    @Test
    void ldapsAndStartTlsCheckTheCertificateAndItsHost() throws Exception {
        var ca = TestPki.root("Mailflow LDAP test CA");
        var cert = ca.issue(new TestPki.Leaf().dns("ldap.test").ip("127.0.0.1"));
        var trusting = TrustAnchors.only(List.of(ca.certificate())).sslContext();
        for (var mode : List.of(InMemoryLdap.Mode.LDAPS, InMemoryLdap.Mode.START_TLS)) {
            var ldap = InMemoryLdap.start(mode, cert.serverContext());
            open.add(ldap);
            boolean startTls = mode == InMemoryLdap.Mode.START_TLS;
            var good = directory(servers(ldap.url(), startTls, trusting), search(), Duration.ofMinutes(1),
                    Duration.ofMinutes(1));
            assertThat(good.lookup(a("kate@db.test"))).as(mode.name()).isEqualTo(RecipientStatus.MAILBOX);
            assertThat(good.authenticate(a("kate@db.test"), "secret")).as(mode.name()).isNotNull();
            if (startTls) {
                assertThat(good.describe()).endsWith("(StartTLS)");
            }

            var untrusted = directory(servers(ldap.url(), startTls, null), search(), Duration.ofMinutes(1),
                    Duration.ofMinutes(1));
            assertThatThrownBy(() -> untrusted.lookup(a("kate@db.test"))).as(mode.name())
                    .isInstanceOf(DirectoryUnavailable.class).hasMessageContaining("certificate is not trusted");
        }
        var otherHost = ca.issue(new TestPki.Leaf().dns("elsewhere.test"));
        var ldap = InMemoryLdap.start(InMemoryLdap.Mode.LDAPS, otherHost.serverContext());
        open.add(ldap);
        var wrongName = directory(servers(ldap.url(), false, trusting), search(), Duration.ofMinutes(1),
                Duration.ofMinutes(1));
        assertThatThrownBy(() -> wrongName.lookup(a("kate@db.test"))).isInstanceOf(DirectoryUnavailable.class)
                .hasMessageContaining("does not name its host");
    }
}
