package dev.mailflow.app;

import dev.mailflow.directory.Alias;
import dev.mailflow.directory.Directory;
import dev.mailflow.server.ServerConfig;
import dev.mailflow.web.WebConfig;
import java.util.ArrayList;

/**
 * The whole configuration, loaded and checked: what each part of the program needs, put
 * together from the sections.
 *
 * @param source where it came from: a file path, or "(embedded defaults)"
 * @param parts  what each section read (null for a configuration put together by a test)
 */
public record MailflowConfig(String source, WebConfig web, LogsConfig logs, ServerConfig server,
                             QueueConfig queue, DeliveryConfig delivery, ConfigParts parts) {

    /** A configuration put together in code, as tests change one part of a loaded one. */
    public MailflowConfig(String source, WebConfig web, LogsConfig logs, ServerConfig server, QueueConfig queue,
                          DeliveryConfig delivery) {
        this(source, web, logs, server, queue, delivery, null);
    }

    /** Puts the sections' values together. */
    static MailflowConfig of(String source, ConfigParts parts) {
        var top = parts.get(TopLevelSection.SECTION);
        var mailboxes = parts.get(MailboxSection.SECTION);
        var aliases = new ArrayList<Alias>(mailboxes.aliases());
        aliases.addAll(parts.get(AliasSection.SECTION));
        var settings = parts.get(DirectorySection.SECTION);
        Directory directory = switch (settings.provider()) {
            case "postgresql" -> SqlDirectories.open(settings);
            // LDAP finds mailboxes and aliases; the file's [[accepted_domain]] are domains it need not search.
            case "ldap" -> LdapDirectories.open(settings, parts.get(AcceptedDomainSection.SECTION));
            default -> Directory.of(parts.get(AcceptedDomainSection.SECTION), mailboxes.mailboxes(), aliases);
        };
        var queue = parts.get(QueueSection.SECTION);
        var delivery = parts.get(DeliverySection.SECTION);
        var tls = parts.get(TlsSection.SECTION);
        return new MailflowConfig(source, parts.get(WebSection.SECTION), parts.get(LogsSection.SECTION),
                new ServerConfig(top.hostname(), top.dataDir(), parts.get(ReceiveConnectorSection.SECTION), directory,
                        queue.minFreeSpace(), delivery.maxHops(), tls.certificate(), tls.key()),
                queue, delivery, parts);
    }

    /** What one section read. */
    <T> T part(ConfigSection<T> section) {
        if (parts == null) {
            throw new IllegalStateException("a configuration put together in code has no sections");
        }
        return parts.get(section);
    }
}
