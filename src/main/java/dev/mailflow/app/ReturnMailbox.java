package dev.mailflow.app;

import dev.mailflow.delivery.local.MaildirDelivery;
import dev.mailflow.probe.RoundTrip;
import dev.mailflow.smtp.MailAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The return address of {@code mailflow probe --round-trip}: a mailbox of a local Mailflow
 * server where the far side's delivery report arrives. Either a server that already runs
 * ({@code --return-config FILE}: its config says where its mailboxes are), or one the probe
 * starts for the test ({@code --return-listen HOST:PORT}: the real server, receiving for the
 * return address only, in a temporary data directory removed afterwards).
 */
final class ReturnMailbox implements AutoCloseable {

    /** A usage problem, in a sentence for the user. */
    static final class Problem extends Exception {
        Problem(String message) {
            super(message);
        }
    }

    private final MailflowRuntime runtime;
    private final Path temporary;
    private final RoundTrip.Options options;

    private final Thread cleanup;

    private ReturnMailbox(MailflowRuntime runtime, Path temporary, RoundTrip.Options options) {
        this.runtime = runtime;
        this.temporary = temporary;
        this.options = options;
        // An interrupted probe (Ctrl-C) removes the temporary receiver too.
        this.cleanup = temporary == null ? null : new Thread(() -> delete(temporary), "round-trip-cleanup");
        if (cleanup != null) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    RoundTrip.Options options() {
        return options;
    }

    /** Starts a Mailflow server on {@code hostPort} that takes mail for {@code address} alone. */
    static ReturnMailbox listen(String hostPort, String address, String hostname, Duration limit) throws Problem {
        MailAddress a = parse(address);
        Path dir;
        try {
            dir = Files.createTempDirectory("mailflow-round-trip");
        } catch (IOException e) {
            throw new Problem("cannot create a temporary directory for the return mailbox: " + IoErrors.describe(e));
        }
        String toml = "hostname = " + quote(hostname) + "\n"
                + "data_dir = " + quote(dir.resolve("data").toString()) + "\n\n"
                + "[[receive_connector]]\nname = \"Round trip\"\nbind = " + quote(hostPort) + "\nanonymous = true\n\n"
                + "[[accepted_domain]]\nname = " + quote(a.domain()) + "\n\n"
                + "[[mailbox]]\naddress = " + quote(address) + "\n\n"
                + (a.unquotedLocalPart().equalsIgnoreCase("postmaster") ? "" : "[[alias]]\naddress = "
                + quote("postmaster@" + a.domain()) + "\nrecipients = [" + quote(address) + "]\n\n")
                + "[web]\nenabled = false\n";
        try {
            var config = ConfigLoader.loadString(toml, "--return-listen", dir);
            var runtime = MailflowRuntime.start(config, Clock.systemDefaultZone());
            Path maildir = new MaildirDelivery(config.server().dataDir().resolve("mailboxes"), hostname,
                    ZoneId.systemDefault()).maildir(a);
            return new ReturnMailbox(runtime, dir, new RoundTrip.Options(maildir, limit,
                    dev.mailflow.probe.Messages.text("roundTrip.where.listen", hostPort)));
        } catch (ConfigException e) {
            delete(dir);
            throw new Problem("--return-listen " + hostPort + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw new Problem("--return-listen " + hostPort + ": cannot receive there: " + IoErrors.describe(
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e)));
        }
    }

    /** The mailbox {@code address} of the server configured by {@code file}, which runs. */
    static ReturnMailbox existing(Path file, String address, Duration limit) throws Problem {
        MailAddress a = parse(address);
        MailflowConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new Problem("--return-config: " + e.getMessage());
        }
        if (config.server().directory().mailbox(a) == null) {
            throw new Problem("--return-config " + file + ": " + address + " is not a mailbox of that server (add a"
                    + " [[mailbox]] for it, or give --from one of its mailboxes)");
        }
        Path maildir = new MaildirDelivery(config.server().dataDir().resolve("mailboxes"), config.server().hostname(),
                ZoneId.systemDefault()).maildir(a);
        return new ReturnMailbox(null, null, new RoundTrip.Options(maildir, limit,
                dev.mailflow.probe.Messages.text("roundTrip.where.config", file, config.server().hostname())));
    }

    private static MailAddress parse(String address) throws Problem {
        try {
            return Addresses.parse(address);
        } catch (ConfigKey.InvalidValue e) {
            throw new Problem("--from " + e.getMessage() + ": the round trip needs a return address that a local"
                    + " Mailflow mailbox receives");
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
        if (temporary != null) {
            delete(temporary);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it up in the end
        }
    }
}
