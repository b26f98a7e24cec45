package dev.mailflow.app;

import dev.mailflow.server.Endpoints;
import dev.mailflow.server.MailServer;
import dev.mailflow.server.tls.TlsContextProvider;
import dev.mailflow.tlspolicy.mtasts.PolicyListener;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Starts the {@code [mta_sts] bind} listener that publishes our MTA-STS policy, with the
 * certificate of {@code [tls]} (the receive connectors' provider, or one of its own when no
 * connector does TLS), serving the policy of the configuration in force (a reload changes it)
 * for {@code mta-sts.<accepted domain>}.
 */
final class MtaStsPublisher {

    /** The listener's address cannot be listened on. */
    static final class BindFailure extends IOException {
        BindFailure(InetSocketAddress bind, IOException cause) {
            super("[mta_sts] bind " + Endpoints.format(bind) + (cause instanceof BindException
                    && String.valueOf(cause.getMessage()).contains("in use") ? " is already in use by another program"
                    : ": cannot listen there (" + cause.getMessage() + ")")
                    + "; set [mta_sts] bind to another address or port, or leave it out", cause);
        }
    }

    private MtaStsPublisher() {
    }

    /** The listener, or null when {@code [mta_sts] bind} is not set (or the configuration has no file sections). */
    static PolicyListener start(MailflowConfig config, MailServer server, Supplier<MailflowConfig> running)
            throws IOException {
        if (config.parts() == null) {
            return null;
        }
        var publishing = config.part(MtaStsSection.SECTION);
        if (publishing.bind() == null) {
            return null;
        }
        var s = config.server();
        TlsContextProvider own = server.tls() != null ? null
                : TlsContextProvider.create(s.tlsCertificate(), s.tlsKey(), s.hostname(), s.dataDir().resolve("tls"));
        PolicyListener.TlsWrapper tls = socket -> (server.tls() != null ? server.tls() : own).wrap(socket);
        PolicyListener.Source source = domain -> {
            var now = running.get();
            return now.server().directory().isAcceptedDomain(domain)
                    ? now.part(MtaStsSection.SECTION).policy().text() : null;
        };
        try {
            return PolicyListener.start(publishing.bind(), tls, source);
        } catch (IOException e) {
            throw new BindFailure(publishing.bind(), e);
        }
    }
}
