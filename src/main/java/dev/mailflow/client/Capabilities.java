package dev.mailflow.client;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** What a server offers in its EHLO reply (RFC 5321 4.1.1.1), or nothing after HELO. */
public record Capabilities(boolean extended, Set<String> keywords, long size, Set<String> authMechanisms) {

    public static final Capabilities NONE = new Capabilities(false, Set.of(), 0, Set.of());

    /** From the lines of a 250 EHLO reply: the greeting line first, one keyword per line after. */
    public static Capabilities fromEhlo(List<String> lines) {
        var keywords = new TreeSet<String>();
        var auth = new TreeSet<String>();
        long size = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            if (parts.length == 0 || parts[0].isEmpty()) {
                continue;
            }
            String kw = parts[0].toUpperCase(Locale.ROOT);
            keywords.add(kw);
            if (kw.equals("SIZE") && parts.length > 1) {
                try {
                    size = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    size = 0;
                }
            }
            if (kw.equals("AUTH")) {
                for (int j = 1; j < parts.length; j++) {
                    auth.add(parts[j].toUpperCase(Locale.ROOT));
                }
            }
        }
        return new Capabilities(true, Set.copyOf(keywords), size, Set.copyOf(auth));
    }

    public boolean has(String keyword) {
        return keywords.contains(keyword.toUpperCase(Locale.ROOT));
    }

    public boolean pipelining() {
        return has("PIPELINING");
    }

    public boolean eightBitMime() {
        return has("8BITMIME");
    }

    public boolean chunking() {
        return has("CHUNKING");
    }

    public boolean binaryMime() {
        return has("BINARYMIME");
    }

    public boolean smtpUtf8() {
        return has("SMTPUTF8");
    }

    public boolean dsn() {
        return has("DSN");
    }

    public boolean startTls() {
        return has("STARTTLS");
    }

    public boolean enhancedStatusCodes() {
        return has("ENHANCEDSTATUSCODES");
    }
}
