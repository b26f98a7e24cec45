package dev.mailflow.queue;

import dev.mailflow.smtp.EnhancedStatus;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Every enhanced status (RFC 3463) that Mailflow's own delivery code gives an outcome; a
 * remote reply brings its own ({@link RemoteReply#status}). No such code is written anywhere
 * else, so {@link dev.mailflow.smtp.StatusCatalogue} can be checked to explain them all. A
 * transient one becomes permanent when the queue lifetime ends (4.2.2 to 5.2.2).
 */
public final class DeliveryCodes {

    private DeliveryCodes() {
    }

    // ---- Success ------------------------------------------------------------------------

    /** Delivered to a mailbox here, or accepted by a next hop that gave no code. */
    public static final EnhancedStatus DELIVERED = EnhancedStatus.of("2.0.0");
    /** An alias or catch-all replaced the recipient (RFC 3463 X.1.5, as Postfix for expansions). */
    public static final EnhancedStatus EXPANDED = EnhancedStatus.of("2.1.5");

    // ---- Temporary: tried again ------------------------------------------------------------

    /** A reply of class 4 without an enhanced code of its class (the reply code wins). */
    public static final EnhancedStatus OTHER_TRANSIENT = EnhancedStatus.of("4.0.0");
    public static final EnhancedStatus MAILBOX_FULL = EnhancedStatus.of("4.2.2");
    /** Something failed here: a file, the delivery agent, a server stopping. */
    public static final EnhancedStatus LOCAL_ERROR = EnhancedStatus.of("4.3.0");
    public static final EnhancedStatus STORAGE_FULL = EnhancedStatus.of("4.3.1");
    /** No way to other servers (remote delivery is off). */
    public static final EnhancedStatus NO_ROUTE = EnhancedStatus.of("4.4.0");
    /** Connection refused, timed out or unreachable (RFC 3463 X.4.1 "No answer from host"). */
    public static final EnhancedStatus NO_ANSWER = EnhancedStatus.of("4.4.1");
    /** The connection broke or timed out in the session (X.4.2 "Bad connection"). */
    public static final EnhancedStatus BAD_CONNECTION = EnhancedStatus.of("4.4.2");
    /** The DNS did not answer, refused, or failed (X.4.3 "Directory server failure"). */
    public static final EnhancedStatus DNS_FAILURE = EnhancedStatus.of("4.4.3");
    /** The peer answered out of protocol (a reply of a class the command cannot have). */
    public static final EnhancedStatus PROTOCOL_ERROR = EnhancedStatus.of("4.5.0");
    /** TLS the send connector requires could not be had. */
    public static final EnhancedStatus SECURITY = EnhancedStatus.of("4.7.0");
    /**
     * RFC 3463 X.7.5 "Cryptographic failure": the TLS policy of the destination (DANE, MTA-STS
     * enforce, {@code verify}, {@code encrypt}) was not met: no STARTTLS, a failed handshake, a
     * certificate that does not match, a TLSA lookup that failed, no MX the policy allows.
     */
    public static final EnhancedStatus TLS_POLICY = EnhancedStatus.of("4.7.5");
    /** The smart host refused our credentials: the operator's to fix, the message waits. */
    public static final EnhancedStatus CREDENTIALS_REFUSED = EnhancedStatus.of("4.7.8");

    // ---- Permanent: a failure DSN ---------------------------------------------------------

    /** A reply of class 5 without an enhanced code of its class (the reply code wins). */
    public static final EnhancedStatus OTHER_PERMANENT = EnhancedStatus.of("5.0.0");
    public static final EnhancedStatus USER_UNKNOWN = EnhancedStatus.of("5.1.1");
    public static final EnhancedStatus NO_SUCH_DOMAIN = EnhancedStatus.of("5.1.2");
    /** RFC 7505. */
    public static final EnhancedStatus NULL_MX = EnhancedStatus.of("5.1.10");
    public static final EnhancedStatus TOO_BIG = EnhancedStatus.of("5.3.4");
    /** RFC 5321 5.1 and 6.3: the mail would come back to us, or aliases expand in a circle. */
    public static final EnhancedStatus LOOP = EnhancedStatus.of("5.4.6");
    /** The queue lifetime ended and the last failure gave no code to make permanent. */
    public static final EnhancedStatus EXPIRED = EnhancedStatus.of("5.4.7");
    /** The next hop cannot take the message as it is (8-bit or long lines without the extension). */
    public static final EnhancedStatus CONVERSION_NOT_SUPPORTED = EnhancedStatus.of("5.6.3");
    /** RFC 6531: the message needs SMTPUTF8 and the next hop lacks it. */
    public static final EnhancedStatus UTF8_NOT_SUPPORTED = EnhancedStatus.of("5.6.7");

    /** Every code above, and the permanent form of each temporary one. */
    public static List<EnhancedStatus> all() {
        var list = new ArrayList<EnhancedStatus>();
        for (var f : DeliveryCodes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == EnhancedStatus.class) {
                try {
                    var s = (EnhancedStatus) f.get(null);
                    list.add(s);
                    if (s.isTransient()) {
                        list.add(s.withClass(EnhancedStatus.PERMANENT));
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return list;
    }
}
