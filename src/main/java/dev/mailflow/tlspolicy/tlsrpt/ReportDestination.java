package dev.mailflow.tlspolicy.tlsrpt;

import java.net.URI;
import java.util.Objects;

/**
 * One {@code rua} URI of a TLS-RPT record (RFC 8460 3): where aggregate reports go, by mail or
 * by an HTTPS POST.
 */
public sealed interface ReportDestination permits ReportDestination.Mailto, ReportDestination.Https {

    /** The URI as the record gave it. */
    URI uri();

    /**
     * {@code mailto:} (RFC 6068): the report is mailed to {@code address} (RFC 8460 5.3).
     *
     * @param address the recipient, percent-decoded, e.g. {@code tls-reports@example.com}
     */
    record Mailto(URI uri, String address) implements ReportDestination {
        public Mailto {
            Objects.requireNonNull(uri);
            Objects.requireNonNull(address);
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }

    /** {@code https:}: the report is POSTed to the URI (RFC 8460 5.4). */
    record Https(URI uri) implements ReportDestination {
        public Https {
            Objects.requireNonNull(uri);
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
