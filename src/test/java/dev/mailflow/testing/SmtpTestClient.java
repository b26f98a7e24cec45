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
        socket = new Socket("127.0.0.1", port);
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

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
