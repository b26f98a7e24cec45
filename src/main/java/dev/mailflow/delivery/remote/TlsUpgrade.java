package dev.mailflow.delivery.remote;

import dev.mailflow.client.NetworkErrors;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.delivery.tls.HostPolicy;
import dev.mailflow.delivery.tls.PeerCheck;
import dev.mailflow.delivery.tls.TlsReporter;
import dev.mailflow.queue.DeliveryCodes;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.TlsSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STARTTLS on an open session as the host's {@link HostPolicy} says (RFC 3207, RFC 7435, RFC
 * 7672 2.2, RFC 8461 5): skipped under {@code none}; when TLS is required, a peer that does not
 * offer it, refuses it, fails the handshake or presents a certificate the policy's check refuses
 * gets nothing of the message (deferred with 4.7.5 and the reason), never plaintext. Without a
 * requirement, a failed handshake is tried again in plaintext, and MTA-STS {@code testing}
 * reports a failed check and delivers. The certificate is checked after the handshake, before
 * MAIL FROM. Each check's outcome goes to the {@link TlsReporter} (TLS-RPT).
 */
final class TlsUpgrade {

    private static final Logger LOG = LoggerFactory.getLogger(TlsUpgrade.class);

    /** What the session does next. */
    sealed interface Step {
    }

    /** Go on, over TLS or not, as the summary says. */
    record Proceed(TlsSummary summary) implements Step {
    }

    /** The handshake failed and nothing requires TLS: a new connection, in plaintext. */
    record Retry() implements Step {
    }

    /** The policy was not met: quit, with this outcome for every recipient. */
    record Refuse(DeliveryOutcome outcome) implements Step {
    }

    private final SSLSocketFactory factory;
    private final String hostname;
    private final TlsReporter reporter;

    /**
     * @param factory  TLS that accepts any chain: the policy's check judges it afterwards
     * @param hostname our EHLO name, said again after the handshake
     */
    TlsUpgrade(SSLSocketFactory factory, String hostname, TlsReporter reporter) {
        this.factory = factory;
        this.hostname = hostname;
        this.reporter = reporter;
    }

