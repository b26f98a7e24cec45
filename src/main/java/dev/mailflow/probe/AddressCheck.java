package dev.mailflow.probe;

import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.client.NetworkErrors;
import dev.mailflow.client.OpportunisticTls;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.client.TranscriptListener;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.server.protection.DnsList;
import dev.mailflow.server.protection.ForwardConfirmation;
import dev.mailflow.server.protection.ReverseDns;
import dev.mailflow.smtp.Reply;
import dev.mailflow.tlspolicy.WebPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One address of an MX host, tested by a session of its own: CONNECT, BANNER, EHLO, STARTTLS,
 * CERTIFICATE, MAIL and RCPT (the first --to; no message is sent), then QUIT; then the
 * address's reverse DNS (PTR, forward-confirmed, against the banner and EHLO names), its
 * listings in the --dnsbl lists, and its TLS grade. Each step is timed, so a slow banner or a
 * tarpit shows as such, and a step that was not reached is SKIP, never a failure of its own
 * (a server that holds its banner is not "without TLS").
 */
public final class AddressCheck {

    /** A banner slower than this is reported (it still counts: senders wait 5 minutes, RFC 5321 4.5.3.2). */
    static final Duration SLOW_BANNER = Duration.ofSeconds(10);

    /** A command reply slower than this reads as a tarpit. */
    static final Duration SLOW_REPLY = Duration.ofSeconds(5);

    static final List<String> SESSION_STEPS = List.of("CONNECT", "BANNER", "EHLO", "STARTTLS", "CERTIFICATE", "MAIL",
            "RCPT");

    private final ProbeOptions o;
    private final DnsResolver dns;
    private final WebPki webPki;
    private final List<DnsList> dnsbl;
    private final TlsGrader grader;
    private final List<String> transcript;

    /**
     * @param grader grades the address's TLS after the session, or null to skip the grade
     */
    public AddressCheck(ProbeOptions options, DnsResolver dns, WebPki webPki, List<DnsList> dnsbl, TlsGrader grader,
                        List<String> transcript) {
        this.o = options;
        this.dns = dns;
        this.webPki = webPki;
        this.dnsbl = List.copyOf(dnsbl);
        this.grader = grader;
        this.transcript = transcript;
    }

    /** The state of one run, step by step. */
    private final class Run {
        final String host;
        final InetSocketAddress address;
        final List<MxMatrix.Cell> cells = new ArrayList<>();
        String bannerName;
        String ehloName;
        boolean starttlsOffered;
        X509Certificate[] chain;
        String tlsProtocol;
        long start;

        Run(String host, InetSocketAddress address) {
            this.host = host;
            this.address = address;
        }

        void begin() {
            start = System.nanoTime();
        }

        long elapsed() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        void cell(String name, String status, String detail) {
            cell(name, status, detail, Map.of());
        }

        void cell(String name, String status, String detail, Map<String, Object> details) {
            cells.add(new MxMatrix.Cell(name, status, elapsed(), detail, details));
        }

        void skipRest(String why) {
            for (String s : SESSION_STEPS) {
                if (cells.stream().noneMatch(c -> c.name().equals(s))) {
                    cells.add(new MxMatrix.Cell(s, "SKIP", 0, why, Map.of()));
                }
            }
        }

        boolean stopAfter(String stage) {
            if (o.quitAfter() != null && o.quitAfter().equalsIgnoreCase(stage)) {
                skipRest(Messages.text("cell.notTested.quitAfter", o.quitAfter()));
                return true;
            }
            return false;
        }
    }

    public MxMatrix.AddressEntry run(String host, InetSocketAddress address) {
        var run = new Run(host, address);
        session(run);
        reverseDns(run);
        if (!dnsbl.isEmpty()) {
            blockLists(run);
        }
        if (grader != null) {
            grade(run);
        }
        return entry(run);
    }

