package dev.mailflow.app;

import dev.mailflow.smtp.Domains;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The host name when the configuration sets none: this machine's fully qualified name when
 * it has one, else {@code mail.example.test}. Other servers refuse a peer that calls itself
 * {@code localhost} in its EHLO (and Received, Message-ID and the certificate carry the name
 * too), so only a real domain name with a dot will do.
 */
final class DefaultHostname {

    /** Used when the machine has no fully qualified name. */
    static final String FALLBACK = "mail.example.test";

    /** The host name chosen and why, as serve and check say it. */
    record Choice(String name, String reason) {
    }

    /** The names this machine goes by, most trusted first (a seam for tests). */
    interface MachineNames {
        List<String> names();
    }

    /** The resolver's canonical name of this host, then /etc/hostname and what that resolves to. */
    static final MachineNames SYSTEM = () -> {
        var names = new ArrayList<String>();
        try {
            names.add(InetAddress.getLocalHost().getCanonicalHostName());
        } catch (IOException e) {
            // no name from the resolver
        }
        try {
            String etc = Files.readString(Path.of("/etc/hostname")).strip();
            if (!etc.isEmpty()) {
                names.add(etc);
                names.add(InetAddress.getByName(etc).getCanonicalHostName());
            }
        } catch (IOException e) {
            // no /etc/hostname, or its name does not resolve
        }
        return names;
    };

    private static volatile Choice system;

    private DefaultHostname() {
    }

    /** The choice for this machine (looked up once). */
    static Choice forThisMachine() {
        Choice c = system;
        if (c == null) {
            c = choose(SYSTEM);
            system = c;
        }
        return c;
    }

    static Choice choose(MachineNames machine) {
        for (String name : machine.names()) {
            String n = name == null ? "" : normalized(name);
            if (isFullyQualified(n)) {
                return new Choice(n, "this machine's name; set hostname in the config to choose another");
            }
        }
        return new Choice(FALLBACK, "this machine has no fully qualified name; set hostname in the config");
    }

    /** A domain name with a dot that is not localhost's: no address literal, no .localdomain. */
    static boolean isFullyQualified(String name) {
        String n = normalized(name);
        return n.indexOf('.') > 0 && Domains.isValidDomain(n, false) && !Domains.isIpv4Literal(n)
                && !n.equals("localhost") && !n.endsWith(".localhost") && !n.equals("localdomain")
                && !n.endsWith(".localdomain");
    }

    /** Lower case, without the root's trailing dot. */
    private static String normalized(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
