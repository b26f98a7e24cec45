package dev.mailflow.app;

import dev.mailflow.smtp.Domains;
import java.nio.file.Path;
import java.util.List;

/** The keys at the top of the file: who the server is and where its data lives. */
final class TopLevelSection implements ConfigSection<TopLevelSection.Identity> {

    static final TopLevelSection SECTION = new TopLevelSection();

    static final ConfigKey<String> HOSTNAME = Keys.string("hostname").needsRestart();
    static final ConfigKey<String> DATA_DIR = Keys.string("data_dir", "data").needsRestart();

    /**
     * @param hostname       the name in the banner, EHLO, Received, Message-IDs and the certificate
     * @param hostnameReason why this name when the configuration sets none, else null
     * @param dataDir        the queue, logs, mailboxes and admin channel, absolute
     */
    record Identity(String hostname, String hostnameReason, Path dataDir) {
    }

    private TopLevelSection() {
    }

    @Override
    public String name() {
        return "";
    }

    @Override
    public Shape shape() {
        return Shape.TOP_LEVEL;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(HOSTNAME, DATA_DIR);
    }

    @Override
    public Identity read(SectionInput in) throws ConfigException {
        var t = in.table();
        String hostname = t.get(HOSTNAME);
        String reason = null;
        if (hostname == null) {
            var choice = DefaultHostname.forThisMachine();
            hostname = choice.name();
            reason = choice.reason();
        } else if (!Domains.isValidDomain(hostname, false)) {
            throw t.error(HOSTNAME, "\"" + hostname + "\" is not a valid host name");
        }
        return new Identity(hostname, reason, in.resolve(t.get(DATA_DIR)));
    }
}
