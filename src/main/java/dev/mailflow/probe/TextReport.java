package dev.mailflow.probe;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The probe's steps for a person at a terminal: aligned, coloured when the output is a terminal. */
public final class TextReport implements Probe.Listener {

    private final PrintWriter out;
    private final boolean color;
    private final PrintWriter progress;

    /**
     * @param color    ANSI colours (a terminal, and NO_COLOR not set)
     * @param progress where "waiting for..." goes (a terminal's stderr), or null
     */
    public TextReport(PrintWriter out, boolean color, PrintWriter progress) {
        this.out = out;
        this.color = color;
        this.progress = progress;
    }

    private String paint(String status) {
        String label = String.format("%-4s", status);
        if (!color) {
            return "[" + label + "]";
        }
        String c = switch (status) {
            case "PASS" -> "\u001b[32m";
            case "FAIL" -> "\u001b[31m";
            case "WARN" -> "\u001b[33m";
            default -> "\u001b[90m";
        };
        return "[" + c + label + "\u001b[0m]";
    }

    @Override
    public void waiting(String what) {
        if (progress != null) {
            progress.print("\r\u001b[2K... " + what);
            progress.flush();
        }
    }

    @Override
    public void step(ProbeStep s) {
        if (progress != null) {
            progress.print("\r\u001b[2K");
            progress.flush();
        }
        out.printf("%s %-9s %6d ms%n", paint(s.status()), s.name(), s.millis());
        for (String line : s.exchange()) {
            out.println("         " + safe(line));
        }
        for (String line : s.meaning()) {
            out.println("         = " + safe(line));
        }
        if (!s.reasons().isEmpty()) {
            out.println("         " + Messages.text("report.possibleReasons"));
            for (String r : s.reasons()) {
                out.println("           - " + safe(r));
            }
        }
        out.flush();
    }

    /** The matrix: an address a row, a step a column (status and time), then what failed or warned, per address. */
    @Override
    public void matrix(List<MxMatrix.MxEntry> entries) {
        if (progress != null) {
            progress.print("\r\u001b[2K");
            progress.flush();
        }
        var columns = new ArrayList<String>(AddressCheck.SESSION_STEPS);
        columns.addAll(List.of("PTR", "DNSBL", "TLS"));
        boolean anyDnsbl = entries.stream().flatMap(e -> e.addresses().stream())
                .anyMatch(a -> a.step("DNSBL") != null);
        if (!anyDnsbl) {
            columns.remove("DNSBL");
        }
        out.println();
        out.println(Messages.text("matrix.header"));
        var header = new StringBuilder(String.format("  %-28s %-22s %-5s", Messages.text("matrix.column.mx"),
                Messages.text("matrix.column.address"), Messages.text("matrix.column.result")));
        for (String c : columns) {
            header.append(' ').append(String.format("%-" + width(c) + "s", label(c)));
        }
        out.println(header.toString().stripTrailing());
        for (var e : entries) {
            String mx = e.implicit() ? Messages.text("matrix.host.implicit", e.host())
                    : Messages.text("matrix.host", e.host(), e.preference());
            if (e.addresses().isEmpty()) {
                out.printf("  %-28s %-22s %s%n", mx, "-", paint("FAIL") + " " + e.problem());
                continue;
            }
            for (var a : e.addresses()) {
                var row = new StringBuilder(String.format("  %-28s %-22s ", mx, a.address()));
                row.append(paint(a.result().toUpperCase(java.util.Locale.ROOT)));
                for (String c : columns) {
                    var cell = a.step(c);
                    String text = cell == null || cell.status().equals("SKIP") ? "-"
                            : c.equals("TLS") && cell.details().get("grade") != null
                            ? cell.status().toLowerCase(java.util.Locale.ROOT) + " " + cell.details().get("grade")
                            : cell.status().toLowerCase(java.util.Locale.ROOT) + " " + cell.millis();
                    row.append(' ').append(String.format("%-" + width(c) + "s", text));
                }
                out.println(row.toString().stripTrailing());
                mx = "";
            }
            if (e.problem() != null) {
                out.println("  " + " ".repeat(28) + " " + e.problem());
            }
        }
        for (var e : entries) {
            for (var a : e.addresses()) {
                out.println();
                out.println("  " + Messages.text("matrix.address", a.address(), e.host(), a.result()));
                for (String line : a.summary()) {
                    out.println("    - " + safe(line));
                }
                var tls = a.step("TLS");
                if (tls != null && tls.details().get("protocols") instanceof java.util.Map<?, ?> protocols) {
                    var on = new ArrayList<String>();
                    protocols.forEach((k, v) -> {
                        if (Boolean.TRUE.equals(v)) {
                            on.add(String.valueOf(k));
                        }
                    });
                    var classes = new ArrayList<String>();
                    if (tls.details().get("ciphers") instanceof java.util.Map<?, ?> ciphers) {
                        ciphers.forEach((k, v) -> {
                            if (Boolean.TRUE.equals(v)) {
                                classes.add(String.valueOf(k));
                            }
                        });
                    }
                    out.println("    " + Messages.text("matrix.tls", tls.details().get("grade"), String.join(", ", on),
                            String.join(", ", classes), Messages.text(Boolean.TRUE.equals(
                                    tls.details().get("ocspStapling")) ? "word.yes" : "word.no"),
                            tls.details().get("starttlsInjection")));
                }
            }
        }
        out.flush();
    }

    private static String label(String step) {
        return switch (step) {
            case "CERTIFICATE" -> "CERT";
            case "STARTTLS" -> "TLS-START";
            case "TLS" -> "GRADE";
            default -> step;
        };
    }

    private static int width(String step) {
        return Math.max(9, label(step).length());
    }

    /**
     * SECURITY: what a server said, fit for a terminal: control characters (C0 but tab, DEL,
     * C1) and the bidirectional overrides (U+202A-202E, U+2066-2069) become "?", so a reply
     * cannot move the cursor, retitle the window or hide text; other Unicode (Chinese) stays.
     */
    public static String safe(String text) {
        var sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(unsafe(c) && c != '\t' ? '?' : c);
        }
        return sb.toString();
    }

    /** A control character (C0, DEL, C1) or a bidirectional override: never shown as it is. */
    static boolean unsafe(char c) {
        return c < 0x20 || c >= 0x7f && c < 0xa0 || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
    }

    public void summary(ProbeReport r) {
        out.println();
        out.println(Messages.text("report.result", r.outcome(), outcomeWords(r))
                + (r.queueId() != null ? Messages.text("report.queued", r.queueId()) : ""));
        out.flush();
    }

    /**
     * What a report's outcome means, in words: "every step passed" says how many warned, and a
     * REFUSED that only the round trip's report made says so.
     */
    public static String outcomeWords(ProbeReport r) {
        long warned = r.steps().stream().filter(s -> s.status().equals("WARN")).count();
        var failed = r.steps().stream().filter(s -> s.status().equals("FAIL")).map(ProbeStep::name).toList();
        if (r.outcome().equals("PASSED") && warned > 0) {
            return Messages.text("outcome.PASSED.warnings", warned);
        }
        if (r.outcome().equals("REFUSED") && failed.equals(List.of("ROUND-TRIP"))) {
            return Messages.text("outcome.REFUSED.roundTrip");
        }
        return outcomeWords(r.outcome());
    }

    /** What an outcome means, in words (the text and the HTML report share them). */
    public static String outcomeWords(String outcome) {
        return Messages.text(switch (outcome) {
            case "PASSED", "REFUSED", "TLS_POLICY_FAILED" -> "outcome." + outcome;
            default -> "outcome.UNREACHABLE";
        });
    }
}
