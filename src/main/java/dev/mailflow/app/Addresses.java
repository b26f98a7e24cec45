package dev.mailflow.app;

import dev.mailflow.smtp.AddressParser;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.util.Collection;

/** Mail addresses in the configuration: mailboxes, aliases, catch-alls. */
final class Addresses {

    private Addresses() {
    }

    /** {@code local-part@domain}, with UTF-8 allowed (RFC 6531). */
    static MailAddress parse(String text) throws ConfigKey.InvalidValue {
        var a = AddressParser.parseMailbox(text, true);
        if (a == null) {
            throw new ConfigKey.InvalidValue("\"" + text + "\" is not a valid address (local-part@domain)");
        }
        return a;
    }

    /** An address that must be in one of our domains (canonical names). */
    static void requireOurs(ConfigTable t, ConfigKey<?> key, MailAddress address, Collection<String> domains)
            throws ConfigException {
        if (!domains.contains(Domains.canonical(address.domain()))) {
            throw t.error(key, address + " is not in an accepted domain (add an [[accepted_domain]] for "
                    + address.domain() + ")");
        }
    }
}
