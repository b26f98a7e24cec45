package dev.mailflow.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A bare SMTP client for tests: send a line, get the whole reply. */
public final class SmtpTestClient implements AutoCloseable {

    public final Socket socket;
    public final BufferedReader in;
    public final OutputStream out;

    public SmtpTestClient(int port) throws Exception {
        this("127.0.0.1", port);
    }

    /**
     * From a given loopback address ({@code 127.0.0.x}: Linux answers the whole of
     * 127.0.0.0/8 on lo), for tests that need several client addresses.
     */
    public SmtpTestClient(String localAddress, int port) throws Exception {
        socket = new Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
                java.net.InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(5000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** Sends a line (CRLF added) and returns the whole reply (all its lines). */
    public List<String> send(String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply();
    }

    public List<String> reply() throws Exception {
        var lines = new ArrayList<String>();
        String l;
        do {
            l = in.readLine();
            if (l == null) {
                break;
            }
            lines.add(l);
        } while (l.length() > 3 && l.charAt(3) == '-');
        return lines;
    }

    /** EHLO, MAIL, RCPT, DATA and the message; returns the reply to the end of data. */
    public String sendMessage(String from, String to, String message) throws Exception {
        send("EHLO client.test");
        send("MAIL FROM:<" + from + ">");
        send("RCPT TO:<" + to + ">");
        send("DATA");
        return send(message + "\r\n.").get(0);
    }

    /**
     * EHLO, then a transaction whose MAIL and RCPT must be accepted (the RCPT line as given,
     * with its parameters), and the message: returns the reply to the end of data.
     */
    public String acceptedTransaction(String helo, String from, String rcptLine, String message) throws Exception {
        send("EHLO " + helo);
        String mail = send("MAIL FROM:<" + from + ">").get(0);
        if (!mail.equals("250 2.1.0 Sender OK")) {
            throw new AssertionError("MAIL FROM:<" + from + "> got " + mail);
        }
        String rcpt = send(rcptLine).get(0);
        if (!rcpt.equals("250 2.1.5 Recipient OK")) {
            throw new AssertionError(rcptLine + " got " + rcpt);
        }
        send("DATA");
        return send(message + "\r\n.").get(0);
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
