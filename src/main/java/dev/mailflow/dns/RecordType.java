package dev.mailflow.dns;

import java.net.InetAddress;

/**
 * The record types Mailflow asks for, each tied to the Java type of its answers, so that
 * {@code resolver.lookup(name, RecordType.MX)} gives a {@code DnsAnswer<MxRecord>}.
 *
 * @param <T>  what one record of this type becomes
 * @param name the type's mnemonic (RFC 1035 3.2.2, RFC 3596, RFC 6698)
 * @param code the type's number on the wire
 */
public record RecordType<T>(String name, int code, Class<T> javaType) {

    public static final RecordType<InetAddress> A = new RecordType<>("A", 1, InetAddress.class);
    public static final RecordType<InetAddress> AAAA = new RecordType<>("AAAA", 28, InetAddress.class);
    public static final RecordType<MxRecord> MX = new RecordType<>("MX", 15, MxRecord.class);
    public static final RecordType<TxtRecord> TXT = new RecordType<>("TXT", 16, TxtRecord.class);
    /** The answers are host names, without the final dot. */
    public static final RecordType<String> PTR = new RecordType<>("PTR", 12, String.class);
    public static final RecordType<TlsaRecord> TLSA = new RecordType<>("TLSA", 52, TlsaRecord.class);
    /** Certification authority authorization (RFC 8659). */
    public static final RecordType<CaaRecord> CAA = new RecordType<>("CAA", 257, CaaRecord.class);
    /**
     * The alias of a name itself, not followed (RFC 1034 3.6.2): DANE needs to know a host's
     * CNAME expansion (RFC 7672 2.2.2). The answer is the target name, without the final dot.
     */
    public static final RecordType<String> CNAME = new RecordType<>("CNAME", 5, String.class);

    @Override
    public String toString() {
        return name;
    }
}