    private void session(Run run) {
        String where = run.host + " [" + run.address.getAddress().getHostAddress() + "]:" + run.address.getPort();
        run.begin();
        SmtpClient client;
        try {
            client = SmtpClient.connect(run.address, ClientTimeouts.uniform(o.timeout()), recorder(where));
        } catch (IOException e) {
            run.cell("CONNECT", "FAIL", Probe.describe(e));
            run.skipRest(Messages.text("cell.notReached.connection"));
            return;
        }
        try (client) {
            run.cell("CONNECT", "PASS", Messages.text("cell.connected"));
            if (run.stopAfter("CONNECT")) {
                return;
            }
            run.begin();
            Reply banner;
            try {
                banner = client.greeting();
            } catch (SocketTimeoutException e) {
                run.cell("BANNER", "FAIL", Messages.text("cell.banner.none", seconds(o.timeout())));
                run.skipRest(Messages.text("cell.notReached.banner"));
                return;
            }
            long bannerMs = run.elapsed();
            run.bannerName = firstWord(banner);
            if (banner.code() != 220) {
                run.cell("BANNER", "FAIL", Messages.text("cell.banner.refusal", oneLine(banner)));
                run.skipRest(Messages.text("cell.notReached.bannerRefusal"));
                return;
            }
            if (bannerMs >= SLOW_BANNER.toMillis()) {
                run.cell("BANNER", "WARN", Messages.text("cell.banner.slow", seconds(bannerMs), oneLine(banner)));
            } else {
                run.cell("BANNER", "PASS", oneLine(banner));
            }
            if (run.stopAfter("BANNER")) {
                return;
            }
            run.begin();
            var ehlo = client.ehlo(o.helo());
            if (ehlo.code() != 250) {
                var helo = client.helo(o.helo());
                if (helo.code() != 250) {
                    run.cell("EHLO", "FAIL", Messages.text("cell.ehlo.refused", oneLine(ehlo), oneLine(helo)));
                    run.skipRest(Messages.text("cell.notReached.ehlo"));
                    return;
                }
                run.cell("EHLO", "WARN", Messages.text("cell.ehlo.heloOnly", oneLine(ehlo)));
            } else {
                run.ehloName = firstWord(ehlo);
                slowOrPass(run, "EHLO", ehlo, String.join(" ", client.capabilities().keywords()));
            }
            if (run.stopAfter("EHLO")) {
                return;
            }
            if (!starttls(run, client)) {
                return;
            }
            if (run.stopAfter("STARTTLS")) {
                return;
            }
            run.begin();
            var mail = client.mail("<" + o.from() + ">", "");
            if (mail.code() != 250) {
                run.cell("MAIL", "FAIL", withReason(oneLine(mail), "MAIL", mail));
                run.skipRest(Messages.text("cell.notReached.mail"));
                return;
            }
            slowOrPass(run, "MAIL", mail, oneLine(mail));
            if (run.stopAfter("MAIL")) {
                return;
            }
            if (o.to().isEmpty()) {
                run.skipRest(Messages.text("cell.notTested.noTo"));
            } else {
                run.begin();
                var rcpt = client.rcpt("<" + o.to().get(0) + ">", "");
                if (rcpt.code() == 250 || rcpt.code() == 251) {
                    slowOrPass(run, "RCPT", rcpt, Messages.text("cell.rcpt", o.to().get(0), oneLine(rcpt)));
                } else if (rcpt.code() / 100 == 4) {
                    run.cell("RCPT", "WARN", Messages.text(Explanations.greylisted(rcpt) ? "cell.rcpt.greylisted"
                            : "cell.rcpt.deferred", o.to().get(0), oneLine(rcpt)));
                } else {
                    run.cell("RCPT", "FAIL", withReason(Messages.text("cell.rcpt", o.to().get(0), oneLine(rcpt)), "RCPT",
                            rcpt));
                }
            }
            client.command("QUIT", o.timeout());
        } catch (SocketTimeoutException e) {
            String step = SESSION_STEPS.stream().filter(s -> run.cells.stream().noneMatch(c -> c.name().equals(s)))
                    .findFirst().orElse("QUIT");
            if (!step.equals("QUIT")) {
                run.cell(step, "FAIL", Messages.text("cell.noReply", seconds(o.timeout())));
            }
            run.skipRest(Messages.text("cell.notReached.noReply", step));
        } catch (IOException e) {
            String step = SESSION_STEPS.stream().filter(s -> run.cells.stream().noneMatch(c -> c.name().equals(s)))
                    .findFirst().orElse("QUIT");
            if (!step.equals("QUIT")) {
                run.cell(step, "FAIL", Messages.text("cell.connectionFailed", NetworkErrors.describe(e)));
            }
            run.skipRest(Messages.text("cell.notReached.connectionFailed"));
        }
    }

