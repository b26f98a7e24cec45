package dev.mailflow.app;

import dev.mailflow.auth.AuthRequest;
import dev.mailflow.dns.CachingResolver;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.probe.AuthCheck;
import dev.mailflow.probe.AuthTextReport;
import dev.mailflow.smtp.Domains;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mailflow auth}: SPF (RFC 7208), and given a message DKIM (RFC 6376), ARC (RFC 8617)
 * and DMARC (RFC 9989), as the receiving server would judge them, each result with its reasons,
 * and the Authentication-Results field (RFC 8601) it would add.
 */
@Command(name = "auth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a message's email authentication as a receiving server would.",
            "SPF for the client address, HELO name and MAIL FROM (the HELO name for the null sender <>); with "
                + "--message also every DKIM signature, the ARC chain and DMARC on the From domain. Each result "
                + "comes with its reasons (which mechanism matched in which record, the DNS records asked for, "
                + "why a signature failed) and the Authentication-Results header field this host would add.",
            "Nothing is sent: only DNS is asked (the server given with --dns-server, or the system's resolver)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check that ran passed (SPF pass or none; DKIM, ARC and DMARC pass or none)",
            "1:a check did not pass (fail, softfail, neutral, temperror, permerror, policy)",
            "2:usage error (a bad address, a missing option, an unreadable message)"})
public final class AuthCommand implements Callable<Integer> {

    /** Messages read whole into memory: far beyond any SMTP size limit, short of exhausting the heap. */
    static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Option(names = "--ip", required = true, paramLabel = "IP",
            description = "the SMTP client's address, IPv4 or IPv6 (e.g. 192.0.2.7, 2001:db8::7)")
    String ip;

    @Option(names = "--helo", required = true, paramLabel = "NAME", description = "the name the client gave in EHLO/HELO")
    String helo;

    @Option(names = "--from", required = true, paramLabel = "ADDRESS",
            description = "the MAIL FROM address; '<>' or '' for the null sender (then SPF checks the HELO name)")
    String from;

    @Option(names = "--message", paramLabel = "FILE",
            description = "the message as received (headers and body; '-' reads standard input): adds DKIM, ARC "
                    + "and DMARC")
    String message;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", description = "the DNS server to ask (default: the "
            + "system's resolver)")
    String dnsServer;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "this receiver's name, the authserv-id of Authentication-Results (default: this host's name)")
    String hostname;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long one DNS query may take, "
            + "asked twice (default 3); a server that does not answer gives temperror")
    double timeout = 3;

    @Option(names = "--json", description = "print the results as JSON (docs/probe.md)")
    boolean json;

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
        InetAddress client = clientAddress(ip);
        if (client == null) {
            return UsageErrors.misuse(spec, "--ip " + ip + " is not an IPv4 or IPv6 address");
        }
        if (!(timeout >= 0.1 && timeout <= 60)) {
            return UsageErrors.misuse(spec, "--timeout must be from 0.1 to 60 seconds");
        }
        DnsResolver dns;
        try {
            var b = DnsjavaResolver.builder().timeout(Duration.ofMillis(Math.round(timeout * 1000))).tries(2);
            dns = new CachingResolver((dnsServer == null ? b.systemServers() : b.server(dnsServer)).build());
        } catch (IllegalArgumentException e) {
            return UsageErrors.misuse(spec, "--dns-server: " + e.getMessage());
        }
        String receiver = hostname != null ? hostname : DefaultHostname.forThisMachine().name();
        if (!Domains.isValidDomain(receiver, true)) {
            return UsageErrors.misuse(spec, "--hostname " + receiver + " is not a host name");
        }
        byte[] content = null;
        if (message != null) {
            try {
                content = read(message);
            } catch (IOException e) {
                return UsageErrors.misuse(spec, "--message " + message + ": " + IoErrors.describe(e));
            }
            if (content == null) {
                return UsageErrors.misuse(spec, "--message " + message + " is larger than " + (MAX_MESSAGE >> 20) + " MB");
            }
        }
        String mailFrom = from.strip();
        if (mailFrom.startsWith("<") && mailFrom.endsWith(">")) {
            mailFrom = mailFrom.substring(1, mailFrom.length() - 1);
        }
        // An address needs a domain after its last @ (RFC 5321 4.1.2); a malformed domain is
        // still SPF's to judge ("none", RFC 7208 4.3), as a receiving server would.
        int at = mailFrom.lastIndexOf('@');
        if (!mailFrom.isEmpty() && (at < 0 || at == mailFrom.length() - 1)) {
            return UsageErrors.misuse(spec, "--from " + from + " is not an address (local-part@domain, or '<>' for the null sender)");
        }
        var result = AuthCheck.run(dns, receiver, new AuthRequest(client, helo, mailFrom), content);
        if (json) {
            // Nulls stay: a key the report defines is always there ("dmarc": null without a message).
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.json()));
            out.flush();
        } else {
            AuthTextReport.print(out, result);
        }
        return result.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /**
     * An address literal only (never a name lookup: the JDK parses a text with a colon as IPv6
     * and refuses it when it is not one); "[...]" and RFC 5321's "IPv6:" prefix are allowed.
     */
    static InetAddress clientAddress(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.regionMatches(true, 0, "IPv6:", 0, 5)) {
            s = s.substring(5);
        }
        // IPv6 in any RFC 4291 2.2 form, the IPv4-mapped ::ffff:1.2.3.4 included; no zone index
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!Domains.isIpv4Literal(s) && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The message, or null when it is larger than {@link #MAX_MESSAGE}. */
    private static byte[] read(String file) throws IOException {
        if (file.equals("-")) {
            return limited(System.in);
        }
        Path p;
        try {
            p = Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException("not a file name", e);
        }
        if (Files.isDirectory(p)) {
            throw new IOException(file + " is a directory");
        }
        try (InputStream in = Files.newInputStream(p)) {
            return limited(in);
        }
    }

    private static byte[] limited(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_MESSAGE + 1);
        return b.length > MAX_MESSAGE ? null : b;
    }
}
