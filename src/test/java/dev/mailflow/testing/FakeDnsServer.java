package dev.mailflow.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * A DNS server on a loopback UDP port that answers every query with one response code
 * (REFUSED, SERVFAIL...), or never answers: the failures dnsmasq will not make on purpose.
 */
public final class FakeDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final int rcode;

    private FakeDnsServer(int rcode) throws SocketException {
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.rcode = rcode;
        if (rcode >= 0) {
            Thread.ofVirtual().start(this::serve);
        }
    }

    /** Answers every query with this response code ({@link Rcode#REFUSED}, {@link Rcode#SERVFAIL}). */
    public static FakeDnsServer answering(int rcode) throws SocketException {
        return new FakeDnsServer(rcode);
    }

    /** A bound UDP socket that reads nothing and answers nothing: queries time out. */
    public static FakeDnsServer silent() throws SocketException {
        return new FakeDnsServer(-1);
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** "127.0.0.1:port", as the config and --dns-server take it. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                var packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                var query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                var answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(Flags.QR);
                answer.getHeader().setRcode(rcode);
                if (query.getQuestion() != null) {
                    answer.addRecord(query.getQuestion(), Section.QUESTION);
                }
                byte[] out = answer.toWire();
                socket.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a packet that is not a DNS query: keep serving until closed
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
