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
            return new Grade("-", "SKIP", List.of("could not be graded: " + e.getMessage()), Map.of());
        } catch (IOException e) {
            return new Grade("-", "WARN", List.of("could not be graded: " + Probe.describe(e)), Map.of());
        }
        var details = new LinkedHashMap<String, Object>();
        details.put("protocols", protocols);
        var reasons = new ArrayList<Reason>();
        if (accepted.isEmpty()) {
            reasons.add(new Reason('F', "no TLS protocol version was accepted, though STARTTLS was"));
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
            reasons.add(new Reason('B', "the cipher classes could not all be tried: " + Probe.describe(e)));
        }
        details.put("ciphers", classes);
        var best = accepted.get(accepted.containsKey(TlsScanner.TLS13) ? TlsScanner.TLS13
                : maxLegacy);
        details.put("negotiated", TlsScanner.versionName(best.version()) + String.format(Locale.ROOT,
                " 0x%04X", best.suite()));
        var tls12 = accepted.get(TlsScanner.TLS12);
        details.put("ocspStapling", tls12 != null && tls12.staplesOcsp());
        String injection = injection(address, sni);
        details.put("starttlsInjection", injection);
        if (address.getPort() == 587) {
            details.put("submission", submission(address, reasons));
        }

        if (!accepted.containsKey(TlsScanner.TLS12) && !accepted.containsKey(TlsScanner.TLS13)) {
            reasons.add(new Reason('F', "neither TLS 1.2 nor TLS 1.3 is accepted (RFC 8996 deprecates 1.0 and"
                    + " 1.1; RFC 9325 asks for 1.2 at least)"));
        }
        if (accepted.containsKey(TlsScanner.SSL3)) {
            reasons.add(new Reason('F', "SSLv3 is accepted (POODLE; RFC 7568 forbids it)"));
        }
        if (offered(classes, CipherClass.NULL)) {
            reasons.add(new Reason('F', "NULL suites are accepted: a client may get no encryption at all"));
        }
        if (offered(classes, CipherClass.EXPORT)) {
            reasons.add(new Reason('F', "export suites are accepted (40/56-bit keys: FREAK, Logjam)"));
        }
        if (injection.startsWith("vulnerable")) {
            reasons.add(new Reason('F', "STARTTLS command injection: a command sent in plaintext with STARTTLS"
                    + " was answered inside TLS (CVE-2011-0411): an attacker on the path can inject commands"
                    + " into the encrypted session"));
        }
        if (offered(classes, CipherClass.LOW)) {
            reasons.add(new Reason('C', "single DES, RC2, RC4 or MD5 suites are accepted (RFC 7465 forbids RC4)"));
        }
        if (offered(classes, CipherClass.TRIPLE_DES_IDEA)) {
            reasons.add(new Reason('C', "triple DES or IDEA suites are accepted (64-bit blocks: Sweet32)"));
        }
        if (offered(classes, CipherClass.aNULL)) {
            reasons.add(new Reason('C', "anonymous suites are accepted (no server authentication at all; a"
                    + " sender that checks names with DANE or MTA-STS never uses them, but others may)"));
        }
        if (!chain.isEmpty() && chain.get(0).getPublicKey() instanceof RSAPublicKey rsa
                && rsa.getModulus().bitLength() < 2048) {
            reasons.add(new Reason('C', "the certificate's RSA key has " + rsa.getModulus().bitLength()
                    + " bits (2048 at least)"));
        }
        if (accepted.containsKey(TlsScanner.TLS10) || accepted.containsKey(TlsScanner.TLS11)) {
            reasons.add(new Reason('B', "TLS 1.0 or 1.1 is accepted (deprecated by RFC 8996); for an MX this"
                    + " keeps very old senders encrypted, so weigh it before turning them off"));
        }
        if (offered(classes, CipherClass.STRONG_NOFS)) {
            reasons.add(new Reason('B', "suites without forward secrecy (static RSA key exchange) are accepted"));
        }
        if (!accepted.containsKey(TlsScanner.TLS13)) {
            reasons.add(new Reason('A', "TLS 1.3 is not offered (not a fault today, but it is faster and safer)"));
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
    private String injection(InetSocketAddress address, String sni) {
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
                return "not vulnerable: the pipelined STARTTLS was answered " + RawSmtp.firstLine(go);
            }
            SSLSocket tls;
            try {
                tls = (SSLSocket) OpportunisticTls.context(c -> { }).getSocketFactory()
                        .createSocket(plain, sni != null ? sni : address.getHostString(), address.getPort(), true);
                tls.startHandshake();
            } catch (IOException e) {
                return "not vulnerable: the TLS handshake after the pipelined STARTTLS failed ("
                        + dev.mailflow.client.NetworkErrors.describe(e) + "), as when the server answers the"
                        + " NOOP in plaintext";
            }
            tls.setSoTimeout((int) Math.min(2000, timeout.toMillis()));
            try {
                String answer = RawSmtp.reply(tls.getInputStream());
                return "vulnerable: answered " + RawSmtp.firstLine(answer) + " inside TLS to the NOOP sent before"
                        + " the handshake";
            } catch (SocketTimeoutException e) {
                return "not vulnerable: the NOOP sent with STARTTLS was discarded";
            } catch (IOException e) {
                return "not vulnerable: the server closed the connection after the pipelined STARTTLS";
            }
        } catch (IOException e) {
            return "not tested: " + Probe.describe(e);
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
                reasons.add(new Reason('C', "AUTH is offered before STARTTLS on a submission port: passwords can"
                        + " be sent in clear"));
                found.add("AUTH offered before STARTTLS");
            }
            if (mail.startsWith("250")) {
                reasons.add(new Reason('B', "MAIL is accepted before STARTTLS on a submission port: STARTTLS is"
                        + " not enforced (RFC 8314 wants TLS for all submission)"));
                found.add("MAIL accepted before STARTTLS (" + RawSmtp.firstLine(mail) + ")");
            }
            return found.isEmpty() ? "STARTTLS enforced: MAIL before it was answered " + RawSmtp.firstLine(mail)
                    : String.join("; ", found);
        } catch (IOException e) {
            return "not tested: " + Probe.describe(e);
        }
    }
}
