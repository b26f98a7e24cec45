package dev.mailflow.app;

import dev.mailflow.server.auth.Passwords;
import dev.mailflow.web.ConsolePassword;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mailflow passwd}: a hash of a password, for {@code [[mailbox]] password} (bcrypt by
 * default; SHA-512 crypt or Argon2id with {@code --scheme}, with Dovecot's scheme prefix for a
 * directory table with {@code --dovecot}); with {@code --web}, a new password for the web
 * console, kept as the server keeps the one it made.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Print a hash of a password for a [[mailbox]] password or a directory table, or with --web "
                + "set a new web console password.",
            "The password is read from the terminal (not echoed), or from standard input."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the new console password could not be written",
            "2:usage or configuration error (no password, [web] password set in the config, no data directory)"})
public final class PasswdCommand implements Callable<Integer> {

    /** The shortest web console password 'passwd --web' takes. */
    static final int MIN_WEB_PASSWORD = 8;

    @Option(names = "--web", description = "set the web console's admin password: its hash goes to "
            + "<data_dir>/web/admin-password.hash, which the console reads at the next login")
    boolean web;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = "bcrypt",
            description = "the hash: bcrypt (the default, cost 12), sha512-crypt (5000 rounds) or argon2id "
                    + "(64 MiB, 3 passes); all three are read by Mailflow and by Dovecot")
    String scheme;

    @Option(names = "--dovecot", description = "print the hash with Dovecot's scheme prefix ({BLF-CRYPT}, "
            + "{SHA512-CRYPT}, {ARGON2ID}), as a PostfixAdmin mailbox.password column keeps it")
    boolean dovecot;

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path data = null;
        Passwords.Scheme chosen = Passwords.Scheme.named(scheme);
        if (chosen == null) {
            return UsageErrors.misuse(spec, "--scheme is bcrypt, sha512-crypt or argon2id, not '" + scheme + "'");
        }
        if (web && (chosen != Passwords.Scheme.BCRYPT || dovecot)) {
            return UsageErrors.misuse(spec, "the web console password is always a bcrypt hash: --web takes "
                    + "neither --scheme nor --dovecot");
        }
        if (web) {
            MailflowConfig cfg = config.loadOrReport(err);
            if (cfg == null) {
                return ExitCodes.USAGE;
            }
            if (cfg.web().password() != null) {
                err.println("mailflow: the web console password is [web] password in " + cfg.source()
                        + "; change it there ('mailflow passwd' prints a hash for it)");
                return ExitCodes.USAGE;
            }
            data = ExistingDataDirectory.orReport(cfg, err);
            if (data == null) {
                return ExitCodes.USAGE;
            }
        }
        char[] password;
        var console = System.console();
        if (console != null) {
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !java.util.Arrays.equals(password, again)) {
                err.println("mailflow: the two passwords differ");
                return ExitCodes.USAGE;
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            err.println("mailflow: no password given");
            return ExitCodes.USAGE;
        }
        if (web && password.length < MIN_WEB_PASSWORD) {
            // The console can hold, release and delete mail, and its login answers from the network.
            err.println("mailflow: the web console password needs at least " + MIN_WEB_PASSWORD + " characters");
            return ExitCodes.USAGE;
        }
        String hash = Passwords.hash(password, chosen);
        if (!web) {
            out.println(dovecot ? chosen.dovecotPrefix() + hash : hash);
            return ExitCodes.OK;
        }
        try {
            ConsolePassword.write(data, hash);
        } catch (IOException e) {
            err.println("mailflow: cannot keep the new console password: " + IoErrors.describe(e));
            return ExitCodes.FAILURE;
        }
        out.println("mailflow: new web console password kept (hashed) in "
                + ConsolePassword.file(data).toAbsolutePath().normalize() + "; it works from the next login");
        return ExitCodes.OK;
    }

    /** What {@code serve} says at a start that did not make the console password: where it is, how to change it. */
    static String webHint(MailflowConfig cfg, Path configFile) {
        if (cfg.web().password() != null) {
            return "web console password: [web] password in " + cfg.source();
        }
        return "web console password: kept hashed in "
                + ConsolePassword.file(cfg.server().dataDir()).toAbsolutePath().normalize()
                + "; forgotten? 'mailflow passwd --web" + (configFile == null ? "" : " --config " + configFile)
                + "' sets a new one";
    }
}