    /** STARTTLS, then the CERTIFICATE step; false when the session cannot go on. */
    private boolean starttls(Run run, SmtpClient client) throws IOException {
        run.starttlsOffered = client.capabilities().startTls();
        if ("never".equals(o.starttls())) {
            run.cells.add(new MxMatrix.Cell("STARTTLS", "SKIP", 0, Messages.text("cell.notTested.starttlsNever"),
                    Map.of()));
            run.cells.add(new MxMatrix.Cell("CERTIFICATE", "SKIP", 0, Messages.text("cell.notTested.starttlsNever"),
                    Map.of()));
            return true;
        }
        if (!run.starttlsOffered) {
            boolean require = "require".equals(o.starttls());
            run.begin();
            run.cell("STARTTLS", require ? "FAIL" : "WARN", Messages.text("cell.starttls.notOffered"));
            run.cells.add(new MxMatrix.Cell("CERTIFICATE", "SKIP", 0, Messages.text("cell.noTls"), Map.of()));
            if (require) {
                run.skipRest(Messages.text("cell.notReached.starttlsRequire"));
                return false;
            }
            return true;
        }
        run.begin();
        var captured = new X509Certificate[1][];
        Reply reply;
        try {
            reply = client.startTls(OpportunisticTls.context(c -> captured[0] = c).getSocketFactory(), run.host);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            run.cell("STARTTLS", "FAIL", Messages.text("cell.starttls.handshake", NetworkErrors.describe(e)));
            run.skipRest(Messages.text("cell.notReached.handshake"));
            return false;
        }
        if (reply.code() != 220) {
            run.cell("STARTTLS", "FAIL", Messages.text("cell.starttls.refused", oneLine(reply)));
            run.skipRest(Messages.text("cell.notReached.starttls"));
            return false;
        }
        var session = client.tlsSocket().getSession();
        run.tlsProtocol = session.getProtocol();
        run.cell("STARTTLS", "PASS", Messages.text("cell.starttls.encrypted", session.getProtocol(),
                session.getCipherSuite()),
                Map.of("protocol", session.getProtocol(), "cipher", session.getCipherSuite()));
        run.chain = captured[0];
        certificate(run);
        var again = client.ehlo(o.helo());
        if (again.code() != 250) {
            run.cells.add(new MxMatrix.Cell("MAIL", "FAIL", 0, Messages.text("cell.ehloAgain.refused", oneLine(again)),
                    Map.of()));
            run.skipRest(Messages.text("cell.notReached.ehloAgain"));
            return false;
        }
        return true;
    }

    private void certificate(Run run) {
        long t = System.nanoTime();
        if (run.chain == null || run.chain.length == 0) {
            run.cells.add(new MxMatrix.Cell("CERTIFICATE", "FAIL", 0, Messages.text("cell.noCertificate"), Map.of()));
            return;
        }
        var info = CertificateInfo.of(List.of(run.chain), run.host, webPki, Clock.systemUTC());
        long ms = (System.nanoTime() - t) / 1_000_000;
        run.cells.add(new MxMatrix.Cell("CERTIFICATE", info.status(), ms, info.summary(), info.details()));
    }

