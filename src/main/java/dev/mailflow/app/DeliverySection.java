package dev.mailflow.app;

import dev.mailflow.client.ClientTimeouts;
import java.time.Duration;
import java.util.List;

/** {@code [delivery]}: how remote delivery finds and talks to other servers. */
final class DeliverySection implements ConfigSection<DeliveryConfig> {

    static final DeliverySection SECTION = new DeliverySection();

    static final ConfigKey<String> DNS_SERVER = Keys.string("dns_server").then(text -> {
        SocketAddresses.literal(text, 53);
        return text;
    }, Keys::quoted);
    static final ConfigKey<Integer> REMOTE_PORT = Keys.port("remote_port", 25);
    static final ConfigKey<Boolean> STARTTLS = Keys.bool("starttls", true);
    static final ConfigKey<Duration> CONNECT_TIMEOUT = Keys.duration("connect_timeout", ClientTimeouts.RFC_5321.connect());
    /** Default: RFC 5321 4.5.3.2's timeout for each reply. */
    static final ConfigKey<Duration> COMMAND_TIMEOUT = Keys.duration("command_timeout", null);
    static final ConfigKey<Integer> MAX_CONNECTIONS = Keys.positiveInt("max_connections", 100);
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_HOST = Keys.positiveInt("max_connections_per_host", 10);
    static final ConfigKey<Integer> MAX_HOPS = Keys.positiveInt("max_hops", 100);

    private DeliverySection() {
    }

    @Override
    public String name() {
        return "delivery";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(DNS_SERVER, REMOTE_PORT, STARTTLS, CONNECT_TIMEOUT, COMMAND_TIMEOUT, MAX_CONNECTIONS,
                MAX_CONNECTIONS_PER_HOST, MAX_HOPS);
    }

    @Override
    public DeliveryConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        Duration connect = t.get(CONNECT_TIMEOUT);
        Duration each = t.get(COMMAND_TIMEOUT);
        var rfc = ClientTimeouts.RFC_5321;
        var timeouts = each == null
                ? new ClientTimeouts(connect, rfc.greeting(), rfc.command(), rfc.dataInit(), rfc.dataBlock(), rfc.dataEnd())
                : new ClientTimeouts(connect, each, each, each, each, each);
        return new DeliveryConfig(t.get(DNS_SERVER), t.get(REMOTE_PORT), t.get(STARTTLS), timeouts,
                t.get(MAX_CONNECTIONS), t.get(MAX_CONNECTIONS_PER_HOST), t.get(MAX_HOPS),
                in.get(SendConnectorSection.SECTION), in.get(DkimKeySection.SECTION));
    }
}
