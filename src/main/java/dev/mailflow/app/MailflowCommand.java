package dev.mailflow.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The top command: {@code mailflow}. */
@Command(name = "mailflow", mixinStandardHelpOptions = true, versionProvider = MailflowCommand.Version.class,
        description = {"Mailflow: an ESMTP mail server and a mail-flow tester.", ""},
        subcommands = {ServeCommand.class, CheckCommand.class, ProbeCommand.class, TelnetCommand.class, QueueCommand.class, TrackCommand.class,
            PasswdCommand.class, ReloadCommand.class, AuthCommand.class, DkimCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure at run time", "2:usage or configuration error",
            "3:could not connect (probe, telnet), or no server running (reload)"})
public final class MailflowCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is needed, e.g. 'mailflow serve'");
    }

    /** The version from the build. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mailflow " + version()};
        }

        public static String version() {
            return dev.mailflow.MailflowVersion.get();
        }
    }
}
