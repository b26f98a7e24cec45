package dev.mailflow.probe;

import dev.mailflow.tlspolicy.WebPki;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an MX's certificate says and what senders make of it: the chain, the leaf's key type
 * and size, its signature algorithm, its expiry (a warning 30 days ahead), its names against
 * the MX name, and whether it chains to a trusted CA (the JDK's, and --ca-file). Opportunistic
 * senders (most of them) encrypt whatever the certificate; senders with a DANE or MTA-STS
 * policy check it, so an untrusted or mismatched certificate is a warning and an expired one a
 * failure.
 *
 * @param status  PASS, WARN or FAIL
 * @param summary one sentence
 * @param reasons each problem found
 */
record CertificateInfo(String status, String summary, List<String> reasons, Map<String, Object> details) {

    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    static CertificateInfo of(List<X509Certificate> chain, String host, WebPki webPki, Clock clock) {
        var leaf = chain.get(0);
        var details = new LinkedHashMap<String, Object>();
        var reasons = new ArrayList<String>();
        String status = "PASS";
        details.put("subject", leaf.getSubjectX500Principal().getName());
        details.put("issuer", leaf.getIssuerX500Principal().getName());
        details.put("names", WebPki.describeNames(leaf));
        details.put("notAfter", leaf.getNotAfter().toInstant().toString());
        long days = Duration.between(clock.instant(), leaf.getNotAfter().toInstant()).toDays();
        details.put("daysLeft", days);
        String key = keyDescription(leaf);
        details.put("key", key);
        details.put("signatureAlgorithm", leaf.getSigAlgName());
        details.put("chain", chain.stream().map(c -> WebPki.commonName(c.getSubjectX500Principal().getName()))
                .toList());
        var check = webPki.check(chain, host);
        switch (check) {
            case WebPki.Valid v -> details.put("webPki", "valid");
            case WebPki.Invalid i -> {
                details.put("webPki", i.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                switch (i.kind()) {
                    case EXPIRED -> {
                        status = "FAIL";
                        reasons.add(Messages.text("cert.expired", i.reason()));
                    }
                    case HOST_MISMATCH -> {
                        status = worse(status, "WARN");
                        reasons.add(Messages.text("cert.hostMismatch", WebPki.describeNames(leaf), host));
                    }
                    case UNTRUSTED -> {
                        status = worse(status, "WARN");
                        reasons.add(Messages.text("cert.untrusted"));
                    }
                    case OTHER -> {
                        status = worse(status, "WARN");
                        reasons.add(i.reason());
                    }
                }
            }
        }
        if (days >= 0 && days < EXPIRY_WARNING.toDays() && !"FAIL".equals(status)) {
            status = worse(status, "WARN");
            reasons.add(Messages.text("cert.expiresSoon", Messages.text(days == 1 ? "duration.day" : "duration.days",
                    days), leaf.getNotAfter().toInstant()));
        }
        String weakKey = weakKey(leaf);
        if (weakKey != null) {
            status = worse(status, weakKey.startsWith("FAIL") ? "FAIL" : "WARN");
            reasons.add(weakKey.substring(5));
        }
        String sig = leaf.getSigAlgName().toUpperCase(Locale.ROOT);
        if (sig.contains("SHA1") || sig.contains("MD5")) {
            status = worse(status, "WARN");
            reasons.add(Messages.text("cert.weakSignature", leaf.getSigAlgName()));
        }
        String validity = days < 0 ? Messages.text("cert.summary.expired", leaf.getNotAfter().toInstant())
                : Messages.text("cert.summary.daysLeft", days);
        String verdict = reasons.isEmpty() ? Messages.text("cert.summary.trusted", host) : Messages.joined(reasons);
        String summary = Messages.text("cert.summary", WebPki.commonName(leaf.getSubjectX500Principal().getName()), key,
                leaf.getSigAlgName(), WebPki.commonName(leaf.getIssuerX500Principal().getName()), validity, verdict);
        return new CertificateInfo(status, summary, List.copyOf(reasons), details);
    }

    static String keyDescription(X509Certificate c) {
        var k = c.getPublicKey();
        if (k instanceof RSAPublicKey rsa) {
            return Messages.text("cert.key.rsa", rsa.getModulus().bitLength());
        }
        if (k instanceof ECPublicKey ec) {
            return Messages.text("cert.key.ecdsa", ec.getParams().getCurve().getField().getFieldSize());
        }
        return k.getAlgorithm();
    }

    /** "FAIL ..." or "WARN ..." for a key too small, else null. */
    static String weakKey(X509Certificate c) {
        var k = c.getPublicKey();
        if (k instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < 1024) {
                return "FAIL " + Messages.text("cert.rsa.broken", bits);
            }
            if (bits < 2048) {
                return "WARN " + Messages.text("cert.rsa.short", bits);
            }
        } else if (k instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() < 256) {
            return "WARN " + Messages.text("cert.ec.short");
        }
        return null;
    }

    static String worse(String a, String b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(String s) {
        return switch (s) {
            case "FAIL" -> 3;
            case "WARN" -> 2;
            case "PASS" -> 1;
            default -> 0;
        };
    }
}
