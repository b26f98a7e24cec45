package dev.mailflow.probe;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TlsaRecord;
import dev.mailflow.tlspolicy.WebPki;
import dev.mailflow.tlspolicy.dane.DaneLookup;
import dev.mailflow.tlspolicy.dane.DaneResult;
import dev.mailflow.tlspolicy.dane.DaneVerification;
import dev.mailflow.tlspolicy.dane.DaneVerifier;
import dev.mailflow.tlspolicy.dane.TlsaRecords;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's MX-TLS step, one per MX host: what a sender that checks TLS policies finds there.
 *
 * <ul>
 * <li><b>TLSA</b> (RFC 7672 2.2, RFC 6698 3): the records at {@code _<port>._tcp.<mx>} ({@link
 *     DaneLookup}: the MX's address records and any CNAME must be DNSSEC-validated too), which of
 *     them SMTP can use (DANE-TA 2 and DANE-EE 3, RFC 7672 3.1), and records published in an
 *     unsigned zone, which senders ignore.
 * <li><b>DNSSEC</b>: whether the answers were validated (the resolver's "authenticated" flag);
 *     a bogus or failed answer is named: a DANE sender defers mail (RFC 7672 2.2).
 * <li><b>DANE</b>: whether the certificate the MX presents after STARTTLS matches a usable
 *     record, and which ({@link DaneVerifier}, RFC 7672 3); an MX without STARTTLS fails.
 * <li><b>MTA-STS</b> (RFC 8461 4.1, 4.2), when the domain has a policy: whether the MX matches
 *     its {@code mx} patterns, and whether its certificate is WebPKI-valid for the MX name
 *     ({@link WebPki}); a failure is FAIL under {@code enforce}, WARN under {@code testing}.
 * </ul>
 *
 * <p>The certificate comes from the {@link PeerSource}: the probe's own session when it did
 * STARTTLS with this MX, else a short connection of its own (EHLO, STARTTLS, QUIT), made only
 * when DANE or an MTA-STS policy applies. No SMTP I/O here.
 */
final class MxTlsStep {

    /** What connecting to the MX for its certificate gave. */
    sealed interface Peer {
        /** @param where "host [address]:port" */
        record Tls(List<X509Certificate> chain, String where) implements Peer {
        }

        record NoStartTls(String where) implements Peer {
        }

        /** Not connected or not checked, and why ("--starttls never", "could not connect: ..."). */
        record NotChecked(String why) implements Peer {
        }
    }

    /** Gets an MX's certificate chain. */
    @FunctionalInterface
    interface PeerSource {
        Peer peer(String host);
    }

    /** The possible reasons {@code key.1}, {@code key.2}... of the bundle, in the current language. */
    private static String[] reasons(String key, int count) {
        var list = new String[count];
        for (int i = 0; i < count; i++) {
            list[i] = Messages.text(key + "." + (i + 1));
        }
        return list;
    }

    private static String[] daneMismatchReasons() {
        return reasons("mxTls.reason.daneMismatch", 3);
    }

    private static String[] bogusReasons() {
        return reasons("mxTls.reason.bogus", 4);
    }

    private static String[] webPkiReasons() {
        return reasons("mxTls.reason.webPki", 3);
    }

    private final DnsResolver dns;
    private final WebPki webPki;
    private final DaneVerifier verifier;
    private final int port;

    MxTlsStep(DnsResolver dns, WebPki webPki, DaneVerifier verifier, int port) {
        this.dns = dns;
        this.webPki = webPki;
        this.verifier = verifier;
        this.port = port;
    }

    /**
     * @param policy the domain's MTA-STS policy, or null when it has none
     * @return the step, and in its details whether a TLS policy (DANE or MTA-STS) applies
     */
    RecordsStep.Outcome run(String host, String domain, MtaStsPolicy policy, PeerSource peers) {
        var c = new PolicyCheck.Collector();
        var exchange = new ArrayList<String>();
        var details = new LinkedHashMap<String, Object>();
        details.put("host", host);
        details.put("port", port);
        String tlsaName = "_" + port + "._tcp." + host;
        details.put("tlsaName", tlsaName);

        DaneResult dane = new DaneLookup(dns).lookup(host, port);
        tlsa(c, exchange, details, dane, tlsaName);
        boolean mtaSts = policy != null && policy.mode() != MtaStsPolicy.Mode.NONE;
        boolean enforce = policy != null && policy.mode() == MtaStsPolicy.Mode.ENFORCE;
        boolean daneApplies = dane instanceof DaneResult.Usable || dane instanceof DaneResult.NoneUsable;
        details.put("policy", daneApplies ? "dane" : mtaSts ? "mta-sts" : dane instanceof DaneResult.TempFail
                ? "dane-tempfail" : "none");
        Peer peer = daneApplies || mtaSts ? peers.peer(host) : null;
        if (peer instanceof Peer.Tls t) {
            details.put("address", t.where());
        } else if (peer instanceof Peer.NoStartTls n) {
            details.put("address", n.where());
        }
        if (daneApplies) {
            dane(c, details, dane, peer, tlsaName);
        }
        if (!mtaSts) {
            c.skip("MTA-STS", Messages.text(policy == null ? "mxTls.noPolicy" : "mxTls.policyNone", domain));
            if (!daneApplies && !(dane instanceof DaneResult.TempFail)) {
                c.skip("Certificate", Messages.text("mxTls.opportunistic"));
            }
            return outcome(c, exchange, details);
        }
        if (policy.matches(host)) {
            c.pass("MTA-STS mx", Messages.text("mxTls.mx.matches", host, String.join(", ", policy.mx())));
        } else {
            mtaStsProblem(c, enforce, "MTA-STS mx", Messages.text(enforce ? "mxTls.mx.none.enforce"
                    : "mxTls.mx.none.testing", host, String.join(", ", policy.mx())),
                    Messages.text("mxTls.mx.none.reason", domain));
        }
        switch (peer) {
            case Peer.NotChecked n -> c.skip("WebPKI", Messages.text("mxTls.notChecked", n.why()));
            case Peer.NoStartTls n -> mtaStsProblem(c, enforce, "WebPKI", Messages.text("mxTls.webPki.noStartTls",
                    n.where()), Messages.text("mxTls.noStartTls.reason"));
            case Peer.Tls t -> {
                switch (webPki.check(t.chain(), host)) {
                    case WebPki.Valid v -> c.pass("WebPKI", Messages.text("mxTls.webPki.valid", t.where(), host,
                            v.certificateName(), v.issuer()));
                    case WebPki.Invalid i -> mtaStsProblem(c, enforce, "WebPKI", Messages.text("mxTls.webPki.invalid",
                            i.reason(), i.resultType()), webPkiReasons());
                }
            }
        }
        if (daneApplies && mtaSts) {
            c.skip("Precedence", Messages.text("mxTls.precedence"));
        }
        return outcome(c, exchange, details);
    }

    /** The DANE check of the certificate, for an MX whose TLSA records are validated. */
    private void dane(PolicyCheck.Collector c, Map<String, Object> details, DaneResult dane, Peer peer, String tlsaName) {
        switch (peer) {
            case Peer.NotChecked n -> c.skip("DANE", Messages.text("mxTls.notChecked", n.why()));
            case Peer.NoStartTls n -> c.fail("DANE", Messages.text("mxTls.dane.noStartTls", n.where(), tlsaName),
                    Messages.text("mxTls.dane.noStartTls.reason"));
            case Peer.Tls t -> {
                if (dane instanceof DaneResult.Usable u) {
                    switch (verifier.verify(t.chain(), u)) {
                        case DaneVerification.Matched m -> {
                            details.put("daneMatched", TlsaRecords.describe(m.record()));
                            c.pass("DANE", Messages.text("mxTls.dane.matched", t.where(), m.how()));
                        }
                        case DaneVerification.Failed f -> c.fail("DANE", f.reason(), daneMismatchReasons());
                    }
                } else {
                    c.warn("DANE", Messages.text("mxTls.dane.noneUsable", t.where()));
                }
            }
        }
    }

    private static void mtaStsProblem(PolicyCheck.Collector c, boolean enforce, String name, String detail,
            String... why) {
        if (enforce) {
            c.fail(name, detail, why);
        } else {
            c.warn(name, Messages.text("mxTls.testing", detail), why);
        }
    }

    private void tlsa(PolicyCheck.Collector c, List<String> exchange, Map<String, Object> details, DaneResult dane,
            String tlsaName) {
        switch (dane) {
            case DaneResult.Usable u -> {
                u.usable().forEach(r -> exchange.add(tlsaName + " TLSA " + text(r)));
                details.put("tlsa", u.usable().stream().map(MxTlsStep::text).toList());
                details.put("dnssec", "secure");
                c.pass("TLSA", u.describe());
                c.pass("DNSSEC", Messages.text("mxTls.dnssec.secure"));
            }
            case DaneResult.NoneUsable n -> {
                n.all().forEach(r -> exchange.add(tlsaName + " TLSA " + text(r)));
                details.put("tlsa", n.all().stream().map(MxTlsStep::text).toList());
                details.put("dnssec", "secure");
                c.warn("TLSA", n.describe(), Messages.text("mxTls.tlsa.noneUsable.reason"));
                c.pass("DNSSEC", Messages.text("mxTls.dnssec.secure"));
            }
            case DaneResult.TempFail t -> {
                details.put("tlsa", null);
                boolean bogus = t.why().toLowerCase(java.util.Locale.ROOT).contains("bogus");
                details.put("dnssec", bogus ? "bogus" : "failed");
                exchange.add(Messages.text("records.noAnswer.line", tlsaName));
                if (bogus) {
                    c.fail("DNSSEC", t.why(), bogusReasons());
                } else {
                    c.fail("DNSSEC", Messages.text("mxTls.dnssec.servfail", t.why()), bogusReasons());
                }
            }
            case DaneResult.NotDane n -> {
                var raw = dns.tlsa(tlsaName);
                if (raw instanceof DnsAnswer.Found<TlsaRecord> f) {
                    f.records().forEach(r -> exchange.add(tlsaName + " TLSA " + text(r)));
                    details.put("tlsa", f.records().stream().map(MxTlsStep::text).toList());
                    details.put("dnssec", "insecure");
                    c.warn("TLSA", Messages.text("mxTls.tlsa.unsigned", f.records().size(), tlsaName, n.why()),
                            Messages.text("mxTls.tlsa.unsigned.reason"));
                    c.warn("DNSSEC", Messages.text("mxTls.dnssec.insecure"));
                } else {
                    exchange.add(Messages.text("mxTls.tlsa.none.line", tlsaName));
                    details.put("tlsa", List.of());
                    details.put("dnssec", n.why().contains("not DNSSEC-signed") ? "insecure" : "n/a");
                    c.skip("TLSA", Messages.text("mxTls.tlsa.none", n.why()));
                }
            }
        }
    }

    private static RecordsStep.Outcome outcome(PolicyCheck.Collector c, List<String> exchange,
            Map<String, Object> details) {
        details.put("checks", c.json());
        return new RecordsStep.Outcome(c.status(), List.copyOf(exchange), c.lines(), List.copyOf(c.reasons), details);
    }

    /** "3 1 1 abcdef...", as a zone file has it (digests whole, full data shortened). */
    static String text(TlsaRecord r) {
        String hex = HexFormat.of().formatHex(r.data());
        if (hex.length() > 128) {
            hex = hex.substring(0, 64) + "...";
        }
        return r.usage() + " " + r.selector() + " " + r.matchingType() + " " + hex;
    }
}
