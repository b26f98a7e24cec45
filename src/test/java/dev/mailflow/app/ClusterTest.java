package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Await;
import dev.mailflow.testing.Postgres;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Mailflow nodes on 127.0.0.2, 127.0.0.3 and 127.0.0.4, each a process of its own,
 * sharing one queue in a private PostgreSQL, relaying to one slow smart host: a bounded load
 * of uniquely tagged messages across the three. One node is killed with kill -9 while it holds
 * leases; the others deliver its messages once its leases expire. Every token that got a 250
 * must reach the smart host (none lost); tokens delivered twice are counted and reported. A
 * second run stops a node with SIGSTOP past its lease and resumes it: what it finds afterwards
 * never overwrites the newer owner's result.
 */
class ClusterTest {

    @TempDir
    Path dir;

    private static final Pattern TOKEN = Pattern.compile("(?m)^Subject: (token-\\d+-\\d+)\\r?$");
    private static final Duration LEASE = Duration.ofSeconds(4);

    private String config(int node, String url, int smartHost) {
        return """
                hostname = "mx%1$d.cluster.test"
                data_dir = "node%1$d"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.%2$d:0"
                protocol_log = false
                relay_from = ["127.0.0.0/8"]
                authentication = "off"

                [[send_connector]]
                name = "Smart host"
                domains = ["*"]
                smart_host = "127.0.0.1:%3$d"

                [queue]
                store = "postgresql"
                url = "%4$s"
                user = "mailflow"
                node_id = "mx%1$d"
                lease = "%5$ds"
                retry_intervals = ["1s"]
                delivery_concurrency = 4

                [delivery]
                dns_server = "127.0.0.1:9"

                [web]
                enabled = false
                """.formatted(node, node + 1, smartHost, url, LEASE.toSeconds());
    }

    /** The three node processes, stopped together. */
    private record Cluster(List<ServerProcess> nodes) implements AutoCloseable {
        ServerProcess get(int i) {
            return nodes.get(i);
        }

        @Override
        public void close() throws Exception {
            for (var n : nodes) {
                n.close();
            }
        }
    }

    private Cluster startNodes(Postgres pg, int smartHost) throws Exception {
        var nodes = new ArrayList<ServerProcess>();
        for (int n = 1; n <= 3; n++) {
            Path file = dir.resolve("mx" + n + ".toml");
            Files.writeString(file, config(n, pg.url("mail"), smartHost));
            nodes.add(ServerProcess.start(file));
        }
        return new Cluster(nodes);
    }

    private static void awaitDelivered(ScriptedPeer sink, Set<String> acknowledged) throws Exception {
        Await.until("every acknowledged token delivered", Duration.ofSeconds(60),
                () -> delivered(sink).keySet().containsAll(acknowledged), done -> done);
    }

    private static void awaitQueueEmpty(Postgres pg) throws Exception {
        Await.until("the shared queue empty", Duration.ofSeconds(30), () -> queueEmpty(pg), done -> done);
    }

    private static boolean queueEmpty(Postgres pg) throws Exception {
        return pg.sql("mail", "SELECT 'left=' || count(*) FROM mailflow_queue;").contains("left=0");
    }

    private static Postgres database(Path dir) throws Exception {
        var pg = Postgres.start(dir);
        pg.sql("postgres", "CREATE ROLE mailflow LOGIN; CREATE DATABASE mail OWNER mailflow;");
        return pg;
    }

