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

    static final List<String> DANE_MISMATCH_REASONS = List.of(
            "The certificate (or its key) was replaced and the TLSA record not updated first: publish the new "
                    + "key's record beside the old one, wait for the TTL, then change the certificate (RFC 7671 8.1).",
            "The TLSA record was written for another certificate, another host or another port.",
            "Another address of this MX, or a load balancer in front of it, presents a different certificate.");
    static final List<String> BOGUS_REASONS = List.of(
            "The zone's signatures have expired or were not renewed: re-sign the zone.",
            "The DS record at the parent zone does not match the zone's key (a key rollover not finished).",
            "A record was changed after the zone was signed.",
            "A DANE sender defers mail to this MX while the answer is bogus (RFC 7672 2.2): it never falls back "
                    + "to plaintext or unchecked TLS.");
    static final List<String> WEBPKI_REASONS = List.of(
            "A self-signed certificate, or one from a private CA, which MTA-STS senders do not trust.",
            "The certificate names another host: it must name the MX host (RFC 8461 4.2).",
            "The certificate has expired, or the server does not send its intermediate CA certificate.");

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
            c.skip("MTA-STS", policy == null ? "no MTA-STS policy for " + domain
                    : "the policy of " + domain + " has mode none");
            if (!daneApplies && !(dane instanceof DaneResult.TempFail)) {
                c.skip("Certificate", "no DANE and no MTA-STS for this MX: senders use opportunistic TLS, "
                        + "without checking the certificate (see STARTTLS)");
            }
            return outcome(c, exchange, details);
        }
        if (policy.matches(host)) {
            c.pass("MTA-STS mx", host + " matches the policy's mx " + String.join(", ", policy.mx()));
        } else {
            mtaStsProblem(c, enforce, "MTA-STS mx", host + " matches none of the policy's mx patterns ("
                    + String.join(", ", policy.mx()) + "): " + (enforce ? "senders do not deliver to it"
                    : "senders deliver and report a failure"), "The policy's mx lines do not list this MX "
                    + "(a new MX host, or a typo): add it, or a *." + domain + " pattern, and change the id.");
        }
        switch (peer) {
            case Peer.NotChecked n -> c.skip("WebPKI", "the certificate was not checked: " + n.why());
            case Peer.NoStartTls n -> mtaStsProblem(c, enforce, "WebPKI", n.where() + " offers no STARTTLS: "
                    + "MTA-STS requires TLS (RFC 8461 4.2)", "TLS is not configured on this server or port, or "
                    + "something on the path removes STARTTLS from the EHLO reply.");
            case Peer.Tls t -> {
                switch (webPki.check(t.chain(), host)) {
                    case WebPki.Valid v -> c.pass("WebPKI", "the certificate of " + t.where() + " is valid for "
                            + host + " (" + v.certificateName() + ", issued by " + v.issuer() + ")");
                    case WebPki.Invalid i -> mtaStsProblem(c, enforce, "WebPKI", i.reason() + " ("
                            + i.resultType() + ")", WEBPKI_REASONS.toArray(String[]::new));
                }
            }
        }
        if (daneApplies && mtaSts) {
            c.skip("Precedence", "DANE applies to this MX: a sender that does both uses DANE, not MTA-STS "
                    + "(RFC 8461 2)");
        }
        return outcome(c, exchange, details);
    }

    /** The DANE check of the certificate, for an MX whose TLSA records are validated. */
    private void dane(PolicyCheck.Collector c, Map<String, Object> details, DaneResult dane, Peer peer, String tlsaName) {
        switch (peer) {
            case Peer.NotChecked n -> c.skip("DANE", "the certificate was not checked: " + n.why());
            case Peer.NoStartTls n -> c.fail("DANE", n.where() + " offers no STARTTLS, while " + tlsaName
                    + " promises TLS: DANE senders do not deliver to it (RFC 7672 2.2)", "TLS is not configured on "
                    + "this server or port, or something on the path removes STARTTLS from the EHLO reply (a "
                    + "downgrade).");
            case Peer.Tls t -> {
                if (dane instanceof DaneResult.Usable u) {
                    switch (verifier.verify(t.chain(), u)) {
                        case DaneVerification.Matched m -> {
                            details.put("daneMatched", TlsaRecords.describe(m.record()));
                            c.pass("DANE", "the certificate of " + t.where() + " matches: " + m.how());
                        }
                        case DaneVerification.Failed f -> c.fail("DANE", f.reason(),
                                DANE_MISMATCH_REASONS.toArray(String[]::new));
                    }
                } else {
                    c.warn("DANE", t.where() + " offers STARTTLS; with no usable TLSA record, senders require TLS "
                            + "but do not check the certificate");
                }
            }
        }
    }

    private static void mtaStsProblem(PolicyCheck.Collector c, boolean enforce, String name, String detail,
            String... why) {
        if (enforce) {
            c.fail(name, detail, why);
        } else {
            c.warn(name, detail + " (mode testing: delivered and reported)", why);
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
                c.pass("DNSSEC", "the TLSA records and the addresses of the MX are DNSSEC-validated");
            }
            case DaneResult.NoneUsable n -> {
                n.all().forEach(r -> exchange.add(tlsaName + " TLSA " + text(r)));
                details.put("tlsa", n.all().stream().map(MxTlsStep::text).toList());
                details.put("dnssec", "secure");
                c.warn("TLSA", n.describe(), "Publish a DANE-EE record (3 1 1, the SHA-256 of the server's public "
                        + "key: mailflow check prints it for Mailflow) or a DANE-TA one (RFC 7672 3.1).");
                c.pass("DNSSEC", "the TLSA records and the addresses of the MX are DNSSEC-validated");
            }
            case DaneResult.TempFail t -> {
                details.put("tlsa", null);
                boolean bogus = t.why().toLowerCase(java.util.Locale.ROOT).contains("bogus");
                details.put("dnssec", bogus ? "bogus" : "failed");
                exchange.add(tlsaName + ": no answer");
                if (bogus) {
                    c.fail("DNSSEC", t.why(), BOGUS_REASONS.toArray(String[]::new));
                } else {
                    c.fail("DNSSEC", t.why() + " (a validating resolver answers SERVFAIL for a bogus answer too)",
                            BOGUS_REASONS.toArray(String[]::new));
                }
            }
            case DaneResult.NotDane n -> {
                var raw = dns.tlsa(tlsaName);
                if (raw instanceof DnsAnswer.Found<TlsaRecord> f) {
                    f.records().forEach(r -> exchange.add(tlsaName + " TLSA " + text(r)));
                    details.put("tlsa", f.records().stream().map(MxTlsStep::text).toList());
                    details.put("dnssec", "insecure");
                    c.warn("TLSA", f.records().size() + " TLSA record(s) at " + tlsaName + ", not used: " + n.why(),
                            "The zone is not DNSSEC-signed, or the parent has no DS record for it: senders ignore "
                                    + "TLSA records they cannot validate (RFC 7672 2.2).");
                    c.warn("DNSSEC", "not validated (insecure): DANE does not protect mail to this MX");
                } else {
                    exchange.add(tlsaName + ": no TLSA record");
                    details.put("tlsa", List.of());
                    details.put("dnssec", n.why().contains("not DNSSEC-signed") ? "insecure" : "n/a");
                    c.skip("TLSA", n.why() + ": DANE does not protect mail to this MX");
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
