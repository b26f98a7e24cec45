package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.delivery.tls.HostPolicy;
import dev.mailflow.dns.Zone;
import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.tlspolicy.tlsrpt.ReporterIdentity;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS-RPT in the server: what delivery reports through {@link TlsReports} becomes, once the
 * UTC day is over, one report mail per domain that asks for it, queued from the report sender,
 * whose JSON counts that day's sessions (RFC 8460 4.4); a domain without a record gets none.
 */
class TlsReportsTest {

    @TempDir
    Path dir;

    static final class SettableClock extends Clock {
        volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aDayOfSessionsIsMailedOnceTheDayIsOver() throws Exception {
        var clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
        var dns = Zone.builder().txt("_smtp._tls.example.test", "v=TLSRPTv1; rua=mailto:tlsrpt@example.test").build();
        var store = new FileQueueStore(dir.resolve("queue"));
        var queued = new ArrayList<QueuedMessage>();
        var config = new TlsRptConfig(true, new ReporterIdentity("Mailflow Test", "postmaster@mx.test", "mx.test",
                "noreply-tlsrpt@mx.test"));
        try (var reports = new TlsReports(config, dir, "mx.test", dns, null, store, null, clock, queued::add)) {
            var sts = new HostPolicy.ReportedPolicy("sts", "example.test",
                    List.of("version: STSv1", "mode: enforce", "mx: mx.example.test", "max_age: 86400"));
            var ip = InetAddress.getByName("192.0.2.1");
            reports.success(sts, "mx.example.test", ip);
            reports.success(sts, "mx.example.test", ip);
            reports.failure(sts, "mx.example.test", ip, "certificate-host-mismatch",
                    "certificate for mx.other.test does not name mx.example.test");
            reports.success(HostPolicy.ReportedPolicy.none("quiet.test"), "mx.quiet.test", ip);
            assertThat(reports.isReport("noreply-tlsrpt@mx.test")).isTrue();
            assertThat(reports.isReport("kate@mx.test")).isFalse();

            assertThat(reports.runNow().sent()).as("the day is not over").isEmpty();
            clock.now = Instant.parse("2026-12-02T06:00:00Z");
            reports.runNow();
            assertThat(queued).hasSize(1);
            reports.runNow();
            assertThat(queued).as("sent once").hasSize(1);
        }
        var m = queued.get(0);
        assertThat(m.envelope().sender().toString()).isEqualTo("noreply-tlsrpt@mx.test");
        assertThat(m.envelope().recipients()).singleElement().satisfies(r ->
                assertThat(r.address().toString()).isEqualTo("tlsrpt@example.test"));
        assertThat(m.envelope().ours()).as("signed like our own mail").isTrue();
        byte[] content;
        try (var in = store.openContent(m.id())) {
            content = in.readAllBytes();
        }
        var mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(content));
        assertThat(mime.getMessageID()).isEqualTo(m.envelope().messageId());
        assertThat(mime.getHeader("TLS-Report-Domain")[0]).isEqualTo("example.test");
        Part gz = null;
        var parts = (Multipart) mime.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            if (parts.getBodyPart(i).isMimeType("application/tlsrpt+gzip")) {
                gz = parts.getBodyPart(i);
            }
        }
        assertThat(gz).isNotNull();
        var json = new ObjectMapper().readTree(new GZIPInputStream(gz.getInputStream()));
        assertThat(json.path("date-range").path("start-datetime").asText()).isEqualTo("2026-12-01T00:00:00Z");
        var policy = json.path("policies").get(0);
        assertThat(policy.path("policy").path("policy-type").asText()).isEqualTo("sts");
        assertThat(policy.path("policy").path("policy-domain").asText()).isEqualTo("example.test");
        assertThat(policy.path("summary").path("total-successful-session-count").asInt()).isEqualTo(2);
        assertThat(policy.path("summary").path("total-failure-session-count").asInt()).isEqualTo(1);
        assertThat(policy.path("failure-details").get(0).path("result-type").asText())
                .isEqualTo("certificate-host-mismatch");
    }
}
