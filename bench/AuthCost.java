import dev.mailflow.auth.AuthReport;
import dev.mailflow.auth.AuthRequest;
import dev.mailflow.auth.AuthenticationResults;
import dev.mailflow.auth.MessageAuthenticator;
import dev.mailflow.auth.dkim.DkimAlgorithm;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.dns.CachingResolver;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.Zone;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the email-authentication checks of one message cost in CPU, without SMTP, the queue or
 * the disk: {@link MessageAuthenticator}'s SPF at MAIL and its check at the end of data, then
 * the Authentication-Results value, as the server's end-of-data hook does them, for the
 * messages of {@code bench/auth-overhead.sh} (about 1 KiB: unsigned, DKIM rsa-sha256 2048,
 * DKIM ed25519-sha256, signed by Mailflow's signer). DNS is the shared cache in front of an
 * in-memory zone holding the bench's records, warmed first, so every answer is a cache hit, as
 * in the bench once warm. Also the cache's hit path alone.
 *
 * <p>Prints microseconds of CPU and bytes allocated per message for each load, a few rounds
 * (the lowest round is the least disturbed by other load on the machine). Single-threaded:
 * thread CPU time, not wall clock, so other work on the machine matters little.
 *
 * <p>Run from the project directory after {@code ./mailflow --version} (which builds the jar):
 * {@code $JAVA_HOME/bin/java -cp target/mailflow.jar bench/AuthCost.java [messages per round]}
 */
public class AuthCost {

    private static final String DOMAIN = "sender.test";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        var rsa = DkimKeyGenerator.rsa(2048);
        var ed = DkimKeyGenerator.ed25519();
        Zone zone = Zone.builder().ttl(Duration.ofDays(1)).negativeTtl(Duration.ofDays(1))
                .txt(DOMAIN, "v=spf1 ip4:127.0.0.0/8 -all")
                .txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject")
                .txt("rsa2048._domainkey." + DOMAIN, DkimKeyGenerator.txtStrings(
                        DkimKeyGenerator.keyRecord(rsa.getPublic())).toArray(String[]::new))
                .txt("ed25519._domainkey." + DOMAIN, DkimKeyGenerator.txtStrings(
                        DkimKeyGenerator.keyRecord(ed.getPublic())).toArray(String[]::new))
                .build();
        DnsResolver dns = new CachingResolver(zone);
        var auth = new MessageAuthenticator(dns, "mf.bench.test");
        byte[] plain = message(1024);
        Map<String, byte[]> loads = new LinkedHashMap<>();
        loads.put("unsigned", received(plain));
        loads.put("DKIM rsa-sha256 (2048)", received(new DkimSigner(new DkimSigningKey(DOMAIN, "rsa2048",
                rsa.getPrivate(), DkimAlgorithm.RSA_SHA256)).sign(plain)));
        loads.put("DKIM ed25519-sha256", received(new DkimSigner(new DkimSigningKey(DOMAIN, "ed25519",
                ed.getPrivate(), DkimAlgorithm.ED25519_SHA256)).sign(plain)));
        var request = new AuthRequest(InetAddress.getByName("127.0.0.1"), "client.bench.example", "load@" + DOMAIN);
        for (var load : loads.entrySet()) {
            String ar = AuthenticationResults.value("mf.bench.test", once(auth, request, load.getValue()));
            for (String expected : List.of("spf=pass", "dmarc=pass", load.getKey().startsWith("DKIM") ? "dkim=pass" : "dkim=none")) {
                if (!ar.contains(expected)) {
                    throw new AssertionError(load.getKey() + ": expected " + expected + " in " + ar);
                }
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        for (int round = 1; round <= 5; round++) {
            var line = new StringBuilder("round " + round + ":");
            for (var load : loads.entrySet()) {
                byte[] m = load.getValue();
                for (int i = 0; i < n / 4; i++) {
                    sink += AuthenticationResults.value("mf.bench.test", once(auth, request, m)).length();
                }
                long cpu0 = threads.getCurrentThreadCpuTime();
                long alloc0 = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < n; i++) {
                    sink += AuthenticationResults.value("mf.bench.test", once(auth, request, m)).length();
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long alloc = threads.getThreadAllocatedBytes(self) - alloc0;
                line.append(String.format("  %s %.1f us %d B", load.getKey(), cpu / 1000.0 / n, alloc / n));
            }
            long cpu0 = threads.getCurrentThreadCpuTime();
            long alloc0 = threads.getThreadAllocatedBytes(self);
            for (int i = 0; i < n * 10; i++) {
                sink += dns.txt(DOMAIN).records().size();
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long alloc = threads.getThreadAllocatedBytes(self) - alloc0;
            line.append(String.format("  | cache hit %.0f ns %d B", cpu / 10.0 / n, alloc / (10L * n)));
            System.out.println(line);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long sink;

    /** What the server does for one message: SPF at MAIL, the checks at the end of data. */
    private static AuthReport once(MessageAuthenticator auth, AuthRequest request, byte[] message) {
        SpfOutcome spf = auth.spf(request);
        return auth.check(request, message, spf);
    }

    /** The message with the Received field the server puts on top before the checks run. */
    private static byte[] received(byte[] message) {
        byte[] field = ("Received: from client.bench.example (localhost [127.0.0.1])\r\n\tby mf.bench.test with ESMTP"
                + " id 1a2b3c;\r\n\tWed, 02 Dec 2026 03:47:00 +0000\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = java.util.Arrays.copyOf(field, field.length + message.length);
        System.arraycopy(message, 0, out, field.length, message.length);
        return out;
    }

    /** A message like the bench's: From, To, Subject, Date, Message-ID, {@code size} octets of text. */
    private static byte[] message(int size) {
        var sb = new StringBuilder()
                .append("From: <load@").append(DOMAIN).append(">\r\nTo: <bench@bench.test>\r\n")
                .append("Subject: authentication overhead\r\nDate: Wed, 02 Dec 2026 03:47:00 +0000\r\n")
                .append("Message-ID: <bench.1@").append(DOMAIN).append(">\r\n\r\n");
        int left = size;
        for (int line = 1; left > 0; line++) {
            String text = (line + "X".repeat(78)).substring(0, Math.min(78, Math.max(1, left - 2)));
            sb.append(text).append("\r\n");
            left -= text.length() + 2;
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
