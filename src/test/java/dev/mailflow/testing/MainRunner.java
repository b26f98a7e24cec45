package dev.mailflow.testing;

import dev.mailflow.app.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the {@code mailflow} command line in-process with captured standard streams. */
public final class MainRunner {

    private MainRunner() {
    }

    /** The exit code and what the command printed. */
    public record Result(int code, String out, String err) {
    }

    public static Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs with {@code stdin} as standard input, as a script typed into {@code mailflow telnet}. */
    public static synchronized Result runWithInput(String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }
}
