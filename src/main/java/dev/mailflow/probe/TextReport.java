package dev.mailflow.probe;

import java.io.PrintWriter;

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
            out.println("         " + line);
        }
        for (String line : s.meaning()) {
            out.println("         = " + line);
        }
        if (!s.reasons().isEmpty()) {
            out.println("         Possible reasons:");
            for (String r : s.reasons()) {
                out.println("           - " + r);
            }
        }
        out.flush();
    }

    public void summary(ProbeReport r) {
        String words = switch (r.outcome()) {
            case "PASSED" -> "every step passed";
            case "REFUSED" -> "the server refused a step";
            case "TLS_POLICY_FAILED" -> "a DANE or MTA-STS check failed: senders that check will not deliver";
            default -> "could not resolve or connect";
        };
        out.println();
        out.println("Result: " + r.outcome() + ": " + words + (r.queueId() != null ? "; queued: " + r.queueId() : ""));
        out.flush();
    }
}
