package dev.mailflow.client;

import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.ReplyParser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A blocking SMTP client session (RFC 5321, with the extensions of the package summary).
 * Straight-line: each method sends, waits for the reply and returns it. The caller decides
 * what a reply means; this class only refuses what breaks the protocol.
 */
public final class SmtpClient implements AutoCloseable {

    /** Longest reply line read (RFC 5321 4.5.3.1.5 says 512; peers send longer). */
    static final int MAX_REPLY_LINE = 4096;
    /** Most lines in one reply. */
    static final int MAX_REPLY_LINES = 200;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final ClientTimeouts timeouts;
    private final TranscriptListener transcript;
    private final InetSocketAddress remote;
    private Capabilities capabilities = Capabilities.NONE;
    private volatile Object attachment;
    private String ehloDomain;

    private SmtpClient(Socket socket, InetSocketAddress remote, ClientTimeouts timeouts, TranscriptListener transcript)
            throws IOException {
        this.socket = socket;
        this.remote = remote;
        this.timeouts = timeouts;
        this.transcript = transcript;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    /** Opens the TCP connection (no greeting read yet). */
    public static SmtpClient connect(InetSocketAddress address, ClientTimeouts timeouts, TranscriptListener transcript)
            throws IOException {
        var socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) timeouts.connect().toMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new SmtpClient(socket, address, timeouts, transcript);
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    public SSLSocket tlsSocket() {
        return socket instanceof SSLSocket s ? s : null;
    }

    /** What the caller keeps with this session (remote delivery: the TLS it was checked under). */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /** The server's greeting (220 expected). */
    public Reply greeting() throws IOException {
        return read(timeouts.greeting());
    }

    public Reply ehlo(String name) throws IOException {
        var reply = command("EHLO " + name, timeouts.command());
        capabilities = reply.code() == 250 ? Capabilities.fromEhlo(reply.lines()) : Capabilities.NONE;
        if (reply.code() == 250 && !reply.lines().isEmpty() && ehloDomain == null) {
            String first = reply.lines().get(0).strip();
            int space = first.indexOf(' ');
            ehloDomain = space < 0 ? first : first.substring(0, space);
        }
        return reply;
    }

    /** The name the server gave in its first EHLO reply (RFC 5321 4.1.1.1), or null. */
    public String ehloDomain() {
        return ehloDomain;
    }

    /** Our own address on this connection. */
    public java.net.InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    public Reply helo(String name) throws IOException {
        var reply = command("HELO " + name, timeouts.command());
        capabilities = Capabilities.NONE;
        return reply;
    }

    /**
     * STARTTLS (RFC 3207): on 220 the connection becomes TLS and what the server said before
     * is forgotten; the caller must send EHLO again.
     */
    public Reply startTls(SSLSocketFactory factory, String peerName) throws IOException {
        var reply = command("STARTTLS", timeouts.command());
        if (reply.code() != 220) {
            return reply;
        }
        var tls = (SSLSocket) factory.createSocket(socket, peerName, remote.getPort(), true);
        tls.setUseClientMode(true);
        tls.setSoTimeout((int) timeouts.command().toMillis());
        // The command timeout bounds the whole handshake, not each read of it.
        try (var deadline = SocketDeadline.closeAfter(socket, timeouts.command())) {
            try {
                tls.startHandshake();
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw new java.net.SocketTimeoutException("the TLS handshake did not finish within "
                            + timeouts.command().toSeconds() + " s");
                }
                throw e;
            }
        }
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream(), 8192);
        out = new BufferedOutputStream(tls.getOutputStream(), 16 * 1024);
        capabilities = Capabilities.NONE;
        var session = tls.getSession();
        transcript.line(TranscriptListener.Direction.INFO, "TLS " + session.getProtocol() + " "
                + session.getCipherSuite());
        return reply;
    }

    /**
     * RFC 4954 AUTH with PLAIN (initial response, RFC 4616) or LOGIN, whichever the server
     * offers, PLAIN first. The password never reaches the transcript.
     *
     * @return the final reply (235 on success)
     */
    public Reply authenticate(String user, String password) throws IOException {
        var b64 = java.util.Base64.getEncoder();
        if (capabilities.authMechanisms().contains("PLAIN") || !capabilities.authMechanisms().contains("LOGIN")) {
            String token = b64.encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            transcript.line(TranscriptListener.Direction.SENT, "AUTH PLAIN (credentials not shown)");
            return sendSecret("AUTH PLAIN " + token, timeouts.command());
        }
        var reply = command("AUTH LOGIN", timeouts.command());
        if (reply.code() != 334) {
            return reply;
        }
        transcript.line(TranscriptListener.Direction.SENT, "(user name)");
        reply = sendSecret(b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)), timeouts.command());
        if (reply.code() != 334) {
            return reply;
        }
        transcript.line(TranscriptListener.Direction.SENT, "(password not shown)");
        return sendSecret(b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)), timeouts.command());
    }

    private Reply sendSecret(String line, Duration timeout) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
        out.flush();
        return read(timeout);
    }

    public Reply mail(String reversePath, String parameters) throws IOException {
        return command("MAIL FROM:" + reversePath + (parameters.isEmpty() ? "" : " " + parameters),
                timeouts.command());
    }

    public Reply rcpt(String forwardPath, String parameters) throws IOException {
        return command("RCPT TO:" + forwardPath + (parameters.isEmpty() ? "" : " " + parameters),
                timeouts.command());
    }

    /**
     * RFC 2920: sends the commands in one write and reads their replies in order. Only the
     * last command may be one that ends a group (DATA).
     */
    public List<Reply> pipeline(List<String> commands) throws IOException {
        for (String c : commands) {
            sendLine(c);
        }
        out.flush();
        var replies = new ArrayList<Reply>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            boolean isData = commands.get(i).equalsIgnoreCase("DATA");
            replies.add(read(isData ? timeouts.dataInit() : timeouts.command()));
        }
        return replies;
    }

    public Reply data() throws IOException {
        return command("DATA", timeouts.dataInit());
    }

    /** After a 354: the content, dot-stuffed, and the end of data; returns the final reply. */
    public Reply sendContent(InputStream content) throws IOException {
        socket.setSoTimeout((int) timeouts.dataBlock().toMillis());
        var stuffing = new DotStuffingOutputStream(out);
        long n = content.transferTo(stuffing);
        stuffing.finish();
        transcript.content(n);
        transcript.line(TranscriptListener.Direction.SENT, ".");
        return read(timeouts.dataEnd());
    }

    /** RFC 3030: the whole content as one chunk, {@code BDAT <size> LAST}. */
    public Reply bdatLast(InputStream content, long size) throws IOException {
        String line = "BDAT " + size + " LAST";
        sendLine(line);
        socket.setSoTimeout((int) timeouts.dataBlock().toMillis());
        long copied = content.transferTo(out);
        if (copied != size) {
            throw new IOException("content was " + copied + " octets, BDAT announced " + size);
        }
        out.flush();
        transcript.content(size);
        return read(timeouts.dataEnd());
    }

    public Reply rset() throws IOException {
        return command("RSET", timeouts.command());
    }

    /** QUIT, and close; never throws (the session is over either way). */
    public void quit() {
        try {
            command("QUIT", Duration.ofSeconds(10));
        } catch (IOException e) {
            // closing anyway
        }
        close();
    }

    /** Sends one line and does not wait for a reply (message content typed by hand). */
    public void sendLine(String line, boolean flush) throws IOException {
        sendLineRaw(line);
        if (flush) {
            out.flush();
        }
    }

    /** Whether a reply line is waiting to be read (without blocking). */
    public boolean replyWaiting() throws IOException {
        return in.available() > 0;
    }

    /** Sends one command line and reads its reply. */
    public Reply command(String line, Duration timeout) throws IOException {
        sendLine(line);
        out.flush();
        return read(timeout);
    }

    private void sendLine(String line) throws IOException {
        sendLineRaw(line);
    }

    private void sendLineRaw(String line) throws IOException {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a command line cannot hold CR or LF");
        }
        transcript.line(TranscriptListener.Direction.SENT, line);
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    /** Reads one whole reply. */
    public Reply read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        var parser = new ReplyParser();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < MAX_REPLY_LINES; i++) {
            // SECURITY: the timeout bounds the whole reply, not each byte: a server that sends
            // one byte now and then does not hold the session past it.
            String line = ReplyLines.read(in, MAX_REPLY_LINE, deadline);
            transcript.line(TranscriptListener.Direction.RECEIVED, line);
            try {
                var reply = parser.add(line);
                if (reply != null) {
                    return reply;
                }
            } catch (ReplyParser.MalformedReply e) {
                throw new SmtpProtocolException(e.getMessage());
            }
        }
        throw new SmtpProtocolException("reply longer than " + MAX_REPLY_LINES + " lines");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
