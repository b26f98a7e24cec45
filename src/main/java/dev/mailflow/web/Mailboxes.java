package dev.mailflow.web;

import dev.mailflow.delivery.local.MaildirDelivery;
import dev.mailflow.directory.Directory;
import dev.mailflow.smtp.AddressParser;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Reading the Maildir mailboxes for the console: lists, and one message taken apart with Angus Mail. */
final class Mailboxes {

    /** The directory in force (a reload replaces it). */
    private final java.util.function.Supplier<Directory> directory;
    private final MaildirDelivery maildirs;
    private final Session session = Session.getInstance(new Properties());

    Mailboxes(java.util.function.Supplier<Directory> directory, MaildirDelivery maildirs) {
        this.directory = directory;
        this.maildirs = maildirs;
    }

    /** The Maildir of {@code address}. */
    Path maildir(dev.mailflow.smtp.MailAddress address) {
        return maildirs.maildir(address);
    }

    List<Map<String, Object>> list() throws IOException {
        var result = new ArrayList<Map<String, Object>>();
        for (var m : directory.get().mailboxes()) {
            Path dir = maildirs.maildir(m.address());
            result.add(Map.of("address", m.address().toString(), "messages", files(dir).size()));
        }
        return result;
    }

    /** The message files of a mailbox (new/ and cur/), newest first; null for no such mailbox. */
    List<Path> files(String address) throws IOException {
        var a = AddressParser.parseMailbox(address, true);
        var mailbox = a == null ? null : directory.get().mailbox(a);
        if (mailbox == null) {
            return null;
        }
        return files(maildirs.maildir(mailbox.address()));
    }

    private static List<Path> files(Path dir) throws IOException {
        var list = new ArrayList<Path>();
        for (String sub : List.of("new", "cur")) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (var s = Files.list(d)) {
                    s.forEach(list::add);
                }
            }
        }
        list.sort((x, y) -> y.getFileName().toString().compareTo(x.getFileName().toString()));
        return list;
    }

    /** One file of a mailbox, by name; null when there is none (no path tricks: names are matched). */
    Path file(String address, String name) throws IOException {
        var files = files(address);
        if (files == null) {
            return null;
        }
        for (Path p : files) {
            if (p.getFileName().toString().equals(name)) {
                return p;
            }
        }
        return null;
    }

    Map<String, Object> summary(Path file) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", file.getFileName().toString());
        try (InputStream in = Files.newInputStream(file)) {
            var msg = new MimeMessage(session, in);
            m.put("subject", nz(msg.getSubject()));
            m.put("from", msg.getFrom() == null ? "" : msg.getFrom()[0].toString());
            m.put("date", nz(msg.getHeader("Date", null)));
            m.put("size", Files.size(file));
        } catch (IOException | MessagingException e) {
            m.put("error", "cannot read this message (not a well-formed MIME message, or unreadable)");
        }
        return m;
    }

    /** Headers, the text part, whether there is HTML, and the attachments. */
    Map<String, Object> detail(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            var msg = new MimeMessage(session, in);
            var m = new LinkedHashMap<String, Object>(summary(file));
            var headers = new ArrayList<String>();
            var all = msg.getAllHeaderLines();
            while (all.hasMoreElements()) {
                headers.add(all.nextElement());
            }
            m.put("headers", headers);
            var parts = new Parts();
            walk(msg, parts);
            m.put("text", parts.text == null ? "" : parts.text);
            m.put("hasHtml", parts.html != null);
            m.put("attachments", parts.attachments);
            return m;
        } catch (MessagingException e) {
            throw new IOException("cannot read the message: " + e.getMessage(), e);
        }
    }

    String html(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            var parts = new Parts();
            walk(new MimeMessage(session, in), parts);
            return parts.html;
        } catch (MessagingException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static final class Parts {
        String text;
        String html;
        List<Map<String, Object>> attachments = new ArrayList<>();
    }

    private static void walk(Part p, Parts parts) throws MessagingException, IOException {
        if (p.isMimeType("multipart/*")) {
            var mp = (Multipart) p.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                walk(mp.getBodyPart(i), parts);
            }
        } else if (Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition()) || p.getFileName() != null) {
            parts.attachments.add(Map.of("name", nz(p.getFileName()), "type", p.getContentType(),
                    "size", p.getSize()));
        } else if (p.isMimeType("text/plain") && parts.text == null) {
            parts.text = String.valueOf(p.getContent());
        } else if (p.isMimeType("text/html") && parts.html == null) {
            parts.html = String.valueOf(p.getContent());
        } else if (p instanceof BodyPart) {
            parts.attachments.add(Map.of("name", "(unnamed)", "type", p.getContentType(), "size", p.getSize()));
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