    /**
     * @param smart  the send connector, or null (its "requires TLS" keeps the 4.7.0 it always had)
     * @param tryTls false on the plaintext retry after a failed handshake
     */
    Step upgrade(SmtpClient client, String mx, RemoteDelivery.Hop hop, HostPolicy policy, boolean smart,
                 boolean tryTls) throws IOException {
        String where = hop.where();
        InetAddress ip = client.remote().getAddress();
        boolean offered = client.capabilities().startTls();
        if (policy.level() == HostPolicy.Level.NONE) {
            return new Proceed(new TlsSummary(null, null, policy.policy(), null));
        }
        if (!tryTls || !offered) {
            String why = !offered ? where + " offers no STARTTLS" : where + " failed the TLS handshake";
            if (policy.requiresTls()) {
                report(client, policy, mx, ip, "starttls-not-supported", why);
                var status = smart ? DeliveryCodes.SECURITY : DeliveryCodes.TLS_POLICY;
                return new Refuse(new DeliveryOutcome.Deferred(status, why + ", and " + requirement(policy, smart)));
            }
            if (policy.check() != null) {
                report(client, policy, mx, ip, "starttls-not-supported", why); // MTA-STS testing: delivered all the same
            }
            return new Proceed(new TlsSummary(null, null, policy.policy(), null));
        }
        dev.mailflow.smtp.Reply reply;
        try {
            reply = client.startTls(factory, mx);
        } catch (SSLException e) {
            String why = "TLS handshake with " + where + " failed: " + NetworkErrors.describe(e);
            if (policy.requiresTls()) {
                report(client, policy, mx, ip, "validation-failure", why);
                var status = smart ? DeliveryCodes.SECURITY : DeliveryCodes.TLS_POLICY;
                return new Refuse(new DeliveryOutcome.Deferred(status, why + ", and " + requirement(policy, smart)));
            }
            if (policy.check() != null) {
                report(client, policy, mx, ip, "validation-failure", why);
            }
            LOG.info("{}; trying again without TLS", why);
            return new Retry();
        } catch (IOException e) {
            // A handshake that stalled past its deadline or a connection reset during it.
            if (!policy.requiresTls() && policy.check() == null) {
                throw e;
            }
            String why = "TLS handshake with " + where + " failed: " + NetworkErrors.describe(e);
            report(client, policy, mx, ip, "validation-failure", why);
            if (!policy.requiresTls()) {
                throw e;
            }
            client.close();
            var status = smart ? DeliveryCodes.SECURITY : DeliveryCodes.TLS_POLICY;
            return new Refuse(new DeliveryOutcome.Deferred(status, why + ", and " + requirement(policy, smart)));
        }
        if (reply.code() != 220) {
            String why = where + " refused STARTTLS (" + reply.code() + " " + String.join(" ", reply.lines()) + ")";
            if (policy.requiresTls()) {
                report(client, policy, mx, ip, "starttls-not-supported", why);
                var status = smart ? DeliveryCodes.SECURITY : DeliveryCodes.TLS_POLICY;
                return new Refuse(new DeliveryOutcome.Deferred(status, why + ", and " + requirement(policy, smart)));
            }
            if (policy.check() != null) {
                report(client, policy, mx, ip, "starttls-not-supported", why);
            }
            return new Proceed(new TlsSummary(null, null, policy.policy(), null));
        }
        var session = client.tlsSocket().getSession();
        String by = null;
        if (policy.check() != null) {
            X509Certificate[] chain;
            try {
                Certificate[] certs = session.getPeerCertificates();
                chain = new X509Certificate[certs.length];
                for (int i = 0; i < certs.length; i++) {
                    chain[i] = (X509Certificate) certs[i];
                }
            } catch (SSLPeerUnverifiedException | ClassCastException e) {
                chain = new X509Certificate[0];
            }
            var verdict = policy.check().check(chain);
            switch (verdict) {
                case PeerCheck.Authenticated a -> by = a.by();
                case PeerCheck.Refused r -> {
                    String why = where + ": " + brief(r.reason());
                    report(client, policy, mx, ip, r.resultType(), why);
                    if (policy.enforce()) {
                        return new Refuse(new DeliveryOutcome.Deferred(smart ? DeliveryCodes.SECURITY
                                : DeliveryCodes.TLS_POLICY, why + " (" + policy.policy() + ")"));
                    }
                    LOG.info("{} ({}: delivered all the same)", why, policy.policy());
                }
            }
        }
        if (by != null || policy.check() == null) {
            if (policy.report() != null) {
                reporter.success(policy.report(), mx, ip, client.localAddress(), client.ehloDomain());
            }
        }
        client.ehlo(hostname);
        LOG.debug("TLS to {}: {} {}", where, session.getProtocol(), session.getCipherSuite());
        return new Proceed(new TlsSummary(session.getProtocol(), session.getCipherSuite(), policy.policy(), by));
    }

    /** At most 600 characters of a reason (a hostile zone can publish a thousand TLSA records). */
    static String brief(String reason) {
        return reason.length() <= 600 ? reason : reason.substring(0, 600) + "... (" + reason.length()
                + " characters in all)";
    }

    private static String requirement(HostPolicy policy, boolean smart) {
        return smart ? "the send connector requires TLS" : "the TLS policy (" + policy.policy() + ") requires TLS";
    }

    private void report(SmtpClient client, HostPolicy policy, String mx, InetAddress ip, String resultType,
                        String reason) {
        if (policy.report() != null) {
            reporter.failure(policy.report(), mx, ip, client.localAddress(), client.ehloDomain(), resultType, reason);
        }
    }
}