    /** The smart host: a little slow at the end of data, so that deliveries are in flight. */
    private static ScriptedPeer smartHost(long delayMillis) throws Exception {
        return new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public long delayEndOfData(int session) {
                return delayMillis;
            }
        }, InetAddress.getByName("127.0.0.1"), 0);
    }

    @Test
    void aNodeKilledWithItsLeasesLosesNothingTheOthersDeliverItsMessages() throws Exception {
        try (var pg = database(dir); var sink = smartHost(400);
             var nodes = startNodes(pg, sink.port())) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            // A burst to mx2 first: it holds leases on messages it has not delivered yet.
            sendBatch(nodes.get(1).port("Inbound"), "127.0.0.3", 2, 60, acknowledged, sent);
            var load = new ArrayList<Thread>();
            for (int n : new int[] {0, 2}) {
                int port = nodes.get(n).port("Inbound");
                String host = "127.0.0." + (n + 2);
                load.add(Thread.ofVirtual().start(() -> sendBatch(port, host, n + 1, 60, acknowledged, sent)));
            }
            long beforeKill = sink.accepted().size();
            nodes.get(1).kill9();
            for (var t : load) {
                t.join(Duration.ofSeconds(60));
            }
            assertThat(acknowledged).as("acknowledged across the nodes").hasSizeGreaterThanOrEqualTo(170);
            // Within the lease (4 s) plus the claim interval and the delivery time of what is left.
            awaitDelivered(sink, acknowledged);
            var delivered = delivered(sink);
            var lost = new ArrayList<>(acknowledged);
            lost.removeAll(delivered.keySet());
            long twice = delivered.values().stream().filter(c -> c > 1).count();
            System.out.printf("cluster kill -9: %d acknowledged, %d delivered before the kill, %d lost,"
                    + " %d delivered twice%n", acknowledged.size(), beforeKill, lost.size(), twice);
            assertThat(lost).as("acknowledged but never delivered").isEmpty();
            assertThat(delivered.keySet()).as("only what was sent").isSubsetOf(sent);
            // At most what the killed node had in flight (4 attempts at once) may come twice.
            assertThat(twice).as("delivered twice").isLessThanOrEqualTo(4);
            assertThat(pg.sql("mail", "SELECT 'left=' || count(*) FROM mailflow_queue;"))
                    .as("the shared queue is empty").contains("left=0");
        }
    }

    @Test
    void aNodeStoppedPastItsLeaseDoesNotOverwriteTheNewOwner() throws Exception {
        // The smart host defers everything at first: the messages go back and forth between nodes.
        try (var pg = database(dir); var sink = smartHost(2_500);
             var nodes = startNodes(pg, sink.port())) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            sendBatch(nodes.get(0).port("Inbound"), "127.0.0.2", 1, 8, acknowledged, sent);
            Thread.sleep(500); // mx1 is in the middle of its attempts (each waits 2.5 s for the 250)
            long pid = nodes.get(0).pid();
            signal("STOP", pid);
            Thread.sleep(LEASE.plusSeconds(3).toMillis());
            // mx2 and mx3 have taken the messages over meanwhile.
            String owners = pg.sql("mail", "SELECT 'owners=' || string_agg(DISTINCT coalesce(lease_owner, '-'), ',')"
                    + " FROM mailflow_queue;");
            signal("CONT", pid);
            awaitDelivered(sink, acknowledged);
            awaitQueueEmpty(pg);
            Thread.sleep(2_000); // mx1's stale attempts end now: none of them may bring a row back
            assertThat(pg.sql("mail", "SELECT 'left=' || count(*) FROM mailflow_queue;"))
                    .as("no row written again by the stalled node").contains("left=0");
            assertThat(owners).as("leases taken over while mx1 was stopped").doesNotContain("mx1");
            Await.until("mx1 says it lost its leases", Duration.ofSeconds(10),
                    () -> nodes.get(0).output().contains("another node"), done -> done);
            var delivered = delivered(sink);
            long twice = delivered.values().stream().filter(c -> c > 1).count();
            System.out.printf("cluster SIGSTOP: %d acknowledged, %d delivered twice (in flight on the stopped"
                    + " node)%n", acknowledged.size(), twice);
            assertThat(delivered.keySet()).containsAll(acknowledged);
        }
    }

    @Test
    void aStoppedDatabaseMakesMailWaitAndNothingAcknowledgedIsLost() throws Exception {
        try (var pg = database(dir); var sink = smartHost(200);
             var nodes = startNodes(pg, sink.port())) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            sendBatch(nodes.get(0).port("Inbound"), "127.0.0.2", 1, 20, acknowledged, sent);
            pg.stop();
            var replies = new ArrayList<String>();
            try {
                replies.addAll(replies(nodes.get(1).port("Inbound"), "127.0.0.3", 5));
            } finally {
                pg.startAgain();
            }
            assertThat(replies).as("end-of-data replies while the database is down").hasSize(5)
                    .allMatch(r -> r.startsWith("451 4.3.0"), "451 4.3.0");
            sendBatch(nodes.get(2).port("Inbound"), "127.0.0.4", 3, 20, acknowledged, sent);
            assertThat(acknowledged).as(() -> "node 3 said:\n" + nodes.get(2).output()).hasSize(40);
            awaitDelivered(sink, acknowledged);
            awaitQueueEmpty(pg);
            assertThat(nodes.get(0).output() + nodes.get(1).output()).as("the log says what is down")
                    .contains("the shared queue (PostgreSQL at 127.0.0.1:");
            var check = dev.mailflow.testing.MainRunner.run("check", "--config", dir.resolve("mx2.toml").toString());
            assertThat(check.out()).as(check.err()).contains("queue: shared in PostgreSQL at 127.0.0.1:")
                    .contains("as node mx2 (lease 4 s), which answers now: ").contains("3 node(s)");
            // Any node shows the whole cluster: its nodes, and every node's tracking events.
            // (After the restart each node's pool reconnects and its heartbeat moves again.)
            Await.until("queue list shows the three nodes up", Duration.ofSeconds(30),
                    () -> dev.mailflow.testing.MainRunner.run("queue", "list", "--config",
                            dir.resolve("mx1.toml").toString()).out(),
                    out -> out.contains("Nodes: mx1 up") && out.contains("mx2 up") && out.contains("mx3 up"));
            Await.until("node 3's events in the cluster's tracking", Duration.ofSeconds(10), () -> {
                var track = dev.mailflow.testing.MainRunner.run("track", "--config", dir.resolve("mx1.toml").toString(),
                        "--json");
                return track.out();
            }, out -> out.contains("\"RECEIVE\"") && out.contains("\"SEND\"") && out.lines().count() >= 80);
        }
    }

    /** The end-of-data replies to {@code count} messages sent on one connection. */
    private static List<String> replies(int port, String host, int count) throws Exception {
        var result = new ArrayList<String>();
        try (var socket = new Socket(host, port)) {
            socket.setSoTimeout(20_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            expect(in, "220");
            out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            expect(in, "250");
            for (int n = 0; n < count; n++) {
                startData(in, out);
                out.write(("Subject: down-" + n + "\r\n\r\nwhile the database is down\r\n.\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                result.add(lastLine(in));
            }
        }
        return result;
    }

    /** MAIL, RCPT and DATA of one load message, up to the 354. */
    private static void startData(BufferedReader in, java.io.OutputStream out) throws java.io.IOException {
        out.write("MAIL FROM:<load@client.test>\r\n".getBytes(StandardCharsets.US_ASCII));
        expect(in, "250");
        out.write("RCPT TO:<someone@far.test>\r\n".getBytes(StandardCharsets.US_ASCII));
        expect(in, "250");
        out.write("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
        expect(in, "354");
    }

    private static String lastLine(BufferedReader in) throws java.io.IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new java.io.EOFException();
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    private static void signal(String name, long pid) throws Exception {
        var p = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start();
        assertThat(p.waitFor()).as("kill -" + name).isZero();
    }

    private static Map<String, Integer> delivered(ScriptedPeer sink) {
        var counts = new HashMap<String, Integer>();
        for (var m : sink.accepted()) {
            var t = TOKEN.matcher(m.content());
            if (t.find()) {
                counts.merge(t.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Sends up to {@code count} messages on one connection; stops when the node goes away. */
    private static void sendBatch(int port, String host, int client, int count, Set<String> acknowledged,
                                  Set<String> sent) {
        try (var socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            expect(in, "220");
            out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            expect(in, "250");
            int retries = 0;
            for (int n = 0; n < count; n++) {
                String token = "token-" + client + "-" + n;
                startData(in, out);
                sent.add(token);
                out.write(("Subject: " + token + "\r\nFrom: load@client.test\r\n\r\nbody of " + token + "\r\n.\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String reply = lastLine(in);
                if (reply.startsWith("250")) {
                    acknowledged.add(token);
                } else if (reply.startsWith("4") && retries++ < 20) {
                    // As a client MTA does after a 4xx (here sooner): the same message again.
                    Thread.sleep(500);
                    n--;
                } else {
                    throw new AssertionError(token + ": " + reply);
                }
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
            // the node was killed: what got no 250 may or may not arrive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one reply; true when it has the code, an exception when the connection is gone. */
    private static boolean expect(BufferedReader in, String code) throws java.io.IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new java.io.EOFException();
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line.startsWith(code);
    }
}
