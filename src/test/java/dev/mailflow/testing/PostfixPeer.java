package dev.mailflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private Postfix instance (Debian's package, configured by the test in its own folder) on
 * 127.0.0.1 as a remote MTA: it takes mail for one domain into Maildir, refuses unknown users
 * with 550 5.1.1, and sends its own mail (its DSNs) to a relay host: Mailflow.
 */
public final class PostfixPeer implements AutoCloseable {

    private final Path base;
    private final Path conf;
    private final int port;

    private PostfixPeer(Path base, int port) {
        this.base = base;
        this.conf = base.resolve("conf");
        this.port = port;
    }

    /**
     * @param users     the domain's mailboxes, user@domain
     * @param relayPort where Postfix sends everything not for its domain (Mailflow, on 127.0.0.1)
     */
    public static PostfixPeer start(Path base, int port, String domain, List<String> users, int relayPort)
            throws Exception {
        return start(base, port, domain, users, relayPort, null);
    }

    /**
     * @param tls the certificate its smtpd offers with STARTTLS, or null for a Postfix that
     *            offers no STARTTLS
     */
    public static PostfixPeer start(Path base, int port, String domain, List<String> users, int relayPort,
                                    TestPki.Issued tls) throws Exception {
        Path postfix = ExternalTool.require("postfix");
        ExternalTool.requireRoot("a private Postfix instance is started");
        var peer = new PostfixPeer(base, port);
        for (String d : List.of("conf", "queue", "data", "mail")) {
            Files.createDirectories(base.resolve(d));
        }
        run(List.of("chmod", "755", base.getParent().toString(), base.toString()));
        run(List.of("chown", "postfix", base.resolve("data").toString()));
        run(List.of("chown", "65534:65534", base.resolve("mail").toString()));
        var vmailbox = new StringBuilder();
        for (String u : users) {
            String local = u.substring(0, u.indexOf('@'));
            vmailbox.append(u).append(' ').append(domain).append('/').append(local).append("/\n");
        }
        Files.writeString(peer.conf.resolve("vmailbox"), vmailbox.toString());
        Files.writeString(peer.conf.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                mail_owner = postfix
                setgid_group = postdrop
                myhostname = mx.%2$s
                mydomain = %2$s
                myorigin = %2$s
                mydestination =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                mynetworks = 127.0.0.0/8
                smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
                virtual_mailbox_domains = %2$s
                virtual_mailbox_base = %1$s/mail
                virtual_mailbox_maps = texthash:%1$s/conf/vmailbox
                virtual_uid_maps = static:65534
                virtual_gid_maps = static:65534
                virtual_minimum_uid = 100
                relayhost = [127.0.0.1]:%3$d
                smtp_dns_support_level = disabled
                maillog_file = %1$s/postfix.log
                maillog_file_prefixes = %1$s
                alias_maps =
                alias_database =
                local_recipient_maps =
                biff = no
                """.formatted(base, domain, relayPort)
                + (tls == null ? "smtpd_tls_security_level = none\n" : """
                smtpd_tls_security_level = may
                smtpd_tls_chain_files = %1$s/conf/key.pem, %1$s/conf/cert.pem
                smtpd_tls_loglevel = 1
                """.formatted(base)));
        if (tls != null) {
            tls.writePem(peer.conf.resolve("cert.pem"), peer.conf.resolve("key.pem"));
        }
        var master = new ArrayList<String>();
        for (String line : Files.readAllLines(Path.of("/etc/postfix/master.cf"))) {
            String[] f = line.trim().split("\\s+");
            if (!line.isEmpty() && !line.startsWith("#") && !Character.isWhitespace(line.charAt(0)) && f.length >= 8) {
                if (f[0].equals("smtp") && f[1].equals("inet")) {
                    f[0] = "127.0.0.1:" + port;
                }
                f[4] = "n";
                line = String.join("  ", f);
            }
            master.add(line);
        }
        Files.write(peer.conf.resolve("master.cf"), master);
        run(List.of(postfix.toString(), "-c", peer.conf.toString(), "start"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return peer;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("postfix did not listen on " + port + ": " + peer.log());
    }

    /** The messages in a user's Maildir new/ folder. */
    public List<Path> delivered(String domain, String local) throws Exception {
        Path dir = base.resolve("mail").resolve(domain).resolve(local).resolve("new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    public String log() throws Exception {
        Path log = base.resolve("postfix.log");
        return Files.exists(log) ? Files.readString(log) : "(no postfix log)";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        var p = new ProcessBuilder(ExternalTool.require("postfix").toString(), "-c", conf.toString(), "stop")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private static void run(List<String> command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
