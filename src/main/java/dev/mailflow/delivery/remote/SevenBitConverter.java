package dev.mailflow.delivery.remote;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * RFC 6152 3: a message with 8-bit content for a next hop without 8BITMIME is converted to
 * 7 bits: text parts to quoted-printable, other parts to base64 (with Angus Mail). Not
 * possible when the header section itself holds 8-bit octets (that needs SMTPUTF8).
 */
final class SevenBitConverter {

    private SevenBitConverter() {
    }

    /** A MimeMessage that keeps its Message-ID when its headers are brought up to date. */
    private static final class Kept extends MimeMessage {
        Kept(Session s, InputStream in) throws MessagingException {
            super(s, in);
        }

        @Override
        protected void updateMessageID() {
            // the original's Message-ID stays
        }
    }

    /** The 7-bit form of the content, or null when it cannot be converted. */
    static byte[] convert(InputStream content) throws IOException {
        byte[] bytes = content.readAllBytes();
        int headerEnd = headerEnd(bytes);
        for (int i = 0; i < headerEnd; i++) {
            if ((bytes[i] & 0x80) != 0) {
                return null;
            }
        }
        try {
            var msg = new Kept(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
            convertPart(msg);
            msg.saveChanges();
            var out = new ByteArrayOutputStream(bytes.length + bytes.length / 3);
            msg.writeTo(out);
            byte[] result = out.toByteArray();
            for (byte b : result) {
                if ((b & 0x80) != 0) {
                    return null;
                }
            }
            return result;
        } catch (MessagingException e) {
            return null;
        }
    }

    private static void convertPart(Part p) throws MessagingException, IOException {
        if (p.isMimeType("multipart/*")) {
            var mp = (Multipart) p.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                convertPart(mp.getBodyPart(i));
            }
            p.setContent(mp);
            return;
        }
        if (p.isMimeType("message/rfc822")) {
            return; // an attached message keeps its own encoding; refused below if it is 8-bit
        }
        byte[] raw;
        try (InputStream in = p instanceof MimeBodyPart b ? b.getRawInputStream()
                : ((MimeMessage) p).getRawInputStream()) {
            raw = in.readAllBytes();
        }
        boolean eight = false;
        for (byte b : raw) {
            if ((b & 0x80) != 0) {
                eight = true;
                break;
            }
        }
        if (!eight) {
            return;
        }
        byte[] decoded;
        try (InputStream in = p.getInputStream()) {
            decoded = in.readAllBytes();
        }
        String type = p.getContentType() == null ? "text/plain; charset=us-ascii" : p.getContentType();
        p.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, type)));
        p.setHeader("Content-Type", type);
        p.setHeader("Content-Transfer-Encoding", new ContentType(type).match("text/*") ? "quoted-printable" : "base64");
    }

    private static int headerEnd(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return b.length;
    }
}
