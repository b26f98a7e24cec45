package dev.mailflow.probe;

import dev.mailflow.client.OpportunisticTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * The TLS grade of one address: each protocol version from SSLv3 to TLS 1.3 tried on its own,
 * each class of cipher suites tried on its own ({@link CipherClass}, testssl.sh's classes),
 * OCSP stapling, the STARTTLS command-injection test (CVE-2011-0411 and its kin), and on a
 * submission port whether MAIL or AUTH work before STARTTLS. Each try is a short STARTTLS
 * session of its own ({@link TlsScanner}).
 *
 * <p>The grade, worst reason first: F when no TLS 1.2 or 1.3, SSLv3, NULL or export suites, or
 * a STARTTLS injection; C for single DES, RC2, RC4, triple DES, IDEA, anonymous suites or an
 * RSA key under 2048 bits; B for TLS 1.0 or 1.1, or suites without forward secrecy; A
 * otherwise. A is PASS, B and C are WARN, F is FAIL.
 */
public final class TlsGrader {

    /**
     * @param grade   A, B, C or F; "-" when nothing could be graded
     * @param reasons why not A, worst first
     * @param details protocols, cipher classes, OCSP stapling, injection, submission (for JSON)
     */
    public record Grade(String grade, String status, List<String> reasons, Map<String, Object> details) {
        public Grade {
            reasons = List.copyOf(reasons);
        }
    }

    private static final int[] VERSIONS = {TlsScanner.SSL3, TlsScanner.TLS10, TlsScanner.TLS11, TlsScanner.TLS12,
        TlsScanner.TLS13};

    private final TlsScanner scanner;
    private final String helo;
    private final String from;
    private final Duration timeout;

    public TlsGrader(String helo, String from, Duration timeout) {
        this.scanner = new TlsScanner(helo, timeout);
        this.helo = helo;
        this.from = from;
        this.timeout = timeout;
    }

    public Grade grade(String host, InetSocketAddress address, List<X509Certificate> chain) {
        String sni = host != null && !host.isEmpty() && Character.isLetter(host.charAt(host.length() - 1))
                ? host : null;
        var protocols = new LinkedHashMap<String, Object>();
        var accepted = new LinkedHashMap<Integer, TlsScanner.Hello>();
        try {
            for (int v : VERSIONS) {
                var h = scanner.hello(address, sni, v, CipherClass.allLegacy());
                boolean ok = h.accepted() && h.version() == v;
                protocols.put(TlsScanner.versionName(v), ok);
                if (ok) {
                    accepted.put(v, h);
                }
            }
        } catch (TlsScanner.NoStartTls e) {
            return new Grade("-", "SKIP", List.of(Messages.text("grade.notGraded", e.getMessage())), Map.of());
        } catch (IOException e) {
            return new Grade("-", "WARN", List.of(Messages.text("grade.notGraded", Probe.describe(e))), Map.of());
        }
        var details = new LinkedHashMap<String, Object>();
        details.put("protocols", protocols);
        var reasons = new ArrayList<Reason>();
        if (accepted.isEmpty()) {
            reasons.add(new Reason('F', Messages.text("grade.noVersion")));
            return finish(reasons, details);
        }
        int maxLegacy = 0;
        for (int v : accepted.keySet()) {
            if (v != TlsScanner.TLS13) {
                maxLegacy = Math.max(maxLegacy, v);
            }
        }
        var classes = new LinkedHashMap<String, Object>();
        try {
            for (var c : CipherClass.values()) {
                boolean offered = false;
                if (maxLegacy != 0) {
                    var h = scanner.hello(address, sni, maxLegacy, c.suites);
                    offered = h.accepted() && CipherClass.of(h.suite()) == c;
                }
                if (c == CipherClass.STRONG_FS && accepted.containsKey(TlsScanner.TLS13)) {
                    offered = true;
                }
                classes.put(c.id, offered);
            }
        } catch (IOException e) {
            reasons.add(new Reason('B', Messages.text("grade.classesUntried", Probe.describe(e))));
        }
        details.put("ciphers", classes);
        var best = accepted.get(accepted.containsKey(TlsScanner.TLS13) ? TlsScanner.TLS13
                : maxLegacy);
        details.put("negotiated", TlsScanner.versionName(best.version()) + String.format(Locale.ROOT,
                " 0x%04X", best.suite()));
        var tls12 = accepted.get(TlsScanner.TLS12);
        details.put("ocspStapling", tls12 != null && tls12.staplesOcsp());
        var injection = injection(address, sni);
        details.put("starttlsInjection", injection.text());
        if (address.getPort() == 587) {
            details.put("submission", submission(address, reasons));
        }

        if (!accepted.containsKey(TlsScanner.TLS12) && !accepted.containsKey(TlsScanner.TLS13)) {
            reasons.add(new Reason('F', Messages.text("grade.noModernVersion")));
        }
        if (accepted.containsKey(TlsScanner.SSL3)) {
            reasons.add(new Reason('F', Messages.text("grade.ssl3")));
        }
        if (offered(classes, CipherClass.NULL)) {
            reasons.add(new Reason('F', Messages.text("grade.null")));
        }
        if (offered(classes, CipherClass.EXPORT)) {
            reasons.add(new Reason('F', Messages.text("grade.export")));
        }
        if (injection.vulnerable()) {
            reasons.add(new Reason('F', Messages.text("grade.injection")));
        }
        if (offered(classes, CipherClass.LOW)) {
            reasons.add(new Reason('C', Messages.text("grade.low")));
        }
        if (offered(classes, CipherClass.TRIPLE_DES_IDEA)) {
            reasons.add(new Reason('C', Messages.text("grade.tripleDes")));
        }
        if (offered(classes, CipherClass.aNULL)) {
            reasons.add(new Reason('C', Messages.text("grade.anonymous")));
        }
        if (!chain.isEmpty() && chain.get(0).getPublicKey() instanceof RSAPublicKey rsa
                && rsa.getModulus().bitLength() < 2048) {
            reasons.add(new Reason('C', Messages.text("grade.rsaKey", rsa.getModulus().bitLength())));
        }
        if (accepted.containsKey(TlsScanner.TLS10) || accepted.containsKey(TlsScanner.TLS11)) {
            reasons.add(new Reason('B', Messages.text("grade.oldVersions")));
        }
        if (offered(classes, CipherClass.STRONG_NOFS)) {
            reasons.add(new Reason('B', Messages.text("grade.noForwardSecrecy")));
        }
        if (!accepted.containsKey(TlsScanner.TLS13)) {
            reasons.add(new Reason('A', Messages.text("grade.noTls13")));
        }
        return finish(reasons, details);
    }

    private record Reason(char grade, String text) {
    }

    private static Grade finish(List<Reason> reasons, Map<String, Object> details) {
        char worst = 'A';
        for (var r : reasons) {
            if (r.grade() > worst) {
                worst = r.grade();
            }
        }
        var ordered = new ArrayList<>(reasons);
        ordered.sort((a, b) -> Character.compare(b.grade(), a.grade()));
        String status = switch (worst) {
            case 'A' -> "PASS";
            case 'F' -> "FAIL";
            default -> "WARN";
        };
        return new Grade(String.valueOf(worst), status, ordered.stream().map(Reason::text).toList(), details);
    }

    private static boolean offered(Map<String, Object> classes, CipherClass c) {
        return Boolean.TRUE.equals(classes.get(c.id));
    }

    /**
     * STARTTLS and NOOP in one write: a server that answers the NOOP after the handshake took
     * a command from before it as one from inside it.
     */
    private record Injection(boolean vulnerable, String text) {
        static Injection not(String key, Object... args) {
            return new Injection(false, Messages.text(key, args));
        }
    }

    private Injection injection(InetSocketAddress address, String sni) {
        try (var plain = new java.net.Socket()) {
            plain.connect(address, (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            var in = plain.getInputStream();
            var out = plain.getOutputStream();
            RawSmtp.reply(in);
            RawSmtp.send(out, "EHLO " + helo + "\r\n");
            RawSmtp.reply(in);
            RawSmtp.send(out, "STARTTLS\r\nNOOP\r\n");
            String go = RawSmtp.reply(in);
            if (!go.startsWith("220")) {
                return Injection.not("grade.injection.refused", RawSmtp.firstLine(go));
            }
            SSLSocket tls;
            try {
                tls = (SSLSocket) OpportunisticTls.context(c -> { }).getSocketFactory()
                        .createSocket(plain, sni != null ? sni : address.getHostString(), address.getPort(), true);
                tls.startHandshake();
            } catch (IOException e) {
                return Injection.not("grade.injection.handshake", dev.mailflow.client.NetworkErrors.describe(e));
            }
            tls.setSoTimeout((int) Math.min(2000, timeout.toMillis()));
            try {
                String answer = RawSmtp.reply(tls.getInputStream());
                return new Injection(true, Messages.text("grade.injection.vulnerable", RawSmtp.firstLine(answer)));
            } catch (SocketTimeoutException e) {
                return Injection.not("grade.injection.discarded");
            } catch (IOException e) {
                return Injection.not("grade.injection.closed");
            }
        } catch (IOException e) {
            return Injection.not("grade.notTested", Probe.describe(e));
        }
    }

    /** On a submission port: is AUTH offered, and MAIL accepted, before STARTTLS? */
    private String submission(InetSocketAddress address, List<Reason> reasons) {
        try (var plain = new java.net.Socket()) {
            plain.connect(address, (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            var in = plain.getInputStream();
            var out = plain.getOutputStream();
            RawSmtp.reply(in);
            RawSmtp.send(out, "EHLO " + helo + "\r\n");
            String ehlo = RawSmtp.reply(in);
            boolean authInClear = ehlo.lines().anyMatch(l -> l.length() > 4
                    && l.substring(4).toUpperCase(Locale.ROOT).startsWith("AUTH"));
            RawSmtp.send(out, "MAIL FROM:<" + from + ">\r\n");
            String mail = RawSmtp.reply(in);
            RawSmtp.send(out, "QUIT\r\n");
            var found = new ArrayList<String>();
            if (authInClear) {
                reasons.add(new Reason('C', Messages.text("grade.submission.auth")));
                found.add(Messages.text("grade.submission.auth.short"));
            }
            if (mail.startsWith("250")) {
                reasons.add(new Reason('B', Messages.text("grade.submission.mail")));
                found.add(Messages.text("grade.submission.mail.short", RawSmtp.firstLine(mail)));
            }
            return found.isEmpty() ? Messages.text("grade.submission.enforced", RawSmtp.firstLine(mail))
                    : Messages.joined(found);
        } catch (IOException e) {
            return Messages.text("grade.notTested", Probe.describe(e));
        }
    }
}
