package dev.mailflow.app;

import dev.mailflow.auth.dkim.DkimKeyException;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.smtp.Domains;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;

/**
 * {@code [[dkim_key]]}: the private keys remote delivery signs with (RFC 6376 section 5; RSA or
 * Ed25519, RFC 8463), read here once at start and at each reload, so a mistake is a
 * configuration error that {@code mailflow check} shows and a reload refuses: a missing or
 * unreadable file, a key that is not PKCS#8 PEM, an RSA key under 1024 bits (RFC 8301 section
 * 3.2), a bad selector, the same domain and selector twice. Keys that are valid but probably
 * not meant (RSA under 2048 bits, a domain that is not accepted here) are
 * {@link ConfigWarnings}.
 */
final class DkimKeySection implements ConfigSection<List<DkimSigningKey>> {

    static final DkimKeySection SECTION = new DkimKeySection();

    static final ConfigKey<String> DOMAIN = Keys.string("domain").required();
    static final ConfigKey<String> SELECTOR = Keys.string("selector").required();
    static final ConfigKey<String> PRIVATE_KEY = Keys.string("private_key").required();

    /** A PEM file larger than this is not a DKIM key (an RSA 8192 key is under 7 KB). */
    private static final long MAX_KEY_FILE = 64 * 1024;

    private DkimKeySection() {
    }

    @Override
    public String name() {
        return "dkim_key";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(DOMAIN, SELECTOR, PRIVATE_KEY);
    }

    @Override
    public ConfigKey<?> identity() {
        return DOMAIN;
    }

    @Override
    public List<ConfigKey<?>> identityKeys() {
        return List.of(DOMAIN, SELECTOR);
    }

    @Override
    public String describe(String identity) {
        int space = identity.indexOf(' ');
        return "dkim key " + identity.substring(0, space) + " selector " + identity.substring(space + 1);
    }

    @Override
    public List<DkimSigningKey> read(SectionInput in) throws ConfigException {
        var keys = new ArrayList<DkimSigningKey>();
        var seen = new HashMap<String, String>();
        for (var t : in.tables()) {
            String domain = t.get(DOMAIN);
            if (!Domains.isValidDomain(domain, true) || !domain.contains(".")) {
                throw t.error(DOMAIN, "\"" + domain + "\" is not a domain name");
            }
            String selector = t.get(SELECTOR);
            if (!dev.mailflow.auth.dkim.DkimSigningKey.isSelector(selector)) {
                throw t.error(SELECTOR, "\"" + selector + "\" is not a DKIM selector (letters, digits, '-' and '_',"
                        + " parts separated by dots; RFC 6376 3.1)");
            }
            String id = Domains.canonical(domain) + " " + selector.toLowerCase(Locale.ROOT);
            String earlier = seen.putIfAbsent(id, t.path());
            if (earlier != null) {
                throw t.error(SELECTOR, "domain " + domain + " has selector \"" + selector + "\" twice (" + earlier
                        + "); each key needs its own selector");
            }
            Path file = in.resolve(t.get(PRIVATE_KEY));
            String pem = readKeyFile(t, file);
            try {
                keys.add(DkimSigningKey.fromPem(Domains.canonical(domain), selector, pem));
            } catch (DkimKeyException e) {
                throw t.error(PRIVATE_KEY, file + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw t.error(DOMAIN, "\"" + domain + "\" cannot be a signing domain: " + e.getMessage());
            }
        }
        return List.copyOf(keys);
    }

    private static String readKeyFile(ConfigTable t, Path file) throws ConfigException {
        if (!Files.exists(file)) {
            throw t.error(PRIVATE_KEY, file + ": no such file (make one with: mailflow dkim keygen)");
        }
        if (!Files.isRegularFile(file)) {
            throw t.error(PRIVATE_KEY, file + ": not a file");
        }
        try {
            if (Files.size(file) > MAX_KEY_FILE) {
                throw t.error(PRIVATE_KEY, file + ": " + Files.size(file) + " octets: too large for a private key");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw t.error(PRIVATE_KEY, file + ": cannot read it (permission denied for this user)");
        } catch (IOException e) {
            throw t.error(PRIVATE_KEY, file + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
