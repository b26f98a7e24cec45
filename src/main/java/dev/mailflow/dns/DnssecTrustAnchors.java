package dev.mailflow.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNSSEC trust anchors Mailflow validates with (RFC 4033 3.1, RFC 4035 4.3): DS or DNSKEY
 * records in zone-file form (RFC 1035 5.1), as ldns-signzone writes a zone's {@code K*.ds}, as
 * unbound's {@code trust-anchor-file} reads, and as IANA publishes the root's (the resource
 * {@code dns/root-anchors.ds}: the DS records of KSK-20326 and KSK-38696 from IANA's
 * root-anchors.xml). Read and checked once, so that a bad file is an error at start-up and
 * never a validation failure at the first message.
 */
final class DnssecTrustAnchors {

    /** The size no anchor file comes near: a bound on what is read. */
    private static final long MAX_BYTES = 1 << 20;
    private static final String ROOT_RESOURCE = "/dns/root-anchors.ds";

    private final byte[] text;
    private final String source;
    private final List<String> zones;

    private DnssecTrustAnchors(byte[] text, String source, List<String> zones) {
        this.text = text;
        this.source = source;
        this.zones = zones;
    }

    /**
     * Reads and checks a file of DS or DNSKEY records.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it: missing,
     *                                  unreadable, not zone-file syntax, or without one DS or
     *                                  DNSKEY record
     */
    static DnssecTrustAnchors read(Path file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("DNSSEC trust anchor file " + file + " is a directory");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("DNSSEC trust anchor file " + file + " is larger than 1 MiB");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        return parse(bytes, file.toString());
    }

    /** The root zone's anchors as IANA publishes them (KSK-20326 and KSK-38696). */
    static DnssecTrustAnchors root() {
        try (InputStream in = DnssecTrustAnchors.class.getResourceAsStream(ROOT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + ROOT_RESOURCE + " is missing from the build");
            }
            return parse(in.readAllBytes(), "the IANA root trust anchor");
        } catch (IOException e) {
            throw new IllegalStateException("the resource " + ROOT_RESOURCE + " cannot be read", e);
        }
    }

    private static DnssecTrustAnchors parse(byte[] bytes, String source) {
        var zones = new LinkedHashSet<String>();
        int anchors = 0;
        try (var master = new Master(new ByteArrayInputStream(bytes), Name.root, 0)) {
            org.xbill.DNS.Record r;
            while ((r = master.nextRecord()) != null) {
                if (r.getType() == Type.DS || r.getType() == Type.DNSKEY) {
                    anchors++;
                    zones.add(r.getName().equals(Name.root) ? "." : r.getName().toString(true));
                }
            }
        } catch (TextParseException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source + " is not in zone-file form: "
                    + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source + " cannot be parsed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (anchors == 0) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + source
                    + " has no DS or DNSKEY record (expected lines such as \"example. IN DS 12345 13 2 <hex>\")");
        }
        return new DnssecTrustAnchors(bytes, source, List.copyOf(new ArrayList<>(zones)));
    }

    /** The records as text, for dnsjava's {@code ValidatingResolver.loadTrustAnchors}. */
    InputStream stream() {
        return new ByteArrayInputStream(text);
    }

    /** Where they came from: the file's path, or "the IANA root trust anchor". */
    String source() {
        return source;
    }

    /** The zones anchored, "." for the root. */
    List<String> zones() {
        return zones;
    }
}
