package dev.mailflow.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One receive connector (Exchange's word): a named listener and the rules for the clients
 * that use it, grouped by concern. The defaults and the TOML keys are documented in
 * docs/configuration.md.
 *
 * @param name        unique (case-insensitive), in logs and errors
 * @param bind        where it listens
 * @param access      who may use it and for what
 * @param limits      sizes and counts
 * @param timeouts    how long the server waits for the client
 * @param tlsPolicy   STARTTLS, implicit TLS, or none, and whether it is required
 * @param authPolicy  whether AUTH is offered, and its limits
 * @param senderChecks email authentication of mail from strangers: SPF, DKIM, DMARC, ARC
 * @param banner      text of the 220 greeting after the host name
 * @param protocolLog whether the whole SMTP conversation is logged (content excluded)
 */
public record ConnectorConfig(String name, InetSocketAddress bind, Access access, Limits limits, Timeouts timeouts,
                              TlsPolicy tlsPolicy, AuthPolicy authPolicy, SenderChecks senderChecks, String banner,
                              boolean protocolLog, ConnectionFiltering filtering, RateLimits rates, Milters milters,
                              Simulation simulation) {

    /** How a connector does TLS. */
    public enum Tls { STARTTLS, IMPLICIT, OFF }

    /**
     * @param anonymous    clients may send without authenticating
     * @param relayFrom    client ranges that may send to any domain (Exchange's anonymous relay connector)
     * @param remoteRanges client ranges this connector answers; empty for everyone
     */
    public record Access(boolean anonymous, List<Cidr> relayFrom, List<Cidr> remoteRanges) {
        public Access {
            relayFrom = List.copyOf(relayFrom);
            remoteRanges = List.copyOf(remoteRanges);
        }
    }

    /**
     * @param maxMessageSize      largest message in octets (SIZE, 552 5.3.4 beyond)
     * @param maxRecipients       recipients per message (452 4.5.3 beyond)
     * @param maxConnections      connections open at once on this connector (421 4.3.2 beyond)
     * @param maxConnectionsPerIp connections open at once from one client address, an IPv4
     *                            address or an IPv6 /64 (421 4.7.0)
     * @param maxConnectionsPerNetwork connections open at once from one client network, an IPv4
     *                            /24 or an IPv6 /48 (421 4.7.0)
     * @param maxErrors           5xx replies on one connection before 421 and close
     */
    public record Limits(long maxMessageSize, int maxRecipients, int maxConnections, int maxConnectionsPerIp,
                         int maxConnectionsPerNetwork, int maxErrors) {
    }

    /**
     * Deadlines, each for a whole command line, message or handshake (see server.Deadlines).
     *
     * @param command      RFC 5321 4.5.3.2.7 server timeout: a whole command line
     * @param data         RFC 5321 4.5.3.2.5/6: DATA, or one BDAT chunk, before extensions
     * @param minDataRate  octets per second that extend the data deadline as they arrive
     * @param tlsHandshake the whole TLS handshake
     */
    public record Timeouts(Duration command, Duration data, long minDataRate, Duration tlsHandshake) {
    }

    /**
     * @param mode     STARTTLS offered, implicit TLS (RFC 8314), or no TLS
     * @param required MAIL before STARTTLS gets 530 5.7.0
     */
    public record TlsPolicy(Tls mode, boolean required) {
    }

    /**
     * @param offered       AUTH offered (after TLS unless allowInsecure)
     * @param allowInsecure AUTH offered without TLS too
     * @param maxFailures   failed AUTH on one connection before 421 and close
     */
    public record AuthPolicy(boolean offered, boolean allowInsecure, int maxFailures) {
    }

    /**
     * What a connector does with the email authentication of mail from clients that are not
     * its own (not authenticated, not in relay_from).
     *
     * @param mode            off, record (Authentication-Results only), quarantine (failures to
     *                        the hold queue) or enforce (failures refused at SMTP time)
     * @param spfAtMail       SPF is checked at MAIL (true) or at the end of data
     * @param deferTempErrors a DNS failure of SPF or DMARC gives 451 (true) or is accepted and
     *                        recorded as temperror (false); never a permanent refusal
     * @param holdQuarantined DMARC p=quarantine puts the message on hold (true) or marks it with
     *                        X-Spam-Flag (false), under quarantine and enforce
     */
    public record SenderChecks(Mode mode, boolean spfAtMail, boolean deferTempErrors, boolean holdQuarantined) {

        public enum Mode { OFF, RECORD, QUARANTINE, ENFORCE }

        public static final SenderChecks DEFAULT = new SenderChecks(Mode.RECORD, true, false, true);
    }

    /**
     * Connection filtering (Exchange's word): DNS block and allow lists on the client address,
     * forward-confirmed reverse DNS, the greeting delay that catches early talkers (see
     * {@link dev.mailflow.server.protection}).
     *
     * @param blockLists      {@code dnsbl}: lists whose listings add to the client's score
     * @param allowLists      {@code dnswl}: a listed client skips the block lists (and greylisting)
     * @param threshold       {@code dnsbl_threshold}: the score at which the client is refused at RCPT
     * @param allowPostmaster {@code dnsbl_allow_postmaster}: postmaster@ still gets through the
     *                        block lists and the reverse DNS requirement (RFC 5321 4.5.1)
     * @param dnsTimeout      {@code dnsbl_timeout}: how long after connect the lists and the
     *                        reverse DNS may take; what has not answered by then counts as failed
     * @param requireFcrdns   {@code require_fcrdns}: refuse at RCPT a client without a
     *                        forward-confirmed host name (550 5.7.25; 450 4.7.25 when DNS failed)
     * @param greetingDelay   {@code greeting_delay}: wait this long before the 220 and refuse a
     *                        client that talks in the meantime (554 5.5.0); zero: off
     */
    public record ConnectionFiltering(List<dev.mailflow.server.protection.DnsList> blockLists,
                                      List<dev.mailflow.server.protection.DnsList> allowLists, int threshold,
                                      boolean allowPostmaster, Duration dnsTimeout, boolean requireFcrdns,
                                      Duration greetingDelay) {
        public static final Duration DEFAULT_DNS_TIMEOUT = Duration.ofSeconds(10);
        public static final ConnectionFiltering NONE = new ConnectionFiltering(List.of(), List.of(), 1, true,
                DEFAULT_DNS_TIMEOUT, false, Duration.ZERO);

        public ConnectionFiltering {
            blockLists = List.copyOf(blockLists);
            allowLists = List.copyOf(allowLists);
            if (threshold < 1) {
                throw new IllegalArgumentException("the threshold must be at least 1");
            }
        }

        /** Whether any DNS list is asked about clients. */
        public boolean hasLists() {
            return !blockLists.isEmpty() || !allowLists.isEmpty();
        }
    }

    /**
     * Rate limits per client address and per authenticated user, and greylisting; 0 is no
     * limit. Clients of our own (authenticated, relay_from) are exempt from the per-address
     * limits and from greylisting, never from the per-user limit.
     *
     * @param messagesPerHour      MAIL commands accepted from one client address (an IPv4
     *                             address or an IPv6 /64) in the last hour
     * @param recipientsPerHour    RCPT commands accepted from one client address in the last hour
     * @param userMessagesPerHour  MAIL commands of one authenticated user in the last hour, over
     *                             all connections and connectors
     * @param greylisting          greylist (client network, sender, recipient) triplets
     * @param greylistDelay        how long a new triplet waits
     * @param greylistRetryWindow  how long after the delay a retry still passes it
     * @param greylistExpiry       how long a passed triplet is remembered after it was last seen
     * @param connectionsPerMinute connections accepted from one client address in the last minute
     * @param tarpitAfterErrors    error replies (4xx, 5xx) on a connection after which each reply
     *                             waits {@code tarpitDelay} (Exchange's tarpitting); 0: never
     * @param tarpitDelay          the wait before each reply once tarpitting
     */
    public record RateLimits(int messagesPerHour, int recipientsPerHour, int userMessagesPerHour,
                             boolean greylisting, Duration greylistDelay, Duration greylistRetryWindow,
                             Duration greylistExpiry, int connectionsPerMinute, int tarpitAfterErrors,
                             Duration tarpitDelay) {
        public static final Duration DEFAULT_GREYLIST_DELAY = Duration.ofMinutes(5);
        public static final Duration DEFAULT_GREYLIST_RETRY_WINDOW = Duration.ofDays(1);
        public static final Duration DEFAULT_GREYLIST_EXPIRY = Duration.ofDays(36);
        public static final Duration DEFAULT_TARPIT_DELAY = Duration.ofSeconds(1);
        public static final RateLimits NONE = new RateLimits(0, 0, 0, false, DEFAULT_GREYLIST_DELAY,
                DEFAULT_GREYLIST_RETRY_WINDOW, DEFAULT_GREYLIST_EXPIRY, 0, 0, DEFAULT_TARPIT_DELAY);
    }

    /**
     * {@code mode = "simulate"}: a test rig's connector, whose replies to RCPT and to the end of
     * data are chosen by rules on the recipient's local part, and whose accepted mail all goes
     * to one mailbox for inspection (see {@code dev.mailflow.server.simulate}).
     *
     * @param on      the connector simulates
     * @param mailbox where accepted mail goes; null: the postmaster of the first accepted domain
     */
    public record Simulation(boolean on, dev.mailflow.smtp.MailAddress mailbox) {
        public static final Simulation OFF = new Simulation(false, null);
    }

    /** The milters the connector's mail passes through, in order ({@code milters}). */
    public record Milters(List<Milter> list) {
        public static final Milters NONE = new Milters(List.of());

        public Milters {
            list = List.copyOf(list);
        }
    }

    /**
     * One milter: where it listens ({@code inet:host:port} or {@code unix:/path}), what happens
     * to mail while it cannot be used, and how long each step may take (Postfix's
     * {@code milter_connect_timeout}, {@code milter_command_timeout}, {@code milter_content_timeout}).
     */
    public record Milter(String address, MilterDefaultAction defaultAction, Duration connectTimeout,
                         Duration commandTimeout, Duration contentTimeout) {
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
        public static final Duration DEFAULT_CONTENT_TIMEOUT = Duration.ofSeconds(300);
    }

    /** Postfix's {@code milter_default_action}: what a milter that is down or broken means for mail. */
    public enum MilterDefaultAction {
        /** 451 4.7.1: the client tries again later (the default). */
        TEMPFAIL,
        /** As if the milter were not configured. */
        ACCEPT,
        /** 550 5.7.1. */
        REJECT,
        /** Accepted into the hold queue, for the operator to release. */
        QUARANTINE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The same connector listening elsewhere. */
    public ConnectorConfig withBind(InetSocketAddress other) {
        return new ConnectorConfig(name, other, access, limits, timeouts, tlsPolicy, authPolicy, senderChecks, banner,
                protocolLog, filtering, rates, milters, simulation);
    }

    // What sessions ask most, without the group in between.

    public boolean anonymous() {
        return access.anonymous();
    }

    public long maxMessageSize() {
        return limits.maxMessageSize();
    }

    public int maxRecipients() {
        return limits.maxRecipients();
    }

    public int maxConnections() {
        return limits.maxConnections();
    }

    public int maxConnectionsPerIp() {
        return limits.maxConnectionsPerIp();
    }

    public int maxConnectionsPerNetwork() {
        return limits.maxConnectionsPerNetwork();
    }

    public int maxErrors() {
        return limits.maxErrors();
    }

    public Duration commandTimeout() {
        return timeouts.command();
    }

    public Duration dataTimeout() {
        return timeouts.data();
    }

    public long minDataRate() {
        return timeouts.minDataRate();
    }

    public Duration tlsHandshakeTimeout() {
        return timeouts.tlsHandshake();
    }

    public Tls tls() {
        return tlsPolicy.mode();
    }

    public boolean requireTls() {
        return tlsPolicy.required();
    }

    public boolean auth() {
        return authPolicy.offered();
    }

    public boolean allowInsecureAuth() {
        return authPolicy.allowInsecure();
    }

    public int maxAuthFailures() {
        return authPolicy.maxFailures();
    }

    /** Whether this connector answers a client at all. */
    public boolean admits(InetAddress client) {
        if (access.remoteRanges().isEmpty()) {
            return true;
        }
        for (var c : access.remoteRanges()) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a client may relay through this connector without authenticating. */
    public boolean mayRelay(InetAddress client) {
        for (var c : access.relayFrom()) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
