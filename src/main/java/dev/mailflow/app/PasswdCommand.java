package dev.mailflow.app;

import dev.mailflow.server.auth.Passwords;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mailflow passwd}: a bcrypt hash of a password, for {@code [[mailbox]] password}. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Print a bcrypt hash of a password for a [[mailbox]] password.",
            "The password is read from the terminal (not echoed), or from standard input."})
public final class PasswdCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        char[] password;
        var console = System.console();
        if (console != null) {
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !java.util.Arrays.equals(password, again)) {
                spec.commandLine().getErr().println("mailflow: the two passwords differ");
                return ExitCodes.USAGE;
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            spec.commandLine().getErr().println("mailflow: no password given");
            return ExitCodes.USAGE;
        }
        spec.commandLine().getOut().println(Passwords.hash(password));
        return ExitCodes.OK;
    }
}
