package dev.mailflow.app;

import dev.mailflow.probe.MatrixOptions;
import dev.mailflow.probe.Messages;
import dev.mailflow.probe.Probe;
import dev.mailflow.probe.ProbeOptions;
import dev.mailflow.probe.TextReport;
import dev.mailflow.probe.TlsPolicyOptions;
import dev.mailflow.queue.QueueJson;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailflow probe}: the seeds' procedure, step by step, with every reply explained. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test a domain's or a host's inbound SMTP, step by step.",
            "As the Exchange pages do by hand: MX lookup, connect, banner, EHLO, STARTTLS, AUTH, MAIL FROM, "
                + "RCPT TO, DATA, QUIT; each step with what was sent, what came back, what it means, and why it "
                + "may have failed.",
            "For a domain, a RECORDS step after the MX lookup checks its SPF record (syntax, the 10-lookup and "
                + "2-void-lookup limits, +all, ptr), explains its DMARC record, and checks the DKIM keys of the "
                + "selectors given with --dkim-selector; it reports, it does not change the exit code.",
            "For a domain, after the session: MTA-STS (the _mta-sts record, the policy fetched over HTTPS and "
                + "parsed), MX-TLS for each MX (TLSA records at _PORT._tcp.MX, DNSSEC, whether the certificate "
                + "matches them, whether the MX matches the MTA-STS policy and its certificate is WebPKI-valid), "
                + "and TLS-RPT (_smtp._tls record). A failed DANE or MTA-STS check gives exit code 1.",
            "For a domain (or a host with --all-mx), every MX and every address of each in a session of its "
                + "own, shown as a matrix of address x step (connect, banner, EHLO, STARTTLS, certificate, MAIL, "
                + "RCPT, each timed), with each address's reverse DNS, its --dnsbl listings and its TLS grade "
                + "(A, B, C, F: protocol versions and cipher classes tried one by one, OCSP stapling, STARTTLS "
                + "injection); the matrix reports, the exit code stays that of the first MX that answers."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every step passed (WARN steps included)", "1:the server refused a step, a DANE or MTA-STS "
            + "check failed, the round trip's report says a recipient failed, a conformance check failed, or the "
            + "server is an open relay", "2:usage error", "3:could not resolve or connect"})
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TARGET", description = "a domain (MX lookup), a host, host:port, or an IP address")
    String target;

    @Option(names = "--from", paramLabel = "ADDRESS", description = "MAIL FROM address (default: probe@HELO name)")
    String from;

    @Option(names = "--to", paramLabel = "ADDRESS", description = "RCPT TO address; repeat for several")
    List<String> to = new ArrayList<>();

    @Option(names = "--notify", paramLabel = "WHAT", description = "NOTIFY on RCPT, e.g. success,failure")
    String notify;

    @Option(names = "--helo", paramLabel = "NAME", description = "the EHLO name (default: this host's name)")
    String helo;

    @Option(names = "--port", paramLabel = "PORT", description = "SMTP port (default 25)")
    Integer port;

    @Option(names = "--starttls", paramLabel = "MODE", description = "auto (when offered, the default), require, never")
    String starttls = "auto";

    @Option(names = "--auth", paramLabel = "USER[:PASS]", description = "AUTH after STARTTLS; asks for the password "
            + "when it is not given")
    String auth;

    @Option(names = "--data", description = "send a test message (\"Test from <domain>\", \"This is a test message\")")
    boolean data;

    @Option(names = "--quit-after", paramLabel = "STAGE", description = "stop after CONNECT, BANNER, EHLO, STARTTLS, "
            + "AUTH, MAIL or RCPT")
    String quitAfter;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", description = "DNS server (HOST:PORT) for the MX lookup and the records step")
    String dnsServer;

    @Option(names = "--dkim-selector", paramLabel = "SELECTOR", description = "a DKIM selector whose key the "
            + "records step checks (SELECTOR._domainkey.DOMAIN); repeat for several")
    List<String> dkimSelectors = new ArrayList<>();

    @Option(names = "--ca-file", paramLabel = "FILE", description = "a PEM file of CA certificates trusted besides "
            + "the JDK's, for the WebPKI checks of MTA-STS (the MX certificates and the policy host)")
    Path caFile;

    @Option(names = "--mta-sts-port", paramLabel = "PORT", description = "the HTTPS port MTA-STS policies are "
            + "fetched from (default 443)")
    int mtaStsPort = 443;

    @Option(names = "--dnssec-trust-anchor", paramLabel = "FILE", description = "validate DNSSEC here with the DS "
            + "or DNSKEY records of FILE; without it the AD bit of a DNS server on loopback is believed")
    Path dnssecTrustAnchor;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "per step (default 30)")
    int timeout = 30;

    @Option(names = "--all-mx", description = "test every MX and every address of each (the default for a domain); "
            + "for a host given directly, each of its addresses")
    boolean allMx;

    @Option(names = "--first", description = "only the session with the first MX that answers (no matrix, no grades)")
    boolean first;

    @Option(names = "--dnsbl", paramLabel = "ZONE", description = "look each address up in this DNS block list "
            + "(RFC 5782; zone or zone=127.0.0.[2..11]); repeat for several; none by default")
    List<String> dnsbl = new ArrayList<>();

    @Option(names = "--no-tls-grade", description = "do not grade each address's TLS (protocol versions, cipher "
            + "classes, STARTTLS injection: about 15 short connections per address)")
    boolean noTlsGrade;

    @Option(names = "--round-trip", description = "KB 153119's Advanced Testing: send the test message with "
            + "NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS and an ENVID from --from, a mailbox of a local Mailflow server "
            + "(--return-listen or --return-config), and wait for the delivery report or a reply")
    boolean roundTrip;

    @Option(names = "--return-listen", paramLabel = "HOST:PORT", description = "for --round-trip: start a Mailflow "
            + "receiver for --from here, an address the far side can reach (the return domain's MX must lead to it)")
    String returnListen;

    @Option(names = "--return-config", paramLabel = "FILE", description = "for --round-trip: --from is a mailbox of "
            + "the running Mailflow server configured by FILE; its mailbox is watched")
    Path returnConfig;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "for --round-trip: how long to wait for the "
            + "report (default 600)")
    int waitSeconds = DEFAULT_WAIT;

    static final int DEFAULT_WAIT = 600;

    @Option(names = "--conformance", description = "INTRUSIVE, for servers you run: SMTP smuggling checks (ten "
            + "false end-of-data endings) and protocol checks (bare LF, long lines and commands, PIPELINING, BDAT, "
            + "DSN and SMTPUTF8 parameters, an unknown parameter), each in a session of its own, sending test "
            + "messages to --to; no MX lookup")
    boolean conformance;

    @Option(names = "--relay-test", description = "with your consent only: is the server an open relay? Six RCPT "
            + "forms naming example.com (no message is sent); --to gives the server's own domain")
    boolean relayTest;

    @Option(names = "--addresses", description = "postmaster@ and abuse@ accepted, an unknown user refused at RCPT "
            + "(backscatter)? RCPT only, for --to's domain")
    boolean addresses;

    @Option(names = "--json", description = "print the report as JSON (docs/probe.md); the same as --format json")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (the default), json, or html: one "
            + "self-contained HTML file to mail to a colleague (mailflow probe ... --format html > report.html)")
    String format;

    @Option(names = "--log", paramLabel = "FILE", description = "write the whole SMTP transcript to FILE")
    Path log;

    @Option(names = "--lang", paramLabel = "LANG", description = Language.OPTION_HELP)
    String lang;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Language.apply(lang, err)) {
            return UsageErrors.hint(spec);
        }
        if (!List.of("auto", "require", "never").contains(starttls)) {
            return UsageErrors.misuse(spec, "--starttls must be auto, require or never");
        }
        if (quitAfter != null && !List.of("CONNECT", "BANNER", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT")
                .contains(quitAfter.toUpperCase())) {
            return UsageErrors.misuse(spec, "--quit-after must be CONNECT, BANNER, EHLO, STARTTLS, AUTH, MAIL or RCPT");
        }
        if (timeout < 1) {
            return UsageErrors.misuse(spec, "--timeout must be at least 1 second");
        }
        for (String selector : dkimSelectors) {
            if (!dev.mailflow.auth.dkim.DkimSigningKey.isSelector(selector)) {
                return UsageErrors.misuse(spec,
                        "--dkim-selector \"" + selector + "\" is not a DKIM selector (letters, digits, "
                        + "'-' and '_', parts separated by dots)");
            }
        }
        try { // before a password is asked for
            dev.mailflow.probe.ProbeTarget.parse(target, port);
            if (dnsServer != null) {
                dev.mailflow.dns.DnsjavaResolver.builder().server(dnsServer);
            }
            if (caFile != null) {
                dev.mailflow.tlspolicy.TrustAnchors.withCaFile(caFile);
            }
            if (dnssecTrustAnchor != null) {
                dev.mailflow.dns.DnsjavaResolver.builder().trustAnchors(dnssecTrustAnchor);
            }
            if (mtaStsPort < 1 || mtaStsPort > 65535) {
                throw new IllegalArgumentException("--mta-sts-port must be a number from 1 to 65535, not " + mtaStsPort);
            }
        } catch (IllegalArgumentException e) {
            return UsageErrors.misuse(spec, e.getMessage());
        }
        if (format != null) {
            String f = format.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.List.of("text", "json", "html").contains(f)) {
                return UsageErrors.misuse(spec, "--format is text, json or html, not \"" + format + "\"");
            }
            if (json && !f.equals("json")) {
                return UsageErrors.misuse(spec, "--json and --format " + f + " contradict each other: choose one");
            }
            if (f.equals("html") && (conformance || relayTest || addresses)) {
                return UsageErrors.misuse(spec,
                        "--format html is for the probe's report; --conformance, --relay-test and "
                        + "--addresses print text or JSON");
            }
            format = f;
            json = f.equals("json");
        }
        for (String[] field : new String[][] {{"--helo", helo}, {"--from", from}, {"--notify", notify}}) {
            if (field[1] != null && field[1].chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                return UsageErrors.misuse(spec, field[0] + " holds a control character (CR, LF...): it would end "
                        + "the command line early");
            }
        }
        if (to.stream().anyMatch(t -> t.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f))) {
            return UsageErrors.misuse(spec,
                    "--to holds a control character (CR, LF...): it would end the command line early");
        }
        int modes = (conformance ? 1 : 0) + (relayTest ? 1 : 0) + (addresses ? 1 : 0) + (roundTrip ? 1 : 0);
        if (modes > 1) {
            return UsageErrors.misuse(spec,
                    "--conformance, --relay-test, --addresses and --round-trip are separate tests: "
                    + "choose one per run");
        }
        if (roundTrip && quitAfter != null) {
            return UsageErrors.misuse(spec,
                    "--round-trip sends the test message and waits for its report: it does not go with "
                    + "--quit-after");
        }
        if (!roundTrip && waitSeconds != DEFAULT_WAIT) {
            return UsageErrors.misuse(spec, "--wait goes with --round-trip");
        }
        if (log != null) {
            Path parent = log.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)
                    || Files.exists(log) && !Files.isWritable(log)) {
                return UsageErrors.misuse(spec,
                        "--log " + log + ": cannot write there (no such directory, or not writable)");
            }
        }
        if (allMx && first) {
            return UsageErrors.misuse(spec, "--all-mx and --first contradict each other: choose one");
        }
        var lists = new ArrayList<dev.mailflow.server.protection.DnsList>();
        try {
            for (String zone : dnsbl) {
                lists.add(dev.mailflow.server.protection.DnsList.parse(zone, true));
            }
        } catch (IllegalArgumentException e) {
            return UsageErrors.misuse(spec, "--dnsbl " + e.getMessage());
        }
        if (roundTrip) {
            String problem = to.isEmpty() ? "--round-trip needs --to USER@DOMAIN, the far side's recipient"
                    : from == null ? "--round-trip needs --from ADDRESS, the return address (a mailbox of a local"
                    + " Mailflow server)"
                    : returnListen != null && returnConfig != null ? "--return-listen and --return-config are two ways"
                    + " to the return mailbox: choose one"
                    : returnListen == null && returnConfig == null ? "--round-trip needs one of --return-listen"
                    + " HOST:PORT (the probe starts a receiver there) or --return-config FILE (a running Mailflow"
                    + " server's mailbox)"
                    : returnListen != null ? listenProblem(returnListen)
                    : waitSeconds < 1 || waitSeconds > 86_400 ? "--wait must be from 1 to 86400 seconds, not "
                    + waitSeconds : null;
            if (problem != null) {
                return UsageErrors.misuse(spec, problem);
            }
        } else if (returnListen != null || returnConfig != null) {
            return UsageErrors.misuse(spec, "--return-listen and --return-config go with --round-trip");
        }
        var matrix = new MatrixOptions(allMx ? "all" : first ? "first" : "auto", lists, !noTlsGrade);
        String name = helo != null ? helo : localName();
        if (conformance || relayTest || addresses) {
            String host;
            try {
                host = dev.mailflow.probe.ProbeTarget.parse(target, port).host();
            } catch (IllegalArgumentException e) {
                return UsageErrors.misuse(spec, e.getMessage());
            }
            var resolved = dev.mailflow.probe.DirectHost.resolve(host, dnsServer, Duration.ofSeconds(timeout));
            if (resolved.address() == null) {
                err.println("mailflow: " + host + (resolved.problem() == dev.mailflow.probe.DirectHost.Problem.DNS_DOWN
                        ? ": the DNS server " + dnsServer + " did not answer"
                        : ": no A or AAAA record at the DNS server " + dnsServer));
                return ExitCodes.UNREACHABLE;
            }
            directHost = resolved.address();
        }
        if (conformance) {
            return conformance(out, name);
        }
        if (relayTest) {
            return relayTest(out, name);
        }
        if (addresses) {
            return addresses(out, name);
        }
        String user = null;
        String password = null;
        if (auth != null) {
            int colon = auth.indexOf(':');
            user = colon < 0 ? auth : auth.substring(0, colon);
            password = colon < 0 ? askPassword(user) : auth.substring(colon + 1);
            if (password == null) {
                return UsageErrors.misuse(spec,
                        "--auth " + user + ": no password given (add :PASS, or run it in a terminal)");
            }
        }
        ReturnMailbox mailbox = null;
        if (roundTrip) {
            try {
                mailbox = returnListen != null
                        ? ReturnMailbox.listen(returnListen, from, name, Duration.ofSeconds(waitSeconds))
                        : ReturnMailbox.existing(returnConfig, from, Duration.ofSeconds(waitSeconds));
            } catch (ReturnMailbox.Problem e) {
                err.println("mailflow: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        try {
            return run(out, name, user, password, matrix, mailbox);
        } finally {
            if (mailbox != null) {
                mailbox.close();
            }
        }
    }

    private int run(PrintWriter out, String name, String user, String password, MatrixOptions matrix,
                    ReturnMailbox mailbox) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        var options = new ProbeOptions(target, port, from != null ? from : "probe@" + name, to, notify, name,
                starttls, user, password, data || roundTrip, quitAfter == null ? null : quitAfter.toUpperCase(),
                dnsServer, Duration.ofSeconds(timeout), dkimSelectors,
                new TlsPolicyOptions(caFile, mtaStsPort, dnssecTrustAnchor), matrix,
                mailbox == null ? null : mailbox.options());
        boolean html = "html".equals(format);
        boolean terminal = System.console() != null && !json && !html;
        boolean color = terminal && System.getenv("NO_COLOR") == null;
        var text = new TextReport(out, color, terminal ? err : null);
        var transcript = new ArrayList<String>();
        if (!json && !html) {
            out.println(dnsServer != null ? Messages.text("report.title.dns", target, dnsServer)
                    : Messages.text("report.title", target));
            out.println();
        }
        Probe.Listener listener = json || html ? s -> { } : text;
        var report = Probe.run(options, listener, transcript);
        if (json) {
            out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else if (html) {
            out.print(dev.mailflow.probe.HtmlReport.render(report, "Mailflow " + MailflowCommand.Version.version(),
                    java.time.ZonedDateTime.now()));
        } else {
            text.summary(report);
        }
        if (log != null) {
            Files.write(log, transcript, StandardCharsets.UTF_8);
        }
        out.flush();
        return report.exitCode();
    }

    /** The host of --conformance, --relay-test and --addresses, resolved once ({@link dev.mailflow.probe.DirectHost}). */
    private String directHost;

    /** What is wrong with {@code --return-listen HOST:PORT}, or null. */
    static String listenProblem(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon <= 0 ? "" : hostPort.substring(0, colon).replaceAll("^\\[|]$", "");
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return "--return-listen " + hostPort + ": give an address and port the far side can reach, such as "
                    + "192.0.2.10:25 (a port from 1 to 65535)";
        }
        return null;
    }

    /** {@code --conformance}: the smuggling and protocol checks, a line each (or JSON); exit 1 when one fails. */
    private int conformance(PrintWriter out, String name) throws Exception {
        if (to.isEmpty()) {
            return UsageErrors.misuse(spec,
                    "--conformance needs --to ADDRESS, a recipient the server accepts (each check sends "
                    + "a test message to it)");
        }
        var t = dev.mailflow.probe.ProbeTarget.parse(target, port);
        String sender = from != null ? from : "probe@" + name;
        if (!json) {
            out.println(Messages.text("conformance.title", t.hostPort(), to.get(0)));
            out.println();
            out.flush();
        }
        var checks = dev.mailflow.probe.Conformance.run(directHost, t.port(), name, sender, to.get(0),
                Duration.ofSeconds(timeout), Duration.ofSeconds(Math.min(timeout, 3)));
        if (json) {
            var doc = new java.util.LinkedHashMap<String, Object>();
            doc.put("schemaVersion", 1);
            doc.put("target", t.hostPort());
            doc.put("conformance", checks);
            out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            for (var c : checks) {
                out.printf("  %-4s  %-26s %s%n", c.verdict(), c.name(), c.detail());
            }
            long failed = checks.stream().filter(c -> c.verdict().equals("fail")).count();
            long warned = checks.stream().filter(c -> c.verdict().equals("warn")).count();
            out.println();
            out.println(failed == 0 && warned == 0 ? Messages.text("conformance.allPassed", checks.size())
                    : Messages.text("conformance.summary", failed, warned, checks.size() - failed - warned));
        }
        out.flush();
        if (checks.stream().noneMatch(dev.mailflow.probe.Conformance.Check::reached)) {
            return ExitCodes.UNREACHABLE;
        }
        return checks.stream().anyMatch(c -> c.verdict().equals("fail")) ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /** {@code --relay-test}: the six forms, a line each (or JSON); exit 1 for an open relay. */
    private int relayTest(PrintWriter out, String name) throws Exception {
        if (to.isEmpty() || to.get(0).lastIndexOf('@') < 1) {
            return UsageErrors.misuse(spec,
                    "--relay-test needs --to USER@DOMAIN, an address of the server's own domain (the "
                    + "forms that hide a foreign address in a local part use its domain)");
        }
        var t = dev.mailflow.probe.ProbeTarget.parse(target, port);
        String ours = to.get(0).substring(to.get(0).lastIndexOf('@') + 1);
        String sender = from != null ? from : "probe@" + name;
        var attempts = dev.mailflow.probe.RelayTest.run(directHost, t.port(), name, sender, ours,
                Duration.ofSeconds(timeout));
        boolean open = dev.mailflow.probe.RelayTest.openRelay(attempts);
        if (json) {
            var doc = new java.util.LinkedHashMap<String, Object>();
            doc.put("schemaVersion", 1);
            doc.put("target", t.hostPort());
            doc.put("openRelay", open);
            doc.put("relay", attempts);
            out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.println(Messages.text("relay.title", t.hostPort()));
            out.println();
            for (var a : attempts) {
                out.printf("  %-4s  %-18s RCPT TO:<%s>%n", a.verdict(), a.form(), a.recipient());
                out.println("        " + (a.reply().isEmpty() ? "" : a.reply() + ": ") + a.detail());
            }
            out.println();
            boolean untested = attempts.stream().allMatch(a -> a.verdict().equals("warn"));
            out.println(Messages.text(open ? "relay.summary.open" : untested ? "relay.summary.untested"
                    : "relay.summary.closed"));
        }
        out.flush();
        if (attempts.stream().allMatch(a -> a.verdict().equals("warn") && a.reply().isEmpty())) {
            return ExitCodes.UNREACHABLE;
        }
        return open ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /** {@code --addresses}: postmaster, abuse and an unknown user, a line each (or JSON); exit 1 when postmaster fails. */
    private int addresses(PrintWriter out, String name) throws Exception {
        if (to.isEmpty() || to.get(0).lastIndexOf('@') < 1) {
            return UsageErrors.misuse(spec,
                    "--addresses needs --to USER@DOMAIN: the domain whose addresses are asked for");
        }
        var t = dev.mailflow.probe.ProbeTarget.parse(target, port);
        String domain = to.get(0).substring(to.get(0).lastIndexOf('@') + 1);
        String sender = from != null ? from : "probe@" + name;
        var checks = dev.mailflow.probe.AddressHygiene.run(directHost, t.port(), name, sender, domain,
                Duration.ofSeconds(timeout));
        if (json) {
            var doc = new java.util.LinkedHashMap<String, Object>();
            doc.put("schemaVersion", 1);
            doc.put("target", t.hostPort());
            doc.put("addresses", checks);
            out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.println(Messages.text("hygiene.title", domain, t.hostPort()));
            out.println();
            for (var c : checks) {
                out.printf("  %-4s  %-13s RCPT TO:<%s>%n", c.verdict(), c.name(), c.recipient());
                out.println("        " + (c.reply().isEmpty() ? "" : c.reply() + ": ") + c.detail());
            }
        }
        out.flush();
        if (checks.stream().allMatch(c -> c.reply().isEmpty())) {
            return ExitCodes.UNREACHABLE;
        }
        return checks.stream().anyMatch(c -> c.verdict().equals("fail")) ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    private String askPassword(String user) {
        var console = System.console();
        if (console == null) {
            return null;
        }
        char[] pw = console.readPassword("Password for %s: ", user);
        return pw == null ? null : new String(pw);
    }

    /** The EHLO name by default: the same choice as the server's own hostname, never "localhost". */
    static String localName() {
        return DefaultHostname.forThisMachine().name();
    }
}
