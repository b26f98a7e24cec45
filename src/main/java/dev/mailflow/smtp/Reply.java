package dev.mailflow.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One SMTP reply: a three-digit code (RFC 5321 4.2), an optional RFC 3463 enhanced
 * status and one or more lines of text.
 *
 * <p>This class is also the reply catalogue: every reply the server sends is a constant
 * or a factory method here, and nowhere else (style.md, principle 1). The texts follow
 * the Exchange pages in the seeds where they name one, and Postfix otherwise.
 */
public record Reply(int code, EnhancedStatus status, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        Objects.requireNonNull(lines, "lines");
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
        lines = List.copyOf(lines);
    }

    static Reply of(int code, String status, String text) {
        return new Reply(code, status == null ? null : EnhancedStatus.of(status), List.of(text));
    }

    // ---- Greeting and session end (RFC 5321 4.2, 3.1, 4.1.1.10) -------------------------

    /** RFC 5322 3.3 date-time, as in the seeds: {@code Fri, 5 Aug 2016 16:24:41 -0700}. */
    public static final java.time.format.DateTimeFormatter RFC_5322_DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", java.util.Locale.ENGLISH);

    /** {@code 220 <hostname> <banner> at <RFC 5322 date>}, as in the seeds' reference session. */
    public static Reply serviceReady(String hostname, String banner, java.time.ZonedDateTime now) {
        return of(220, null, hostname + " " + banner + " at " + RFC_5322_DATE.format(now));
    }

    public static final Reply CLOSING = of(221, "2.0.0", "Service closing transmission channel");

    public static Reply timeout(String hostname) {
        return of(421, "4.4.2", hostname + " Timeout waiting for client input, closing transmission channel");
    }

    /** The connector is full and this connection waited longest for a command (a slow or idle client). */
    public static Reply idleConnectionClosed(String hostname) {
        return of(421, "4.4.2", hostname + " Idle connection closed: the server is busy, try again later");
    }

    public static Reply tooManyErrors(String hostname) {
        return of(421, "4.7.0", hostname + " Too many errors on this connection, closing transmission channel");
    }

    public static Reply tooManyConnections(String hostname) {
        return of(421, "4.3.2", hostname + " Service not available, too many connections, try again later");
    }

    public static Reply tooManyConnectionsFromAddress(String hostname) {
        return of(421, "4.7.0", hostname + " Too many connections from your address, try again later");
    }

    public static Reply tooManyConnectionsFromNetwork(String hostname) {
        return of(421, "4.7.0", hostname + " Too many connections from your network, try again later");
    }

    public static Reply shuttingDown(String hostname) {
        return of(421, "4.3.2", hostname + " Service shutting down, closing transmission channel");
    }

    public static Reply httpOnSmtpPort(String hostname) {
        return of(421, "4.7.0", hostname + " This is an SMTP server, not a web server; closing transmission channel");
    }

    // ---- HELO / EHLO (RFC 5321 4.1.1.1) ----------------------------------------------

    /** HELO answer: one line, no extensions. */
    public static Reply helo(String hostname, String clientAddress) {
        return of(250, null, hostname + " Hello [" + clientAddress + "]");
    }

    /** EHLO answer: the greeting line and one line per extension keyword. */
    public static Reply ehlo(String hostname, String clientAddress, List<String> extensions) {
        var all = new ArrayList<String>(extensions.size() + 1);
        all.add(hostname + " Hello [" + clientAddress + "]");
        all.addAll(extensions);
        return new Reply(250, null, all);
    }

    public static final Reply INVALID_DOMAIN = of(501, "5.5.4", "Invalid domain name");

    // ---- Transaction (RFC 5321 4.1.1.2 - 4.1.1.5) -------------------------------------

    public static final Reply SENDER_OK = of(250, "2.1.0", "Sender OK");
    public static final Reply RECIPIENT_OK = of(250, "2.1.5", "Recipient OK");
    public static final Reply START_MAIL_INPUT = of(354, null, "Start mail input; end with <CRLF>.<CRLF>");

    /** End of data accepted: {@code 250 2.6.0 <message-id> [InternalId=n, Hostname=h] Queued mail for delivery}. */
    public static Reply queued(String messageId, long internalId, String hostname) {
        return of(250, "2.6.0", messageId + " [InternalId=" + internalId + ", Hostname=" + hostname
                + "] Queued mail for delivery");
    }

    /** A BDAT chunk that is not the last one was received (RFC 3030 2). */
    public static Reply chunkReceived(long octets) {
        return of(250, "2.0.0", octets + " octets received");
    }

    public static final Reply OK = of(250, "2.0.0", "OK");
    public static final Reply RESET = of(250, "2.0.0", "Resetting");
    public static final Reply CANNOT_VRFY = of(252, "2.5.0",
            "Cannot VRFY user, but will accept message and attempt delivery");

    public static Reply help(String hostname) {
        return new Reply(214, EnhancedStatus.of("2.0.0"), List.of(
                "Mailflow on " + hostname + ", RFC 5321 with ESMTP extensions",
                "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH",
                "A session: EHLO, MAIL FROM:<sender>, RCPT TO:<recipient>, DATA, message, '.', QUIT",
                "End of HELP info"));
    }

    // ---- Syntax errors (RFC 5321 4.2.2, 4.5.3.1) --------------------------------------

    public static final Reply UNRECOGNIZED = of(500, "5.3.3", "Unrecognized command");
    public static final Reply LINE_TOO_LONG = of(500, "5.5.2", "Line too long");
    public static final Reply INVALID_CHARACTER = of(500, "5.5.2", "Invalid character in command");
    public static final Reply SYNTAX_ERROR = of(501, "5.5.4", "Syntax error in parameters or arguments");
    public static final Reply INVALID_SENDER = of(550, "5.1.7", "Invalid address");
    public static final Reply INVALID_RECIPIENT = of(501, "5.1.3", "Invalid recipient address");
    public static final Reply UTF8_ADDRESS_WITHOUT_SMTPUTF8 = of(553, "5.6.7",
            "Non-ASCII address requires the SMTPUTF8 parameter on MAIL");
    public static final Reply UNKNOWN_PARAMETER = of(555, "5.5.4", "Unsupported parameter");
    public static final Reply INVALID_PARAMETER_VALUE = of(501, "5.5.4", "Invalid parameter value");
    public static final Reply DUPLICATE_PARAMETER = of(501, "5.5.4", "Parameter given more than once with different values");
    public static final Reply NOT_IMPLEMENTED = of(502, "5.5.1", "Command not implemented on this connector");

    // ---- Sequence (RFC 5321 4.1.4, RFC 3030) ------------------------------------------

    public static final Reply SEND_HELLO_FIRST = of(503, "5.5.1", "Send EHLO or HELO first");
    public static final Reply SENDER_ALREADY_GIVEN = of(503, "5.5.1", "Sender already specified");
    public static final Reply NEED_MAIL = of(503, "5.5.1", "Need MAIL command first");
    public static final Reply NEED_MAIL_FINISHED = of(503, "5.5.1",
            "Bad sequence of commands: finish or reset the mail transaction first");
    public static final Reply NO_VALID_RECIPIENTS = of(554, "5.5.1", "No valid recipients");
    public static final Reply BINARYMIME_NEEDS_BDAT = of(503, "5.5.1", "BODY=BINARYMIME requires BDAT, not DATA");
    public static final Reply DATA_AFTER_BDAT = of(503, "5.5.1", "DATA not allowed after BDAT in the same transaction");

    // ---- Policy (seeds' failure table, RFC 5321 3.6, RFC 4954) ------------------------

    public static final Reply NOT_AUTHENTICATED = of(530, "5.7.1", "Client was not authenticated");
    public static final Reply USER_UNKNOWN = of(550, "5.1.1", "User unknown");
    public static final Reply RELAY_DENIED = of(550, "5.7.54", "Unable to relay recipient in non-accepted domain");

    // ---- TLS (RFC 3207) and authentication (RFC 4954) ---------------------------------

    public static final Reply READY_TO_START_TLS = of(220, "2.0.0", "Ready to start TLS");
    public static final Reply TLS_ALREADY_ACTIVE = of(503, "5.5.1", "TLS already active");
    public static final Reply MUST_ISSUE_STARTTLS = of(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final Reply ENCRYPTION_REQUIRED_FOR_AUTH = of(538, "5.7.11",
            "Encryption required for requested authentication mechanism");
    public static final Reply AUTH_SUCCEEDED = of(235, "2.7.0", "Authentication successful");
    public static final Reply AUTH_FAILED = of(535, "5.7.8", "Authentication credentials invalid");
    public static final Reply AUTH_CANCELLED = of(501, "5.0.0", "Authentication cancelled");
    public static final Reply AUTH_BAD_ENCODING = of(501, "5.5.2", "Cannot decode the authentication response");
    public static final Reply AUTH_MECHANISM_UNKNOWN = of(504, "5.5.4", "Unrecognized authentication type");
    public static final Reply ALREADY_AUTHENTICATED = of(503, "5.5.1", "Already authenticated");
    public static final Reply AUTH_TEMPORARILY_BLOCKED = of(454, "4.7.0",
            "Temporary authentication failure: too many failures from your address, try again later");
    public static final Reply AUTH_ACCOUNT_TEMPORARILY_BLOCKED = of(454, "4.7.0",
            "Temporary authentication failure: too many failures for this account, try again later");
    /** RFC 4954 6's words: the password could not be checked now (the checks are all busy). */
    public static final Reply AUTH_TEMPORARY_FAILURE = of(454, "4.7.0", "Temporary authentication failure");
    public static final Reply SEND_AS_DENIED = of(550, "5.7.60",
            "SMTP; Client does not have permissions to send as this sender");
    public static final Reply NOT_PERMITTED_ON_CONNECTOR = of(554, "5.7.1",
            "Your address is not permitted to use this connector");

    // ---- Rate limits and greylisting -------------------------------------------------------

    /** Greylisting (RFC 6647): the first attempt of a triplet waits; a real MTA retries. */
    public static Reply greylisted(long seconds) {
        return of(451, "4.7.1", "Greylisted, try again in " + seconds + " seconds");
    }

    /** Too many connections from one client address within the minute: sent instead of the 220, then close. */
    public static Reply connectionRateExceeded(String hostname, String clientAddress, int limit) {
        return of(421, "4.7.0", hostname + " Too many connections from [" + clientAddress + "]: limit " + limit
                + " per minute, try again later");
    }

    /** Too many messages from one client address within the hour. */
    public static Reply messageRateExceeded(String clientAddress, int limit) {
        return of(450, "4.7.0", "Too many messages from [" + clientAddress + "]: limit " + limit
                + " per hour, try again later");
    }

    /** Too many recipients from one client address within the hour. */
    public static Reply recipientRateExceeded(String clientAddress, int limit) {
        return of(452, "4.5.3", "Too many recipients from [" + clientAddress + "]: limit " + limit
                + " per hour, try again later");
    }

    /** Too many messages of one authenticated user within the hour (a stolen password's spam run). */
    public static Reply userMessageRateExceeded(String user, int limit) {
        return of(450, "4.7.0", "Too many messages sent by " + user + ": limit " + limit
                + " per hour, try again later");
    }

    // ---- Connection filtering (DNS lists, reverse DNS, pregreet) ------------------------

    /** A DNS block list listed the client (RFC 5782): Postfix's and Exchange's words, the list named. */
    public static Reply blockedByList(String clientAddress, String zone) {
        return of(554, "5.7.1", "Service unavailable; client [" + clientAddress + "] blocked using " + zone);
    }

    /** RFC 7372 3.4: the connector requires forward-confirmed reverse DNS and the client has none. */
    public static Reply reverseDnsFailed(String clientAddress) {
        return of(550, "5.7.25", "Reverse DNS validation failed; client [" + clientAddress
                + "] has no host name that resolves back to its address");
    }

    /** RFC 7372 3.4, temporary: the reverse DNS lookups failed or did not finish; try again later. */
    public static Reply reverseDnsTemporaryFailure(String clientAddress) {
        return of(450, "4.7.25", "Reverse DNS validation failed temporarily for client [" + clientAddress
                + "]; try again later");
    }

    /** The client talked before the greeting (postscreen's pregreet test): sent instead of the 220, then close. */
    public static Reply pregreet(String clientAddress) {
        return of(554, "5.5.0", "Protocol error: client [" + clientAddress + "] talked before the greeting");
    }

    // ---- Email authentication (RFC 7372 codes) -----------------------------------------

    /** RFC 7372 3.2: SPF fail, with the domain's own explanation when it gave one (RFC 7208 8.4). */
    public static Reply spfFailed(String domain, String ip, String explanation) {
        return of(550, "5.7.23", explanation != null && !explanation.isBlank()
                ? "SPF validation failed: " + printable(explanation)
                : "SPF validation failed: " + domain + " does not designate " + ip + " as permitted sender");
    }

    /** RFC 7372 3.2: an SPF check that could not finish (temperror): try again later. */
    public static Reply spfTemporaryError(String domain) {
        return of(451, "4.7.24", "SPF validation error for " + domain + ": DNS did not answer, try again later");
    }

    /** DMARC p=reject, the policy quoted (5.7.26 as RFC 7372 3.3 and the large providers use it). */
    public static Reply dmarcRejected(String domain, String policy) {
        return of(550, "5.7.26", "Unauthenticated email from " + domain + " is not accepted due to the domain's "
                + "DMARC policy (" + policy + "); neither SPF nor DKIM passed for " + domain);
    }

    /** A DMARC check that could not finish: try again later. */
    public static Reply dmarcTemporaryError(String domain) {
        return of(451, "4.7.26", "DMARC validation error for " + domain + ": DNS did not answer, try again later");
    }

    /** The checks at the end of data did not finish in time (DNS too slow): try again later. */
    public static Reply checksTooSlow() {
        return of(451, "4.7.26", "Authentication checks did not finish in time (DNS too slow), try again later");
    }

    /** Text from outside (DNS, a filter), made safe for a reply line: printable ASCII only, bounded. */
    public static String printable(String text) {
        var sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
            if (sb.length() >= 400) {
                break;
            }
        }
        return sb.toString();
    }

    /** A SASL challenge, base64 (RFC 4954 4): "334 " and the challenge, no enhanced code. */
    public static Reply saslChallenge(String base64) {
        return new Reply(334, null, List.of(base64));
    }

    public static Reply tooManyAuthFailures(String hostname) {
        return of(421, "4.7.0", hostname + " Too many failed authentications, closing transmission channel");
    }

    // ---- Limits (RFC 5321 4.5.3, RFC 1870) --------------------------------------------

    public static final Reply TOO_MANY_RECIPIENTS = of(452, "4.5.3", "Too many recipients");
    public static final Reply MESSAGE_TOO_BIG = of(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static final Reply BARE_LINE_ENDING = of(550, "5.6.0",
            "Message refused: bare CR or LF in message content; lines must end with CRLF");
    /** RFC 5321 4.5.2, RFC 5322 2.3: NUL is in no text; only BINARYMIME content may hold it. */
    public static final Reply NUL_IN_CONTENT = of(550, "5.6.0",
            "Message refused: NUL octet in message content; send it with BODY=BINARYMIME and BDAT");
    /** RFC 3030: BDAT 0 LAST as the only chunk, a message of no octets (Postfix refuses it too). */
    public static final Reply EMPTY_MESSAGE = of(554, "5.6.0", "Message refused: no content (BDAT 0 LAST with no chunk before)");
    /**
     * RFC 2920 3.1: a client may not send past DATA before the 354, nor pipeline at all unless
     * the EHLO reply offered PIPELINING (Postfix: smtpd_forbid_unauth_pipelining).
     */
    public static final Reply PROTOCOL_SYNCHRONIZATION = of(554, "5.5.0",
            "SMTP protocol synchronization error: commands sent before the server's reply");
    /** RFC 5321 6.3: too many Received headers, a loop (Postfix's words). */
    public static final Reply TOO_MANY_HOPS = of(554, "5.4.6", "Too many hops: message refused as a mail loop");
    public static final Reply TEXT_LINE_TOO_LONG = of(550, "5.6.0",
            "Message refused: a text line is longer than 1000 octets");

    // ---- Milters (Postfix's words for the milter's own verdicts) -----------------------

    /** A milter's reject without a reply of its own. */
    public static final Reply FILTER_REJECTED = of(550, "5.7.1", "Command rejected");
    /** A milter's reject at connect, in place of the greeting. */
    public static final Reply FILTER_REJECTED_CONNECTION = of(554, "5.7.1", "Service unavailable; connection rejected by a content filter");
    /** A milter's tempfail, or a milter that cannot be reached with milter_default_action = tempfail. */
    public static final Reply FILTER_TEMPFAIL = of(451, "4.7.1", "Service unavailable - try again later");
    /** A milter's tempfail at connect: in place of the greeting, where only 421 may say it (RFC 5321 3.1). */
    public static final Reply FILTER_TEMPFAIL_CONNECTION = of(421, "4.7.1", "Service unavailable - try again later");
    /** A milter that asked to end the connection (shutdown, connection failure). */
    public static final Reply FILTER_SHUTDOWN = of(421, "4.7.0", "Server closing connection");

    // ---- Local failures (RFC 5321 4.2.3) ----------------------------------------------

    public static final Reply INSUFFICIENT_STORAGE = of(452, "4.3.1", "Insufficient system storage");
    public static final Reply LOCAL_ERROR = of(451, "4.3.0", "Local error in processing, please try again later");
    /** The directory (a database or directory server) cannot answer now: try again later. */
    public static final Reply DIRECTORY_UNAVAILABLE = of(451, "4.3.0",
            "Directory temporarily unavailable, please try again later");

    // ---- Reading ----------------------------------------------------------------------

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isError() {
        return code >= 400;
    }

    /** The reply as it goes on the wire: every line ends in CRLF, all but the last use '-'. */
    public String render() {
        var sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (status != null) {
                sb.append(status).append(' ');
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    public byte[] toBytes() {
        return render().getBytes(StandardCharsets.UTF_8);
    }

    /** The reply's first line without its line ending, as it appears in logs. */
    public String firstLine() {
        var r = render();
        return r.substring(0, r.indexOf('\r'));
    }

    @Override
    public String toString() {
        return render().replace("\r\n", "\\r\\n");
    }
}
