package dev.mailflow.tlspolicy.tlsrpt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A day of test sessions, 2026-07-10: example.com with an MTA-STS policy (and one session whose
 * policy could not be fetched), example.net with DANE on two MX hosts.
 */
final class TestTraffic {

    static final List<String> STS = List.of("version: STSv1", "mode: enforce", "mx: mx1.example.com",
            "mx: *.backup.example.com", "max_age: 604800");
    static final List<String> TLSA_MX1 = List.of("3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6");
    static final List<String> TLSA_MX2 = List.of("2 0 1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "2 0 1 5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

    private TestTraffic() {
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Instant at(String time) {
        return Instant.parse("2026-07-10T" + time + "Z");
    }

    static List<SessionResult> day() {
        var sip4 = ip("192.0.2.10");
        var sip6 = ip("2001:db8:0:0:0:0:0:10");
        var list = new ArrayList<SessionResult>();
        for (int i = 0; i < 5; i++) {
            list.add(SessionResult.success(at("0" + i + ":15:00"), "Example.COM.", PolicyType.STS, STS,
                    "mx1.example.com", "mx1.example.com", ip("198.51.100.1"), sip4));
        }
        for (int i = 0; i < 2; i++) {
            list.add(new SessionResult(at("10:0" + i + ":00"), "example.com", PolicyType.STS, STS,
                    "a.backup.example.com", "backup", ip("198.51.100.2"), sip6,
                    new SessionResult.Failure(ResultType.CERTIFICATE_EXPIRED, "certificate expired on 2026-07-01")));
        }
        list.add(new SessionResult(at("11:00:00"), "example.com", PolicyType.STS, STS, "a.backup.example.com",
                null, ip("198.51.100.3"), sip4, new SessionResult.Failure(ResultType.STARTTLS_NOT_SUPPORTED,
                        "no STARTTLS in the EHLO reply", java.net.URI.create("https://mail.example.org/tls/help"))));
        // the policy could not be fetched: an STS failure with no policy text and no MX tried
        list.add(new SessionResult(at("00:01:00"), "example.com", PolicyType.STS, List.of(), null,
                null, null, null, new SessionResult.Failure(ResultType.STS_POLICY_FETCH_ERROR,
                        "https://mta-sts.example.com/.well-known/mta-sts.txt: connection refused")));
        for (int i = 0; i < 3; i++) {
            list.add(SessionResult.success(at("12:0" + i + ":00"), "example.net", PolicyType.TLSA, TLSA_MX1,
                    "mx1.example.net", "mx1.example.net", ip("203.0.113.1"), sip4));
        }
        list.add(new SessionResult(at("13:00:00"), "example.net", PolicyType.TLSA, TLSA_MX1, "mx1.example.net",
                "mx1.example.net", ip("203.0.113.1"), sip4,
                new SessionResult.Failure(ResultType.TLSA_INVALID, "no TLSA record matched the certificate")));
        list.add(new SessionResult(at("14:00:00"), "example.net", PolicyType.TLSA, TLSA_MX2, "mx2.example.net",
                "mx2.example.net ESMTP", ip("2001:db8::25"), sip6,
                new SessionResult.Failure(ResultType.DNSSEC_INVALID, "the TLSA answer is bogus")));
        return list;
    }
}
