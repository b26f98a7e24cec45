package dev.mailflow.app;

import dev.mailflow.auth.dkim.DkimKeyGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailflow dkim}: DKIM keys (RFC 6376, RFC 8463). */
@Command(name = "dkim", mixinStandardHelpOptions = true,
        description = "DKIM signing keys: make one and the DNS record to publish.",
        subcommands = {DkimCommand.Keygen.class})
public final class DkimCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do: keygen");
    }

    /**
     * {@code mailflow dkim keygen}: a new key pair; the private key goes to a file (PKCS#8 PEM,
     * mode 0600, never over an existing file), the public key is printed as the TXT record to
     * publish, in zone-file form.
     */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Make a DKIM signing key and print the DNS TXT record to publish.",
                "The private key is written as PKCS#8 PEM, readable by its owner only (mode 0600).",
                "Add the [[dkim_key]] table it prints to the configuration to sign outgoing mail with it."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the key was written", "2:usage error, or the file exists or cannot be written"})
    static final class Keygen implements Callable<Integer> {

        enum Algorithm { ed25519, rsa }

        @Spec
        CommandSpec spec;

        @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "the signing domain (d=)")
        String domain;

        @Option(names = "--selector", required = true, paramLabel = "SELECTOR",
                description = "the selector (s=), e.g. s2026; a new one for each new key")
        String selector;

        @Option(names = "--algorithm", paramLabel = "ALG", defaultValue = "rsa",
                description = "rsa (default; every verifier knows it) or ed25519 (RFC 8463; sign with both)")
        Algorithm algorithm;

        @Option(names = "--bits", paramLabel = "N",
                description = "RSA key size, " + DkimKeyGenerator.MIN_RSA_BITS + " to " + DkimKeyGenerator.MAX_RSA_BITS
                        + " (default " + DkimKeyGenerator.DEFAULT_RSA_BITS + ")")
        Integer bits;

        @Option(names = "--out", paramLabel = "FILE",
                description = "where to write the private key (default: DOMAIN.SELECTOR.pem here)")
        Path out;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter stdout = spec.commandLine().getOut();
            String problem = check();
            if (problem != null) {
                return UsageErrors.misuse(spec, problem);
            }
            String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            Path file = out != null ? out : Path.of(d + "." + selector + ".pem");
            KeyPair pair = algorithm == Algorithm.ed25519 ? DkimKeyGenerator.ed25519()
                    : DkimKeyGenerator.rsa(bits == null ? DkimKeyGenerator.DEFAULT_RSA_BITS : bits);
            try {
                writePrivate(file, DkimKeyGenerator.privateKeyPem(pair));
            } catch (FileAlreadyExistsException e) {
                err.println("mailflow: " + file + " exists; not overwriting a key (choose another --out, or a new selector)");
                return ExitCodes.USAGE;
            } catch (IOException e) {
                err.println("mailflow: cannot write the key: " + IoErrors.describe(e));
                return ExitCodes.USAGE;
            } catch (UnsupportedOperationException e) {
                err.println("mailflow: " + file + ": this file system has no POSIX permissions, so the key "
                        + "cannot be made private (mode 0600); write it elsewhere with --out");
                return ExitCodes.USAGE;
            }
            String record = DkimKeyGenerator.keyRecord(pair.getPublic());
            stdout.println("Wrote the private key to " + file + " (PKCS#8 PEM, mode 0600: keep it secret).");
            stdout.println("Publish this TXT record in the zone of " + d + ":");
            stdout.println();
            stdout.println(DkimKeyGenerator.zoneFileLine(selector, d, record));
            stdout.println();
            stdout.println("Once the record answers in DNS, sign with the key: add this to the configuration and run "
                    + "'mailflow reload' (other signers such as OpenDKIM take this PKCS#8 file as it is):");
            stdout.println();
            stdout.println("[[dkim_key]]");
            stdout.println("domain = " + Keys.quoted(d));
            stdout.println("selector = " + Keys.quoted(selector));
            stdout.println("private_key = " + Keys.quoted(file.toAbsolutePath().normalize().toString()));
            stdout.println();
            stdout.println("Rotation: publish the new selector's record first, switch signing to it once the record "
                    + "is visible in DNS, and keep the old selector's record until the mail signed with it has been "
                    + "delivered (a few days), then remove it.");
            if (algorithm == Algorithm.rsa && bits != null && bits < DkimKeyGenerator.DEFAULT_RSA_BITS) {
                err.println("mailflow: note: RFC 8301 asks signers for RSA keys of at least 2048 bits");
            }
            return ExitCodes.OK;
        }

        private String check() {
            if (!looksLikeDomain(domain)) {
                return "--domain " + domain + " is not a domain name";
            }
            if (!looksLikeDomain(selector)) {
                return "--selector " + selector + " is not a selector (letters, digits, hyphens, dots)";
            }
            if (bits != null && algorithm == Algorithm.ed25519) {
                return "--bits is for RSA keys; an Ed25519 key has a fixed size";
            }
            if (bits != null && (bits < DkimKeyGenerator.MIN_RSA_BITS || bits > DkimKeyGenerator.MAX_RSA_BITS)) {
                return "--bits " + bits + ": RSA keys for DKIM have " + DkimKeyGenerator.MIN_RSA_BITS + " to "
                        + DkimKeyGenerator.MAX_RSA_BITS + " bits (RFC 8301); 2048 is usual";
            }
            return null;
        }

        /** Creates the file with mode 0600 from the start (never world-readable, not even briefly). */
        private static void writePrivate(Path file, String pem) throws IOException {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                o.write(pem.getBytes(StandardCharsets.US_ASCII));
            }
        }

        /** Selector and domain syntax: dot-separated labels of letters, digits, hyphens, underscores. */
        private static boolean looksLikeDomain(String s) {
            return s.length() <= 253 && s.matches("(?i)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
                    + "(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\\.?");
        }
    }
}
