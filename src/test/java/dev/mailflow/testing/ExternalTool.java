package dev.mailflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real peers from Debian's packages. A test whose tool is missing is skipped with a loud
 * message on a developer's machine and fails under CI=true, where .ci/run installs it.
 */
public final class ExternalTool {

    private ExternalTool() {
    }

    /** The tool's path; skips (or fails under CI) when it is not installed. */
    public static Path require(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String message = "*** " + name + " is not installed: the interop test with it cannot run. "
                + "Install it (apt-get install " + debianPackage(name) + ") or run .ci/run as root. ***";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing tool is a failure)");
        }
        System.err.println(message);
        return org.junit.jupiter.api.Assumptions.abort(message);
    }

    /** A program outside PATH (a Dovecot service binary, say): skips, or fails under CI, without it. */
    public static Path requireFile(String file, String debianPackage) {
        return require(Path.of(file), Files.isExecutable(Path.of(file)), debianPackage);
    }

    /** A file a peer loads (a Dovecot module, say: not executable): skips, or fails under CI, without it. */
    public static Path requireModule(String file, String debianPackage) {
        return require(Path.of(file), Files.isRegularFile(Path.of(file)), debianPackage);
    }

    private static Path require(Path p, boolean present, String debianPackage) {
        String file = p.toString();
        if (present) {
            return p;
        }
        String message = "*** " + file + " is not installed: the interop test with it cannot run. Install it "
                + "(apt-get install " + debianPackage + ") or run .ci/run as root. ***";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing tool is a failure)");
        }
        System.err.println(message);
        return org.junit.jupiter.api.Assumptions.abort(message);
    }

    /**
     * Skips (or fails under CI) because a Python module of Debian's python3 is missing.
     *
     * @param module         the module, e.g. "authres"
     * @param debianPackage  the package that has it, e.g. "python3-authres"
     */
    public static void missingPythonModule(String module, String debianPackage) {
        String message = "*** the Python module " + module + " is not installed: the interop test with it cannot "
                + "run. Install it (apt-get install " + debianPackage + ") or run .ci/run as root. ***";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing tool is a failure)");
        }
        System.err.println(message);
        org.junit.jupiter.api.Assumptions.abort(message);
    }

    /** Skips (or fails under CI) unless the test runs as root, which the tool's set-up needs. */
    public static void requireRoot(String why) {
        if ("root".equals(System.getProperty("user.name"))) {
            return;
        }
        String message = "*** this test needs root (" + why + "); run it as root or through .ci/run ***";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing requirement is a failure)");
        }
        System.err.println(message);
        org.junit.jupiter.api.Assumptions.abort(message);
    }

    private static String debianPackage(String tool) {
        return switch (tool) {
            case "nc" -> "netcat-openbsd";
            case "dovecot" -> "dovecot-imapd";
            case "smtp-source", "smtp-sink", "postfix" -> "postfix";
            case "testssl" -> "testssl.sh";
            case "dnsmasq" -> "dnsmasq-base";
            case "ldns-keygen", "ldns-signzone" -> "ldnsutils";
            case "chromedriver" -> "chromium-driver";
            case "dkimverify", "dkimsign", "dknewkey" -> "python3-dkim";
            default -> tool;
        };
    }
}
