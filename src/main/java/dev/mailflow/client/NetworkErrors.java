package dev.mailflow.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * What a failure talking to a peer was, in the words Postfix's SMTP client uses ("Connection
 * refused", "Connection timed out", "lost connection"), chosen by the kind of failure: the
 * exception's own text never reaches a DSN, the queue listing or the tester's output. Used
 * by remote delivery and the tester alike.
 */
public final class NetworkErrors {

    private NetworkErrors() {
    }

    /** True for a timeout, of the connect or of a reply. */
    public static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }

    /** True when the TCP connection could not be opened at all (as opposed to one that broke). */
    public static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof PortUnreachableException || e instanceof UnknownHostException;
    }

    /** The failure in a few words: {@code Connection refused}, {@code TLS handshake failed (...)}. */
    public static String describe(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return switch (e) {
            case SocketTimeoutException t -> "Connection timed out";
            case NoRouteToHostException n -> "No route to host";
            case ConnectException c -> m.contains("unreachable") ? "Network is unreachable"
                    : m.contains("timed out") ? "Connection timed out" : "Connection refused";
            case UnknownHostException u -> "Host name not found";
            case SmtpProtocolException p -> "protocol error: " + p.getMessage();
            case EOFException eof -> "the server closed the connection";
            case SSLException s -> "TLS handshake failed" + tlsDetail(m);
            case SocketException s when m.contains("reset") -> "Connection reset by peer";
            case SocketException s when m.contains("broken pipe") -> "the server closed the connection";
            default -> "network error";
        };
    }

    /** Which TLS failure, from the JDK's fixed texts; nothing when it is not one of them. */
    private static String tlsDetail(String m) {
        String alert = "received fatal alert: ";
        int a = m.indexOf(alert);
        if (a >= 0) {
            String name = m.substring(a + alert.length()).split("\\s")[0];
            if (name.matches("[a-z_]{1,40}")) {
                return " (the server sent the TLS alert " + name + ")";
            }
        }
        if (m.contains("no appropriate protocol") || m.contains("no cipher suites in common")) {
            return " (no TLS version or cipher suite in common)";
        }
        if (m.contains("terminated the handshake") || m.contains("closed") || m.contains("eof")) {
            return " (the server closed the connection during the handshake)";
        }
        if (m.contains("unrecognized ssl message") || m.contains("plaintext")) {
            return " (the server did not answer in TLS)";
        }
        return "";
    }
}
