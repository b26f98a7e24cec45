package dev.mailflow.tlspolicy.tlsrpt;

import java.io.IOException;

/**
 * How the scheduler hands a mailed report (RFC 8460 5.3) to the queue. The application's
 * implementation submits it as a locally generated message, DKIM-signed for the From domain
 * when a key exists (RFC 8460 3 has receivers ignore unsigned reports), and makes sure that
 * its own delivery is never recorded in the {@link ReportLog}: no report about a report
 * (stalwartlabs/stalwart#1301), and RFC 8460 3's "deliver reports despite any TLS-related
 * failures".
 */
@FunctionalInterface
public interface ReportMailer {

    /**
     * Queues one message.
     *
     * @param from    the envelope sender ({@link ReporterIdentity#from()})
     * @param to      the recipient, from the record's {@code mailto:}
     * @param message the whole RFC 5322 message, CRLF line ends
     * @throws IOException when it could not be queued; the scheduler tries again later
     */
    void submit(String from, String to, byte[] message) throws IOException;
}
