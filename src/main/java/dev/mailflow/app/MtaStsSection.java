package dev.mailflow.app;

import dev.mailflow.server.Endpoints;
import dev.mailflow.tlspolicy.HostPatterns;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import dev.mailflow.tlspolicy.mtasts.PublishedPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tomlj.TomlArray;

/**
 * {@code [mta_sts]}: the MTA-STS policy we publish for our accepted domains (RFC 8461 3.2) and
 * the HTTPS listener that serves it. The mode defaults to {@code testing}: a sender then
 * delivers as before and reports failures (TLS-RPT), so publishing cannot lose mail while the
 * certificate and the MX names are being got right; and Mailflow's own default certificate is
 * self-signed, which every sender would refuse under {@code enforce}. The operator moves to
 * {@code enforce} once reports show no failures. A reload changes the policy served (and so its
 * id); the listener's address needs a restart.
 */
final class MtaStsSection implements ConfigSection<MtaStsSection.Publishing> {

    static final MtaStsSection SECTION = new MtaStsSection();

    static final ConfigKey<MtaStsPolicy.Mode> MODE = Keys.string("mode", "testing").then(text -> {
        return switch (text) {
            case "enforce" -> MtaStsPolicy.Mode.ENFORCE;
            case "testing" -> MtaStsPolicy.Mode.TESTING;
            case "none" -> MtaStsPolicy.Mode.NONE;
            default -> throw new ConfigKey.InvalidValue("\"" + text + "\" is not \"enforce\", \"testing\" or \"none\"");
        };
    }, m -> Keys.quoted(m.word()));
    /** Default: the server's host name (computed by the section). */
    static final ConfigKey<List<String>> MX = ConfigKey.<TomlArray, List<String>>of("mx", ValueType.STRING_LIST,
            array -> {
                var list = new ArrayList<String>();
                for (int i = 0; i < array.size(); i++) {
                    String p = array.getString(i).toLowerCase(Locale.ROOT);
                    if (!HostPatterns.isValidPattern(p)) {
                        throw new ConfigKey.InvalidValue("\"" + p + "\" is not a host name or a *.domain pattern");
                    }
                    list.add(p);
                }
                return List.copyOf(list);
            }, null, Keys::listLiteral);
    static final ConfigKey<Duration> MAX_AGE = Keys.duration("max_age", Duration.ofDays(7)).then(d -> {
        if (d.toMillis() % 1000 != 0) {
            throw new ConfigKey.InvalidValue("must be whole seconds");
        }
        if (d.compareTo(MtaStsPolicy.MAX_AGE_LIMIT) > 0) {
            throw new ConfigKey.InvalidValue("must be at most " + MtaStsPolicy.MAX_AGE_LIMIT.toSeconds()
                    + " seconds (a year, RFC 8461 3.2)");
        }
        return d;
    }, d -> Keys.quoted(Durations.format(d)));
    /** Default: not listening. */
    static final ConfigKey<InetSocketAddress> BIND = Keys.string("bind")
            .then(SocketAddresses::listen, a -> Keys.quoted(Endpoints.format(a))).needsRestart();

    /**
     * @param policy what is published for every accepted domain
     * @param bind   where the HTTPS listener listens, or null for none
     */
    record Publishing(PublishedPolicy policy, InetSocketAddress bind) {
    }

    private MtaStsSection() {
    }

    @Override
    public String name() {
        return "mta_sts";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(MODE, MX, MAX_AGE, BIND);
    }

    @Override
    public Publishing read(SectionInput in) throws ConfigException {
        var t = in.table();
        var mode = t.get(MODE);
        List<String> mx = t.get(MX);
        if (mx == null) {
            mx = List.of(in.get(TopLevelSection.SECTION).hostname());
        } else if (mx.isEmpty() && mode != MtaStsPolicy.Mode.NONE) {
            throw t.error(MX, "a policy in mode " + mode.word() + " needs at least one MX pattern");
        }
        var bind = t.get(BIND);
        if (bind != null) {
            var connectors = in.get(ReceiveConnectorSection.SECTION);
            for (int i = 0; i < connectors.size(); i++) {
                var c = connectors.get(i);
                if (SocketAddresses.clash(bind, c.bind()) != null) {
                    throw t.error(BIND, Endpoints.format(bind) + " is also where " + Keys.quoted(c.name())
                            + " (receive_connector[" + (i + 1) + "]) listens; give the policy listener its own port");
                }
            }
            var web = in.get(WebSection.SECTION);
            if (web.enabled() && SocketAddresses.clash(bind, web.bind()) != null) {
                throw t.error(BIND, Endpoints.format(bind) + " is also where the console ([web] bind) listens; "
                        + "give the policy listener its own port");
            }
        }
        try {
            return new Publishing(new PublishedPolicy(mode, mx, t.get(MAX_AGE)), bind);
        } catch (IllegalArgumentException e) {
            throw t.error(MX, e.getMessage());
        }
    }
}
