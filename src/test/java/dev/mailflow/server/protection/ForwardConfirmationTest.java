package dev.mailflow.server.protection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.Zone;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Forward-confirmed reverse DNS against an in-memory zone. */
class ForwardConfirmationTest {

    private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();

    private static ReverseDns lookup(DnsResolver dns, String client) throws Exception {
        return ForwardConfirmation.lookup(dns, InetAddress.getByName(client),
                System.nanoTime() + Duration.ofSeconds(5).toNanos(), THREADS);
    }

    @Test
    void aPtrNameThatLeadsBackIsConfirmed() throws Exception {
        var zone = Zone.builder().ptr("192.0.2.25", "Mail.Example.Test.").a("mail.example.test", "192.0.2.25")
                .build();
        var r = lookup(zone, "192.0.2.25");
        assertThat(r.status()).isEqualTo(ReverseDns.Status.CONFIRMED);
        assertThat(r.name()).isEqualTo("mail.example.test");
        assertThat(r.clientName()).isEqualTo("mail.example.test");
        assertThat(r.ptrName()).isEqualTo("mail.example.test");
        assertThat(zone.queries()).containsExactly("25.2.0.192.in-addr.arpa PTR", "mail.example.test A");
    }

    @Test
    void ipv6AsksAaaa() throws Exception {
        var zone = Zone.builder().ptr("2001:db8::25", "mx6.example.test").aaaa("mx6.example.test", "2001:db8::25")
                .build();
        var r = lookup(zone, "2001:db8::25");
        assertThat(r.confirmed()).isTrue();
        assertThat(zone.queries()).last().isEqualTo("mx6.example.test AAAA");
    }

    @Test
    void theFirstNameThatLeadsBackWinsAmongSeveral() throws Exception {
        var zone = Zone.builder().ptr("192.0.2.7", "liar.example.test").ptr("192.0.2.7", "real.example.test")
                .a("liar.example.test", "198.51.100.1").a("real.example.test", "192.0.2.7").build();
        var r = lookup(zone, "192.0.2.7");
        assertThat(r.name()).isEqualTo("real.example.test");
        assertThat(r.ptrNames()).containsExactly("liar.example.test", "real.example.test");
    }

    @Test
    void aPtrThatDoesNotLeadBackIsUnconfirmed() throws Exception {
        var zone = Zone.builder().ptr("192.0.2.8", "forged.example.test").a("forged.example.test", "198.51.100.1")
                .build();
        var r = lookup(zone, "192.0.2.8");
        assertThat(r.status()).isEqualTo(ReverseDns.Status.UNCONFIRMED);
        assertThat(r.clientName()).isEqualTo("unknown");
        assertThat(r.ptrName()).isEqualTo("forged.example.test");
        assertThat(r.detail()).isEqualTo("PTR forged.example.test does not resolve back to 192.0.2.8");
    }

    @Test
    void noPtrAndFailures() throws Exception {
        assertThat(lookup(Zone.builder().build(), "192.0.2.9").status()).isEqualTo(ReverseDns.Status.NO_PTR);
        var servfail = Zone.builder().servfail("9.2.0.192.in-addr.arpa").build();
        var r = lookup(servfail, "192.0.2.9");
        assertThat(r.status()).isEqualTo(ReverseDns.Status.TEMPFAIL);
        assertThat(r.detail()).contains("SERVFAIL");
        // the forward lookup fails: temporary, not "unconfirmed"
        var forward = Zone.builder().ptr("192.0.2.9", "mx.example.test").timeout("mx.example.test").build();
        assertThat(lookup(forward, "192.0.2.9").status()).isEqualTo(ReverseDns.Status.TEMPFAIL);
    }

    @Test
    void atMostTenPtrNamesAreFollowed() throws Exception {
        var b = Zone.builder();
        for (int i = 0; i < 15; i++) {
            b.ptr("192.0.2.10", "n" + i + ".example.test").a("n" + i + ".example.test", "198.51.100.1");
        }
        b.a("n14.example.test", "192.0.2.10");
        var zone = b.build();
        var r = lookup(zone, "192.0.2.10");
        assertThat(r.status()).isEqualTo(ReverseDns.Status.UNCONFIRMED);
        assertThat(r.ptrNames()).hasSize(ForwardConfirmation.MAX_PTR_NAMES);
        assertThat(zone.queries()).hasSize(1 + ForwardConfirmation.MAX_PTR_NAMES);
    }
}
