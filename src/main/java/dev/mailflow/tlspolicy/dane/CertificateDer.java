package dev.mailflow.tlspolicy.dane;

import java.util.Arrays;

/**
 * The SubjectPublicKeyInfo of a certificate exactly as its DER carries it (RFC 5280 4.1: the
 * seventh element of tbsCertificate, after the optional [0] version). TLSA selector 1 (RFC
 * 6698 2.1.2) is over these octets; re-encoding the parsed key (as {@code
 * PublicKey.getEncoded()} may) could change them and miss a match.
 *
 * <p>SECURITY: the input comes from the peer. Every length is checked against what is left; a
 * malformed certificate gives {@link IllegalArgumentException}, never an index error.
 */
final class CertificateDer {

    private static final int SEQUENCE = 0x30;
    private static final int VERSION_TAG = 0xA0;

    private CertificateDer() {
    }

    /**
     * @throws IllegalArgumentException when the octets are not a DER certificate
     */
    static byte[] subjectPublicKeyInfo(byte[] certificate) {
        var cert = new Reader(certificate, 0, certificate.length);
        var tbs = cert.enter(SEQUENCE).enter(SEQUENCE);
        if (tbs.peekTag() == VERSION_TAG) {
            tbs.skip();
        }
        for (int i = 0; i < 5; i++) { // serialNumber, signature, issuer, validity, subject
            tbs.skip();
        }
        return tbs.element(SEQUENCE);
    }

    /** A cursor over a range of DER octets. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int peekTag() {
            need(1);
            return b[pos] & 0xff;
        }

        /** The contents of the next element, which must have this tag, as a reader. */
        Reader enter(int tag) {
            int[] h = header(tag);
            var inner = new Reader(b, h[0], h[0] + h[1]);
            pos = h[0] + h[1];
            return inner;
        }

        /** The next element whole (tag, length and contents). */
        byte[] element(int tag) {
            int start = pos;
            int[] h = header(tag);
            pos = h[0] + h[1];
            return Arrays.copyOfRange(b, start, pos);
        }

        void skip() {
            int[] h = header(-1);
            pos = h[0] + h[1];
        }

        /** {contents start, contents length} of the next element; checks the tag unless -1. */
        private int[] header(int tag) {
            need(2);
            int t = b[pos] & 0xff;
            if ((t & 0x1f) == 0x1f) {
                throw new IllegalArgumentException("not a certificate: a multi-octet DER tag");
            }
            if (tag >= 0 && t != tag) {
                throw new IllegalArgumentException("not a certificate: tag 0x" + Integer.toHexString(t)
                        + " where 0x" + Integer.toHexString(tag) + " belongs");
            }
            int p = pos + 1;
            int len = b[p++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 4) {
                    throw new IllegalArgumentException("not a certificate: a DER length of " + n + " octets");
                }
                if (p + n > end) {
                    throw new IllegalArgumentException("not a certificate: truncated");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
                if (len < 0) {
                    throw new IllegalArgumentException("not a certificate: a length out of range");
                }
            }
            if (len > end - p) {
                throw new IllegalArgumentException("not a certificate: an element longer than what holds it");
            }
            return new int[] {p, len};
        }

        private void need(int n) {
            if (pos + n > end) {
                throw new IllegalArgumentException("not a certificate: truncated");
            }
        }
    }
}