    /** The address's reverse DNS, forward-confirmed, against the names in the banner and the EHLO reply. */
    private void reverseDns(Run run) {
        run.begin();
        var ip = run.address.getAddress();
        ReverseDns r;
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            r = ForwardConfirmation.lookup(dns, ip, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                    Math.min(o.timeout().toMillis(), 10_000)), executor);
        }
        var details = new LinkedHashMap<String, Object>();
        details.put("status", r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        details.put("ptr", r.ptrNames());
        details.put("confirmed", r.name());
        details.put("banner", run.bannerName);
        details.put("ehlo", run.ehloName);
        String ipText = ip.getHostAddress();
        switch (r.status()) {
            case TEMPFAIL -> run.cell("PTR", "WARN", Messages.text("cell.ptr.tempFail", r.detail()), details);
            case NO_PTR -> run.cell("PTR", "WARN", Messages.text("cell.ptr.none", ipText), details);
            case UNCONFIRMED -> run.cell("PTR", "WARN", Messages.text("cell.ptr.unconfirmed", r.detail()), details);
            case CONFIRMED -> {
                var mismatches = new ArrayList<String>();
                if (run.bannerName != null && !run.bannerName.equalsIgnoreCase(r.name())) {
                    mismatches.add(Messages.text("cell.ptr.bannerSays", run.bannerName));
                }
                if (run.ehloName != null && !run.ehloName.equalsIgnoreCase(r.name())) {
                    mismatches.add(Messages.text("cell.ptr.ehloSays", run.ehloName));
                }
                if (mismatches.isEmpty()) {
                    run.cell("PTR", "PASS", Messages.text(run.bannerName != null ? "cell.ptr.confirmed.banner"
                            : "cell.ptr.confirmed", ipText, r.name()), details);
                } else {
                    run.cell("PTR", "WARN", Messages.text(mismatches.size() == 2 ? "cell.ptr.mismatch.both"
                            : "cell.ptr.mismatch", ipText, r.name(), mismatches.get(0),
                            mismatches.size() == 2 ? mismatches.get(1) : ""), details);
                }
            }
        }
    }

    private void blockLists(Run run) {
        run.begin();
        var result = BlockListCheck.run(dns, run.address.getAddress(), dnsbl, o.timeout());
        run.cell("DNSBL", result.status(), result.detail(), result.details());
    }

    private void grade(Run run) {
        run.begin();
        if (!run.starttlsOffered || "never".equals(o.starttls())) {
            run.cells.add(new MxMatrix.Cell("TLS", "SKIP", 0, Messages.text(run.starttlsOffered
                    ? "cell.notTested.starttlsNever" : "cell.grade.noStarttls"), Map.of()));
            return;
        }
        var g = grader.grade(run.host, run.address, run.chain == null ? List.of() : List.of(run.chain));
        var details = new LinkedHashMap<String, Object>();
        details.put("grade", g.grade());
        details.put("reasons", g.reasons());
        details.putAll(g.details());
        run.cell("TLS", g.status(), g.reasons().isEmpty() ? Messages.text("cell.grade", g.grade())
                : Messages.text("cell.grade.reasons", g.grade(), Messages.joined(g.reasons())), details);
    }

    private MxMatrix.AddressEntry entry(Run run) {
        String result = "pass";
        var summary = new ArrayList<String>();
        for (var c : run.cells) {
            if (c.status().equals("FAIL")) {
                result = "fail";
                summary.add(c.name() + ": " + c.detail());
            } else if (c.status().equals("WARN")) {
                if (result.equals("pass")) {
                    result = "warn";
                }
                summary.add(c.name() + ": " + c.detail());
            }
        }
        return new MxMatrix.AddressEntry(run.address.getAddress().getHostAddress(), result, run.cells, summary);
    }

    private void slowOrPass(Run run, String step, Reply reply, String detail) {
        long ms = run.elapsed();
        if (ms >= SLOW_REPLY.toMillis()) {
            run.cell(step, "WARN", Messages.text("cell.slowReply", seconds(ms), detail));
        } else {
            run.cell(step, "PASS", detail);
        }
    }

    /** A refusal with the first of its possible reasons, when there is one. */
    private static String withReason(String refusal, String step, Reply r) {
        var reasons = Explanations.reasons(step, r);
        return reasons.isEmpty() ? refusal : Messages.text("cell.withReason", refusal, reasons.get(0));
    }

    /** The host name a reply gives: the first word after the code (banner: RFC 5321 4.3.1; EHLO: 4.1.1.1). */
    static String firstWord(Reply r) {
        if (r.lines().isEmpty()) {
            return null;
        }
        String[] words = r.lines().get(0).strip().split("\\s+");
        String w = words.length == 0 ? "" : words[0];
        return w.contains(".") && dev.mailflow.smtp.Domains.isValidDomain(w, false) ? w.toLowerCase(Locale.ROOT)
                : null;
    }

    static String oneLine(Reply r) {
        String text = r.lines().isEmpty() ? "" : " " + r.lines().get(0);
        String line = Reply.printable(r.code() + (r.status() != null ? " " + r.status() : "") + text);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    static String seconds(Duration d) {
        return seconds(d.toMillis());
    }

    static String seconds(long ms) {
        return Messages.decimal(ms / 1000.0) + " s";
    }

    private TranscriptListener recorder(String where) {
        transcript.add("* " + where);
        return (d, t) -> transcript.add(switch (d) {
            case SENT -> "C: " + t;
            case RECEIVED -> "S: " + t;
            case INFO -> "* " + t;
        });
    }
}
