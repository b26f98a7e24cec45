package dev.mailflow.app;

import dev.mailflow.server.Endpoints;
import dev.mailflow.web.WebConfig;
import java.net.InetSocketAddress;
import java.util.List;

/** {@code [web]}: the console. Its listener is made at start: a change needs a restart. */
final class WebSection implements ConfigSection<WebConfig> {

    static final WebSection SECTION = new WebSection();

    static final ConfigKey<Boolean> ENABLED = Keys.bool("enabled", true).needsRestart();
    static final ConfigKey<InetSocketAddress> BIND = Keys.string("bind", "127.0.0.1:8025")
            .then(SocketAddresses::listen, a -> Keys.quoted(Endpoints.format(a))).needsRestart();
    static final ConfigKey<String> PASSWORD = Keys.string("password").secret().needsRestart();
    /** Default: false on loopback, true beyond. */
    static final ConfigKey<Boolean> METRICS_LOGIN = Keys.bool("metrics_login", null).needsRestart();

    private WebSection() {
    }

    @Override
    public String name() {
        return "web";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(ENABLED, BIND, PASSWORD, METRICS_LOGIN);
    }

    @Override
    public WebConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        var bind = t.get(BIND);
        boolean enabled = t.get(ENABLED);
        if (enabled) {
            var connectors = in.get(ReceiveConnectorSection.SECTION);
            for (int i = 0; i < connectors.size(); i++) {
                var c = connectors.get(i);
                String clash = SocketAddresses.clash(bind, c.bind());
                if (clash != null) {
                    throw t.error(BIND, Endpoints.format(bind) + " is also where " + Keys.quoted(c.name())
                            + " (receive_connector[" + (i + 1) + "]) listens" + (clash.isEmpty() ? "" : ", on "
                            + Endpoints.format(c.bind()) + " (" + clash + ")") + "; give the console its own port");
                }
            }
        }
        Boolean metricsLogin = t.get(METRICS_LOGIN);
        return new WebConfig(enabled, bind, t.get(PASSWORD),
                metricsLogin != null ? metricsLogin : !bind.getAddress().isLoopbackAddress());
    }
}
