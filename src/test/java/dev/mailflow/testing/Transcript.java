package dev.mailflow.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A protocol test as plain text (style.md, principle 10). One step per line:
 *
 * <pre>
 * # comment
 * &#64;connector Client Submission   which connector to talk to (default: Default Frontend)
 * &#64;config max_recipients = 3     a TOML line added to every receive connector
 * &#64;table [[mailbox]]             a TOML line added after the test directory's tables
 * &#64;dns --txt-record=a.test,"v=spf1 -all"   a dnsmasq option: the server's DNS is then a real
 *                                   dnsmasq on a loopback port serving these records
 * C: EHLO contoso.com               send the text and CRLF
 * R: DATA\r\nx\n.\n                  send raw bytes: \r \n \0 \t \\ \xHH escapes, no CRLF added
 * S: 250 2.1.0 Sender OK            the next reply line, exactly
 * S~ 250-\S+ Hello .*               the next reply line, as a regular expression
 * S+ 250 SMTPUTF8                   a whole reply: its continuation lines are skipped, the last
 *                                   one must match the regular expression
 * S&amp; 250 STARTTLS                  a whole reply in which some line matches, wherever it stands
 * S! 250 AUTH.*                     ... and in which no line matches; consecutive S&amp; and S! lines
 *                                   check one reply. Lines are matched as "code text", so
 *                                   "250 STARTTLS" matches 250-STARTTLS and 250 STARTTLS alike
 * CLOSED                            the server closed the connection
 * SLEEP 200                         wait, in milliseconds
 * </pre>
 *
 * In C:, R: and S: lines, {@code ${repeat:N:text}} stands for text written N times.
 */
public record Transcript(String name, String connector, List<String> connectorConfig, List<String> tables,
                         List<String> dns, List<Step> steps) {

    public sealed interface Step {
        int line();
    }

    public record Send(int line, byte[] bytes, String shown) implements Step {
    }

    public record Expect(int line, Pattern pattern, String shown) implements Step {
    }

    /** A whole multi-line reply of which only the last line is checked. */
    public record ExpectLast(int line, Pattern pattern, String shown) implements Step {
    }

    /**
     * A whole multi-line reply in which each of {@code present} matches some line and none of
     * {@code absent} matches any, whatever the order: a new EHLO keyword does not break it.
     */
    public record ExpectLines(int line, List<Pattern> present, List<Pattern> absent, List<String> shown)
            implements Step {
    }

    public record Closed(int line) implements Step {
    }

    public record Sleep(int line, long millis) implements Step {
    }

    private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+):([^}]*)}");

    public static Transcript parse(Path file) throws IOException {
        String connector = TestServer.FRONTEND;
        var config = new ArrayList<String>();
        var tables = new ArrayList<String>();
        var dns = new ArrayList<String>();
        var steps = new ArrayList<Step>();
        var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int n = i + 1;
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("@connector ")) {
                connector = l.substring(11).strip();
            } else if (l.startsWith("@config ")) {
                config.add(l.substring(8));
            } else if (l.startsWith("@dns ")) {
                dns.add(l.substring(5).strip());
            } else if (l.startsWith("@table ")) {
                tables.add(l.substring(7));
            } else if (l.startsWith("C: ") || l.equals("C:")) {
                String text = expand(l.length() > 3 ? l.substring(3) : "");
                steps.add(new Send(n, (text + "\r\n").getBytes(StandardCharsets.UTF_8), text));
            } else if (l.startsWith("R: ")) {
                String text = expand(l.substring(3));
                steps.add(new Send(n, unescape(text), text));
            } else if (l.startsWith("S: ")) {
                String text = expand(l.substring(3));
                steps.add(new Expect(n, Pattern.compile(Pattern.quote(text)), text));
            } else if (l.startsWith("S~ ")) {
                String text = expand(l.substring(3));
                steps.add(new Expect(n, Pattern.compile(text), text));
            } else if (l.startsWith("S+ ")) {
                String text = expand(l.substring(3));
                steps.add(new ExpectLast(n, Pattern.compile(text), text));
            } else if (l.startsWith("S& ") || l.startsWith("S! ")) {
                var pattern = Pattern.compile(expand(l.substring(3)));
                boolean present = l.charAt(1) == '&';
                ExpectLines group = !steps.isEmpty() && steps.getLast() instanceof ExpectLines g ? g : null;
                if (group == null) {
                    group = new ExpectLines(n, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                    steps.add(group);
                }
                (present ? group.present() : group.absent()).add(pattern);
                group.shown().add(l);
            } else if (l.equals("CLOSED")) {
                steps.add(new Closed(n));
            } else if (l.startsWith("SLEEP ")) {
                steps.add(new Sleep(n, Long.parseLong(l.substring(6).strip())));
            } else {
                throw new IllegalArgumentException(file.getFileName() + ":" + n + ": cannot read step: " + l);
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
        return new Transcript(name, connector, config, tables, dns, steps);
    }

    static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        var sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2).repeat(Integer.parseInt(m.group(1)))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static byte[] unescape(String text) {
        var out = new java.io.ByteArrayOutputStream();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b == '\\' && i + 1 < utf8.length) {
                char c = (char) utf8[++i];
                switch (c) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case '0' -> out.write(0);
                    case 't' -> out.write('\t');
                    case '\\' -> out.write('\\');
                    case 'x' -> {
                        out.write(Integer.parseInt(new String(utf8, i + 1, 2, StandardCharsets.US_ASCII), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + c);
                }
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
