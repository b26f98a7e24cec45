package dev.mailflow.delivery.tls;

import dev.mailflow.delivery.tls.HostPolicy.Level;
import dev.mailflow.delivery.tls.HostPolicy.ReportedPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the TLS policy of a destination before connecting (RFC 7672 2.2, RFC 8461 5): the
 * operator's {@code [[tls_policy]]} or the send connector first; else, for {@code dane} (the
 * default), DANE for each MX host whose TLSA records are validated, MTA-STS for the domain
 * otherwise, opportunistic TLS when it publishes neither. DANE wins over MTA-STS for a host
 * that has both (RFC 8461 2; Snawoot/postfix-mta-sts-resolver#67).
 */
public final class TlsPolicyFinder {

    private final TlsMode fallback;
    private final List<TlsRule> rules;
    private final PolicySources.Dane dane;
    private final PolicySources.Sts sts;
    private final PolicySources.WebPki webPki;

    /**
     * @param fallback the level of domains no rule names ({@code [delivery] tls})
     * @param rules    {@code [[tls_policy]]}, first match wins
     */
    public TlsPolicyFinder(TlsMode fallback, List<TlsRule> rules, PolicySources.Dane dane, PolicySources.Sts sts,
                           PolicySources.WebPki webPki) {
        this.fallback = fallback;
        this.rules = List.copyOf(rules);
        this.dane = dane;
        this.sts = sts;
        this.webPki = webPki;
    }

    /** A domain's policy, found once per delivery attempt; then asked per MX host. */
    public DomainTls forDomain(String domain, boolean mxSecure) {
        var rule = TlsRule.forDomain(rules, domain, TlsRule.of(fallback));
        PolicySources.StsPolicy policy = null;
        if (rule.mode() == TlsMode.DANE || rule.mode() == TlsMode.MTA_STS) {
            policy = sts.policy(domain);
        }
        return new DomainTls(domain, rule, mxSecure, policy);
    }

    /** A send connector's smart host: its own rule; DANE applies to the smart host's name. */
    public DomainTls forSmartHost(String domain, TlsRule rule) {
        return new DomainTls(domain, rule, true, null);
    }

    /** One domain's policy, applied to each of its next hops. */
    public final class DomainTls {
        private final String domain;
        private final TlsRule rule;
        private final boolean mxSecure;
        private final PolicySources.StsPolicy sts;

        private DomainTls(String domain, TlsRule rule, boolean mxSecure, PolicySources.StsPolicy sts) {
            this.domain = domain;
            this.rule = rule;
            this.mxSecure = mxSecure;
            this.sts = sts;
        }

        public TlsRule rule() {
            return rule;
        }

        /**
         * Why the domain's published MTA-STS policy could not be fetched (delivery goes on as
         * without it), for TLS-RPT's {@code sts-policy-fetch-error}; null otherwise.
         */
        public String stsFetchError() {
            return sts == null ? null : sts.fetchError();
        }

        /**
         * @param host           the MX host (or smart host) name
         * @param hostSecure     its address records were validated (RFC 7672 2.2.2)
         * @param port           the port it is reached on (TLSA at {@code _port._tcp.host})
         */
        public HostDecision host(String host, boolean hostSecure, int port) {
            return switch (rule.mode()) {
                case NONE -> new HostDecision.Use(new HostPolicy(Level.NONE, "none", null, false, null));
                case OPPORTUNISTIC -> new HostDecision.Use(HostPolicy.opportunistic(ReportedPolicy.none(domain)));
                case ENCRYPT -> new HostDecision.Use(new HostPolicy(Level.REQUIRE, "encrypt", null, true,
                        ReportedPolicy.none(domain)));
                case VERIFY -> new HostDecision.Use(new HostPolicy(Level.REQUIRE, "verify", verify(host), true,
                        ReportedPolicy.none(domain)));
                case DANE -> {
                    if (mxSecure && hostSecure && !isLiteral(host)) {
                        var d = dane.lookup(host, port);
                        switch (d) {
                            case PolicySources.DaneUsable u -> {
                                yield new HostDecision.Use(new HostPolicy(Level.REQUIRE, "DANE", u.check(), true,
                                        new ReportedPolicy("tlsa", domain, u.records())));
                            }
                            case PolicySources.DaneNoneUsable n -> {
                                yield new HostDecision.Use(new HostPolicy(Level.REQUIRE, "DANE (no usable TLSA "
                                        + "record: encrypted, not authenticated)", null, true,
                                        new ReportedPolicy("tlsa", domain, n.records())));
                            }
                            case PolicySources.DaneTempFail t -> {
                                yield new HostDecision.Skip("DANE: " + t.reason(), "dnssec-invalid",
                                        new ReportedPolicy("tlsa", domain, List.of()));
                            }
                            case PolicySources.NotDane n -> {
                                // Other policies apply.
                            }
                        }
                    }
                    yield mtaSts(host);
                }
                case MTA_STS -> mtaSts(host);
            };
        }

        private HostDecision mtaSts(String host) {
            if (sts == null || sts.fetchError() != null) {
                return new HostDecision.Use(HostPolicy.opportunistic(ReportedPolicy.none(domain)));
            }
            var report = new ReportedPolicy("sts", domain, sts.lines());
            if (!sts.mxMatches().test(host)) {
                if (sts.enforce()) {
                    return new HostDecision.Skip("MX host " + host + " is not one the MTA-STS policy of " + domain
                            + " names (mode enforce)", "validation-failure", report);
                }
                // testing: delivered, the mismatch reported (RFC 8461 5)
            }
            var pki = webPki.forHost(host, List.of());
            PeerCheck check = chain -> {
                var v = pki.check(chain);
                return v instanceof PeerCheck.Authenticated a ? new PeerCheck.Authenticated("MTA-STS, " + a.by()) : v;
            };
            if (!sts.mxMatches().test(host)) {
                var onlyReport = check;
                check = chain -> {
                    var v = onlyReport.check(chain);
                    return v instanceof PeerCheck.Authenticated ? new PeerCheck.Refused("MX host " + host
                            + " is not one the MTA-STS policy of " + domain + " names", "validation-failure") : v;
                };
            }
            return sts.enforce()
                    ? new HostDecision.Use(new HostPolicy(Level.REQUIRE, "MTA-STS enforce", check, true, report))
                    : new HostDecision.Use(new HostPolicy(Level.MAY, "MTA-STS testing", check, false, report));
        }

        private PeerCheck verify(String host) {
            var checks = new ArrayList<PeerCheck>();
            if (!rule.fingerprints().isEmpty()) {
                checks.add(PeerCheck.fingerprints(rule.fingerprints()));
            }
            if (rule.fingerprints().isEmpty() || !rule.anchors().isEmpty()) {
                checks.add(webPki.forHost(host, rule.anchors()));
            }
            return PeerCheck.anyOf(checks);
        }
    }

    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.'
                || Character.isDigit(c));
    }
}
