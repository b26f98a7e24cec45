package dev.mailflow.server;

import dev.mailflow.directory.Directory;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.smtp.BodyType;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.CommandParser;
import dev.mailflow.smtp.DataFraming;
import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.SmtpLimits;
import dev.mailflow.smtp.TextContentRules;
import dev.mailflow.smtp.Verb;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection, RFC 5321 with the extensions the EHLO reply lists. Everything here
 * runs in the connection's virtual thread (style.md, principle 8).
 *
 * <p>Each command: parse, check (sequence, table flags), policy hooks, proceed. Replies are
 * buffered and flushed whenever the server is about to wait for input that has not arrived
 * yet, which is what RFC 2920 PIPELINING asks of a server.
 */
final class Session implements SessionInfo {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /**
     * The reply buffer: replies are short (an EHLO reply is a few hundred octets; pipelined
     * replies go out when it is full or the input is drained), and every idle connection holds one.
     */
    private static final int REPLY_BUFFER = 1024;

    /** Services a session needs from its server. */
    record Context(String hostname, Directory directory, QueueStore store, List<PolicyHook> hooks,
                   ProtocolLog protocolLog, TrackingLog tracking, java.util.function.Consumer<QueuedMessage> queued,
                   Clock clock, int maxHops, dev.mailflow.server.tls.TlsContextProvider tls,
                   dev.mailflow.server.auth.AuthFailureLimiter authLimiter,
                   dev.mailflow.server.auth.PasswordVerifier passwords, ServerStats stats) {
    }

    private final ConnectorConfig connector;
    private final Context context;
    private Socket socket;
    private final String id;
    private final InetAddress clientAddress;
    private final String local;
    private final String remote;
    private final SmtpInput input;
    private OutputStream output;
    /** The TLS session once STARTTLS (or implicit TLS) succeeded, else null. */
    private javax.net.ssl.SSLSession tlsSession;
    private String authenticatedUser;
    /** The SASL mechanism of the successful AUTH (the milter's {@code {auth_type}}), or null. */
    private String authMechanism;
    private int authFailures;

    private String heloName;
    private boolean extended;
    private Transaction transaction;
    private int errors;
    /** Error replies (4xx and 5xx) on this connection, for tarpitting. */
    private int softErrors;
    private volatile boolean closing;
    /** How loaded the connector is, for the deadlines (see {@link Deadlines}). */
    private final java.util.function.BooleanSupplier busy;
    /** System.nanoTime() since which the session waits for a command line, or 0. */
    private volatile long waitingSince;
    /** System.nanoTime() since which the session reads message content (DATA, BDAT), or 0. */
    private volatile long transferSince;
    private volatile long transferStartOctets;
    /** Closed by the server to make room for a new client. */
    private volatile boolean evicted;
    /** The connector's hooks as this session uses them ({@link PolicyHook#forSession}). */
    private List<PolicyHook> hooks = List.of();
    private final java.util.Map<Class<?>, Object> notes = new java.util.HashMap<>();

    Session(ConnectorConfig connector, Context context, Socket socket, String id,
            java.util.function.BooleanSupplier busy) throws IOException {
        this.connector = connector;
        this.busy = busy;
        this.context = context;
        this.socket = socket;
        this.id = id;
        var remoteAddress = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.clientAddress = remoteAddress.getAddress();
        this.local = Endpoints.format((InetSocketAddress) socket.getLocalSocketAddress());
        this.remote = Endpoints.format(remoteAddress);
        this.input = new SmtpInput(socket.getInputStream(), millis -> this.socket.setSoTimeout(millis));
        this.output = new BufferedOutputStream(socket.getOutputStream(), REPLY_BUFFER);
    }

    @Override
    public ConnectorConfig connector() {
        return connector;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public String tls() {
        return tlsSession == null ? null : tlsSession.getProtocol() + " " + tlsSession.getCipherSuite();
    }

    @Override
    public <T> void note(Class<T> type, T value) {
        notes.put(type, value);
    }

    @Override
    public <T> T noted(Class<T> type) {
        return type.cast(notes.get(type));
    }

    @Override
    public void protocolLog(String text) {
        log('*', text);
    }

    @Override
    public InetAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public String authMechanism() {
        return authMechanism;
    }

    @Override
    public int clientPort() {
        return socket == null ? 0 : socket.getPort();
    }

    @Override
    public String heloName() {
        return heloName;
    }

    @Override
    public String authenticatedUser() {
        return authenticatedUser;
    }

    private boolean tlsOffered() {
        return context.tls() != null && connector.tls() != ConnectorConfig.Tls.OFF;
    }

    private boolean authOffered() {
        return connector.auth() && authenticatedUser == null
                && (tlsSession != null || connector.allowInsecureAuth());
    }

    /** Sends a reply and closes: for connections refused before the conversation starts. */
    void refuse(Reply reply) {
        log('+', "");
        try {
            send(reply);
            output.flush();
        } catch (IOException e) {
            LOG.debug("{}: refusing connection: {}", id, e.toString());
        }
        log('-', "refused");
    }

    void run() {
        log('+', "");
        String how = "client closed the connection";
        try {
            if (connector.tls() == ConnectorConfig.Tls.IMPLICIT) {
                // RFC 8314: TLS from the first byte, then the usual greeting.
                if (!startTlsHandshake()) {
                    how = "TLS handshake failed";
                    return;
                }
            }
            hooks = context.hooks().stream().map(hook -> hook.forSession(this)).toList();
            var atConnect = decide(null, hook -> hook.onConnect(this));
            if (atConnect instanceof PolicyVerdict.Refusal refusal) {
                recordRejection(refusal, null, List.of());
                send(refusal.reply());
                how = "refused at connect: " + refusal.reply().lines().get(0);
                return;
            }
            int early = talksBeforeGreeting();
            if (early != 0 || closing) {
                how = early > 0 ? "refused: talked before the greeting" : early < 0
                        ? "client closed the connection before the greeting" : how;
                return;
            }
            send(Reply.serviceReady(context.hostname(), connector.banner(), ZonedDateTime.now(context.clock())));
            while (!closing) {
                var line = readCommandLine();
                if (line == null) {
                    break;
                }
                handleLine(line);
                if (!closing && heloName != null && !extended && input.hasBufferedInput()) {
                    // SECURITY: HELO offers no PIPELINING (RFC 2920); a client that sends ahead
                    // anyway is not a real SMTP client (Postfix: smtpd_forbid_unauth_pipelining).
                    synchronizationError("commands pipelined after HELO");
                }
            }
            if (closing) {
                how = "server closed the connection";
            }
        } catch (SocketTimeoutException e) {
            how = "timeout";
            sendQuietly(Reply.timeout(context.hostname()));
        } catch (IOException e) {
            how = evicted ? how : "connection lost: " + e.getMessage();
        } catch (RuntimeException e) {
            // Never a stack trace to the client; the session ends with a temporary error.
            LOG.error("{}: unexpected error, closing the connection", id, e);
            how = "internal error";
            sendQuietly(Reply.LOCAL_ERROR);
        } finally {
            if (evicted) {
                how = "closed to make room for a new client (the connector is busy)";
                sendQuietly(Reply.idleConnectionClosed(context.hostname()));
            }
            endTransaction();
            for (var hook : hooks) {
                try {
                    hook.onClose(this);
                } catch (RuntimeException e) {
                    LOG.error("{}: a policy hook failed at the end of the connection", id, e);
                }
            }
            log('-', how);
        }
    }

    /**
     * Postscreen's pregreet test: on a connector with a {@code greeting_delay}, the 220 waits
     * that long, and a client that sends anything meanwhile (an early talker: spam software
     * that does not wait for its turn, RFC 5321 4.3.1) is refused with 554 5.5.0 and
     * disconnected. On an implicit TLS connector the wait starts after the handshake, where
     * the 220 would be; {@code relay_from} clients do not wait.
     *
     * @return 1 when the client talked and was refused, -1 when it closed meanwhile, else 0
     */
    private int talksBeforeGreeting() throws IOException {
        Duration delay = connector.filtering().greetingDelay();
        if (!delay.isPositive() || connector.mayRelay(clientAddress)) {
            return 0;
        }
        long start = System.nanoTime();
        int arrived;
        waitingSince = start;
        try {
            arrived = input.awaitInput(delay);
        } finally {
            waitingSince = 0;
        }
        if (arrived <= 0) {
            return arrived;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        log('*', "talked before the greeting, " + millis + " ms into the " + delay.toMillis() + " ms greeting delay: "
                + input.bufferedPreview(100));
        var refusal = new PolicyVerdict.Disconnect(Reply.pregreet(clientAddress.getHostAddress()), Check.PREGREET,
                "greeting delay " + delay.toMillis() + " ms");
        recordRejection(refusal, null, List.of());
        closing = true;
        send(refusal.reply());
        return 1;
    }

    /**
     * When this session began waiting for its next command line (System.nanoTime()), or 0
     * while it is doing something else: the idlest session is the first closed when the
     * connector is full.
     */
    long waitingSince() {
        return waitingSince;
    }

    /**
     * When this session's message transfer began, if it has lasted over
     * {@link Deadlines#EVICT_IDLE_AFTER} below {@link Deadlines#BUSY_MIN_DATA_RATE} on average;
     * else 0.
     */
    long slowTransferSince(long now) {
        long since = transferSince;
        if (since == 0 || now - since < Deadlines.EVICT_IDLE_AFTER.toNanos()) {
            return 0;
        }
        double seconds = (now - since) / 1e9;
        return (input.octetsRead() - transferStartOctets) / seconds < Deadlines.BUSY_MIN_DATA_RATE ? since : 0;
    }

    /**
     * Closes the session to make room for a new client, from another thread: its read ends,
     * and the session says 421 and closes. Only while it waits for a command (nothing lost).
     */
    boolean evict() {
        if ((waitingSince == 0 && transferSince == 0) || closing) {
            return false;
        }
        evicted = true;
        closing = true;
        try {
            socket.shutdownInput();
        } catch (IOException | UnsupportedOperationException e) {
            try {
                socket.close();
            } catch (IOException again) {
                LOG.debug("{}: closing: {}", id, again.toString());
            }
        }
        return true;
    }

    /**
     * Ends the session from another thread (server shutdown): closing the socket wakes a
     * blocked read. Threads are not interrupted, so a commit in progress completes.
     */
    void shutdown() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("{}: closing: {}", id, e.toString());
        }
    }

    private SmtpInput.Line readCommandLine() throws IOException {
        flushIfIdle();
        input.deadline(Deadlines.command(connector, busy.getAsBoolean()));
        SmtpInput.Line line;
        waitingSince = System.nanoTime();
        try {
            line = input.readLine();
        } finally {
            waitingSince = 0;
        }
        if (line == null) {
            return null;
        }
        log('<', line.text() != null ? masked(line.text()) : line.tooLong() ? "(line too long)" : "(invalid UTF-8)");
        return line;
    }

    /** SECURITY: an AUTH initial response holds credentials; the log gets the mechanism only. */
    private static String masked(String line) {
        if (line.length() > 5 && line.regionMatches(true, 0, "AUTH ", 0, 5)) {
            String[] parts = line.split(" +");
            return parts.length > 2 ? parts[0] + " " + parts[1] + " (credentials not logged)" : line;
        }
        return line;
    }

    private void handleLine(SmtpInput.Line line) throws IOException {
        if (line.tooLong()) {
            reply(Reply.LINE_TOO_LONG);
            return;
        }
        if (line.badEncoding()) {
            reply(Reply.INVALID_CHARACTER);
            return;
        }
        String text = line.text();
        if (CommandParser.isHttpRequest(text)) {
            send(Reply.httpOnSmtpPort(context.hostname()));
            closing = true;
            return;
        }
        if (utf8Length(text) + 2 > SmtpLimits.commandLineOctets(text)) {
            reply(Reply.LINE_TOO_LONG);
            return;
        }
        dispatch(CommandParser.parse(text));
    }

    /** The 503 a command of this verb gets now whatever its arguments, or null. */
    private Reply sequenceError(Verb verb) {
        if (verb == null) {
            return null;
        }
        if (verb.needsHello() && heloName == null) {
            return Reply.SEND_HELLO_FIRST;
        }
        if (transaction != null && !verb.allowedInTransaction()) {
            return verb == Verb.MAIL ? Reply.SENDER_ALREADY_GIVEN : Reply.NEED_MAIL_FINISHED;
        }
        return null;
    }

    private void dispatch(Command command) throws IOException {
        if (command instanceof Command.Invalid invalid) {
            if (invalid.bdatSize() >= 0) {
                skipChunk(invalid.bdatSize());
            }
            // Out of sequence is said first, whatever the arguments (Postfix and Exchange do too).
            Reply sequence = sequenceError(invalid.attempted());
            reply(sequence != null ? sequence : invalid.reply());
            return;
        }
        Reply sequence = sequenceError(command.verb());
        if (sequence != null) {
            skipChunkOf(command);
            reply(sequence);
            return;
        }
        try {
            run(command);
        } catch (dev.mailflow.directory.DirectoryUnavailable e) {
            // The directory's database or server is down: the client tries again later; a
            // missing answer is never a "no such user" (RFC 5321 4.2.5: 451 for a local error).
            LOG.warn("{}: {}: {}", id, command.verb(), e.getMessage());
            log('*', "directory unavailable: " + e.getMessage());
            reply(command instanceof Command.Auth ? Reply.AUTH_TEMPORARY_FAILURE : Reply.DIRECTORY_UNAVAILABLE);
        }
    }

    private void run(Command command) throws IOException {
        switch (command) {
            case Command.Helo helo -> hello(helo.domain(), false);
            case Command.Ehlo ehlo -> hello(ehlo.domain(), true);
            case Command.Mail mail -> mail(mail);
            case Command.Rcpt rcpt -> rcpt(rcpt);
            case Command.Data data -> data();
            case Command.Bdat bdat -> bdat(bdat);
            case Command.Rset rset -> {
                endTransaction();
                reply(Reply.RESET);
            }
            case Command.Noop noop -> reply(Reply.OK);
            case Command.Quit quit -> {
                send(Reply.CLOSING);
                closing = true;
            }
            case Command.Help help -> reply(Reply.help(context.hostname()));
            case Command.Vrfy vrfy -> reply(Reply.CANNOT_VRFY);
            case Command.StartTls startTls -> startTls();
            case Command.Auth auth -> auth(auth);
            case Command.Invalid invalid -> throw new AssertionError("handled above");
        }
    }

    // ---- HELO / EHLO ------------------------------------------------------------------

    private void hello(String domain, boolean ehlo) throws IOException {
        endTransaction();
        if (refused(decide(null, hook -> hook.onHelo(this, domain)), null, null)) {
            return;
        }
        heloName = domain;
        extended = ehlo;
        String client = clientAddress.getHostAddress();
        reply(ehlo ? Reply.ehlo(context.hostname(), client, extensions()) : Reply.helo(context.hostname(), client));
    }

    /** The EHLO keywords, in the order of the seeds' reference session. */
    private List<String> extensions() {
        var list = new ArrayList<String>();
        list.add("SIZE " + connector.maxMessageSize());
        list.add("PIPELINING");
        list.add("DSN");
        list.add("ENHANCEDSTATUSCODES");
        if (tlsOffered() && tlsSession == null) {
            list.add("STARTTLS");
        }
        if (authOffered()) {
            list.add("AUTH PLAIN LOGIN");
        }
        list.add("8BITMIME");
        list.add("BINARYMIME");
        list.add("CHUNKING");
        list.add("SMTPUTF8");
        return list;
    }

    // ---- MAIL / RCPT ------------------------------------------------------------------

    private void mail(Command.Mail mail) throws IOException {
        if (connector.requireTls() && tlsSession == null) {
            reply(Reply.MUST_ISSUE_STARTTLS);
            return;
        }
        var opened = new Transaction(mail.sender(), mail.parameters());
        if (refused(decide(opened, hook -> hook.onMail(this, opened, mail)), opened, null)) {
            for (var hook : hooks) {
                hook.onReset(this, opened);
            }
            return;
        }
        transaction = opened;
        reply(Reply.SENDER_OK);
    }

    private void rcpt(Command.Rcpt rcpt) throws IOException {
        if (transaction == null) {
            reply(Reply.NEED_MAIL);
            return;
        }
        if (transaction.content() != null) {
            reply(Reply.NEED_MAIL_FINISHED);
            return;
        }
        if (rcpt.recipient().isInternationalized() && !transaction.parameters().smtpUtf8()) {
            reply(Reply.UTF8_ADDRESS_WITHOUT_SMTPUTF8);
            return;
        }
        if (transaction.recipientCount() >= connector.maxRecipients()) {
            refused(new PolicyVerdict.TempFail(Reply.TOO_MANY_RECIPIENTS, Check.RATE_LIMIT,
                    "recipients per message (" + connector.maxRecipients() + ")"), transaction, rcpt.recipient());
            return;
        }
        var tx = transaction;
        if (refused(decide(tx, hook -> hook.onRcpt(this, tx, rcpt)), tx, rcpt.recipient())) {
            return;
        }
        transaction.addRecipient(new EnvelopeRecipient(rcpt.recipient(), rcpt.parameters()));
        reply(Reply.RECIPIENT_OK);
    }

    /**
     * Runs the hooks in order until one decides; a {@link PolicyVerdict.Hold} marks the
     * transaction (when there is one) and lets the next hook decide. NEXT when none decided.
     */
    private PolicyVerdict decide(Transaction tx, java.util.function.Function<PolicyHook, PolicyVerdict> stage) {
        try {
            return decide(tx, stage, null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An action after each hook of a stage (the end of data applies the hook's edits). */
    private interface AfterHook {
        void run() throws IOException;
    }

    /**
     * Runs the hooks in order until one decides. After an {@link PolicyVerdict.Accept} the
     * content filters ({@link PolicyHook#contentFilter}) still run: a milter sees every stage
     * the policies let through, as Postfix's milters follow smtpd's restrictions.
     */
    private PolicyVerdict decide(Transaction tx, java.util.function.Function<PolicyHook, PolicyVerdict> stage,
                                 AfterHook after) throws IOException {
        PolicyVerdict accepted = null;
        for (var hook : hooks) {
            if (accepted != null && !hook.contentFilter()) {
                continue;
            }
            var verdict = stage.apply(hook);
            if (after != null) {
                after.run();
            }
            if (verdict instanceof PolicyVerdict.Hold hold) {
                if (tx != null) {
                    tx.hold(hold.reason());
                }
                continue;
            }
            if (verdict instanceof PolicyVerdict.Discard discard) {
                if (tx != null) {
                    tx.discard(discard.reason());
                }
                continue;
            }
            if (verdict instanceof PolicyVerdict.Accept) {
                accepted = accepted == null ? verdict : accepted;
                continue;
            }
            if (!(verdict instanceof PolicyVerdict.Next)) {
                return verdict;
            }
        }
        return accepted != null ? accepted : PolicyVerdict.NEXT;
    }

    /**
     * Applies a refusing verdict, says so and records it (tracking log, metrics); false for a
     * verdict that lets the command proceed.
     *
     * @param tx        the transaction the command belongs to, or null
     * @param recipient the recipient refused (at RCPT), or null
     */
    private boolean refused(PolicyVerdict verdict, Transaction tx, dev.mailflow.smtp.MailAddress recipient)
            throws IOException {
        if (!(verdict instanceof PolicyVerdict.Refusal refusal)) {
            return false;
        }
        var recipients = recipient != null ? List.of(recipient.toString())
                : tx == null ? List.<String>of() : tx.recipients().stream().map(r -> r.address().toString()).toList();
        recordRejection(refusal, tx, recipients);
        if (refusal instanceof PolicyVerdict.Disconnect d) {
            send(d.reply());
            closing = true;
        } else {
            reply(refusal.reply());
        }
        return true;
    }

    /**
     * A REJECT event in the tracking log with the check that refused, counted for the metrics;
     * checks of our own clients' commands (sequence, syntax) are not rejections of mail and
     * are not recorded.
     */
    private void recordRejection(PolicyVerdict.Refusal refusal, Transaction tx, List<String> recipients) {
        context.stats().rejected(refusal.check());
        log('*', "refused by " + refusal.describe());
        if (context.tracking() == null) {
            return;
        }
        var status = refusal.reply().status();
        context.tracking().write(new TrackingEvent(context.clock().instant(), "REJECT",
                tx != null && tx.content() != null ? tx.content().id() : 0, null,
                tx == null ? null : tx.sender().toString(), recipients, connector.name(),
                clientAddress.getHostAddress(), null, status == null ? null : status.toString(),
                refusal.reply().lines().get(0), null, null, null, refusal.describe()));
    }

    // ---- DATA (RFC 5321 4.1.1.4) ------------------------------------------------------

    private void data() throws IOException {
        if (input.hasBufferedInput()) {
            // SECURITY (RFC 2920 3.1): DATA ends a pipelined group; nothing may follow it before
            // its reply, whether that is the 354 or a refusal. Text sent ahead would be taken as
            // commands, then as message (Postfix: protocol synchronization).
            synchronizationError("data sent before the reply to DATA");
            return;
        }
        if (transaction == null) {
            reply(Reply.NEED_MAIL);
            return;
        }
        if (transaction.chunking()) {
            reply(Reply.DATA_AFTER_BDAT);
            return;
        }
        if (transaction.recipientCount() == 0) {
            reply(Reply.NO_VALID_RECIPIENTS);
            return;
        }
        if (transaction.parameters().bodyOrDefault() == BodyType.BINARY_MIME) {
            reply(Reply.BINARYMIME_NEEDS_BDAT);
            return;
        }
        var tx = transaction;
        if (refused(decide(tx, hook -> hook.onData(this, tx)), tx, null)) {
            endTransaction();
            return;
        }
        // 354 first: the client sends while the queue file is being created.
        send(Reply.START_MAIL_INPUT);
        flushIfIdle();
        QueueStore.Incoming incoming;
        try {
            incoming = context.store().begin();
        } catch (IOException e) {
            LOG.error("{}: cannot queue the message: {}", id, queueProblem(e));
            dataDeadline();
            input.readData(new DataFraming(null, connector.maxMessageSize()));
            endTransaction();
            reply(Reply.LOCAL_ERROR);
            return;
        }
        transaction.startContent(incoming, false);
        resultsFilter = new ForgedResultsFilter(incoming.content(), context.hostname());
        var capture = new HeaderCapture(resultsFilter);
        var framing = new DataFraming(capture, connector.maxMessageSize());
        dataDeadline();
        transferring(true);
        try {
            input.readData(framing);
        } finally {
            transferring(false);
        }
        var outcome = framing.outcome();
        log('*', outcome.size() + " octets of message content (not logged)");
        Reply refusal = outcome.refusal();
        if (refusal != null) {
            if (outcome.sinkFailure() != null) {
                LOG.error("{}: writing the queue file failed: {}", id, outcome.sinkFailure().toString());
            }
            endTransaction();
            reply(refusal);
            return;
        }
        commit(capture, outcome.size());
    }

    /** Refuses a client that does not wait for replies, and closes (RFC 2920 3.1). */
    private void synchronizationError(String what) throws IOException {
        log('*', "protocol synchronization error: " + what);
        endTransaction();
        closing = true;
        send(Reply.PROTOCOL_SYNCHRONIZATION);
    }

    // ---- BDAT (RFC 3030) --------------------------------------------------------------

    private void bdat(Command.Bdat bdat) throws IOException {
        if (transaction == null) {
            skipChunk(bdat.size());
            reply(Reply.NEED_MAIL);
            return;
        }
        if (transaction.recipientCount() == 0) {
            skipChunk(bdat.size());
            reply(Reply.NO_VALID_RECIPIENTS);
            return;
        }
        if (transaction.content() == null) {
            var tx = transaction;
            var atData = decide(tx, hook -> hook.onData(this, tx));
            if (atData instanceof PolicyVerdict.Refusal) {
                skipChunk(bdat.size());
                refused(atData, tx, null);
                endTransaction();
                return;
            }
            try {
                transaction.startContent(context.store().begin(), true);
            } catch (IOException e) {
                LOG.error("{}: cannot queue the message: {}", id, queueProblem(e));
                skipChunk(bdat.size());
                endTransaction();
                reply(Reply.LOCAL_ERROR);
                return;
            }
            resultsFilter = new ForgedResultsFilter(transaction.content().content(), context.hostname());
            chunkCapture = new HeaderCapture(resultsFilter);
            chunkRules = transaction.parameters().bodyOrDefault() == BodyType.BINARY_MIME ? null
                    : new TextContentRules();
        }
        boolean tooBig = transaction.chunkedSize() + bdat.size() > connector.maxMessageSize();
        flushIfIdle();
        dataDeadline();
        transferring(true);
        IOException failure;
        try {
            failure = input.readChunk(bdat.size(), tooBig ? null : chunkRules == null ? chunkCapture
                    : new CheckedSink(chunkCapture, chunkRules));
        } finally {
            transferring(false);
        }
        log('*', bdat.size() + " octets of message content (not logged)");
        if (chunkRules != null && !tooBig && failure == null) {
            if (bdat.last()) {
                chunkRules.end();
            }
            Reply refusal = chunkRules.refusal();
            if (refusal != null) {
                // RFC 3030 2: after a failed chunk the transaction is over.
                endTransaction();
                reply(refusal);
                return;
            }
        }
        if (bdat.last() && bdat.size() == 0 && transaction.chunkedSize() == 0 && !tooBig && failure == null) {
            endTransaction();
            reply(Reply.EMPTY_MESSAGE);
            return;
        }
        if (tooBig || failure != null) {
            // RFC 3030 2: after a failed chunk the transaction is over.
            if (failure != null) {
                LOG.error("{}: writing the queue file failed: {}", id, failure.toString());
            }
            endTransaction();
            reply(tooBig ? Reply.MESSAGE_TOO_BIG : Reply.LOCAL_ERROR);
            return;
        }
        transaction.addChunk(bdat.size());
        if (!bdat.last()) {
            reply(Reply.chunkReceived(bdat.size()));
            return;
        }
        commit(chunkCapture, transaction.chunkedSize());
    }

    private HeaderCapture chunkCapture;
    /** Between the capture and the queue file: drops forged Authentication-Results. */
    private ForgedResultsFilter resultsFilter;
    /** The text rules the chunks obey, or null for BODY=BINARYMIME. */
    private TextContentRules chunkRules;

    /** A chunk's octets to the capture, seen by the text rules on the way. */
    private static final class CheckedSink extends OutputStream {
        private final OutputStream sink;
        private final TextContentRules rules;

        CheckedSink(OutputStream sink, TextContentRules rules) {
            this.sink = sink;
            this.rules = rules;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            rules.feed(b, off, len);
            sink.write(b, off, len);
        }
    }

    private void skipChunkOf(Command command) throws IOException {
        if (command instanceof Command.Bdat bdat) {
            skipChunk(bdat.size());
        }
    }

    private void skipChunk(long size) throws IOException {
        dataDeadline();
        input.readChunk(size, null);
    }

    /** Marks the start or end of a message transfer, for {@link #slowTransferSince}. */
    private void transferring(boolean on) {
        if (on) {
            transferStartOctets = input.octetsRead();
            transferSince = System.nanoTime();
        } else {
            transferSince = 0;
        }
    }

    /** DATA or a BDAT chunk: the data timeout, extended at the minimum data rate. */
    private void dataDeadline() {
        input.deadline(Deadlines.data(connector, busy.getAsBoolean()), connector.minDataRate());
    }

    // ---- End of data --------------------------------------------------------------------

    private void commit(HeaderCapture capture, long size) throws IOException {
        if (capture.receivedCount() > context.maxHops()) {
            refused(new PolicyVerdict.Reject(Reply.TOO_MANY_HOPS, Check.LOOP,
                    capture.receivedCount() + " Received fields"), transaction, null);
            endTransaction();
            return;
        }
        var tx = transaction;
        var incoming = tx.content();
        try {
            resultsFilter.finish();
        } catch (IOException e) {
            LOG.error("{}: writing the queue file failed: {}", id, e.toString());
            endTransaction();
            reply(Reply.LOCAL_ERROR);
            return;
        }
        if (resultsFilter.removed() > 0) {
            log('*', "removed " + resultsFilter.removed() + " Authentication-Results field(s) claiming "
                    + context.hostname() + " (RFC 8601 5)");
        }
        // What was queued: the content as received, less any field the filter dropped.
        long queuedSize = size - resultsFilter.removedOctets();
        var message = new MessageAtEnd(tx, incoming, queuedSize);
        PolicyVerdict atEnd;
        try {
            atEnd = decide(tx, hook -> hook.onEndOfData(this, tx, message), message::applyEdits);
        } catch (IOException e) {
            LOG.error("{}: applying a filter's edits to message {} failed: {}", id, incoming.id(), e.toString());
            endTransaction();
            reply(Reply.LOCAL_ERROR);
            return;
        }
        if (!(atEnd instanceof PolicyVerdict.Next) && !(atEnd instanceof PolicyVerdict.Accept)) {
            refused(atEnd, tx, null);
            endTransaction();
            return;
        }
        if (message.edited()) {
            // A filter's edits may have added the Message-ID or Date: read the header again.
            queuedSize = message.size();
            capture = HeaderCapture.of(incoming);
        }
        if (tx.recipientCount() == 0 && tx.discardReason() == null) {
            // A filter removed every recipient: nobody is left to deliver to.
            tx.discard("every recipient removed by a filter");
        }
        String messageId = capture.messageId();
        boolean generated = messageId == null;
        if (generated) {
            messageId = "<" + UUID.randomUUID() + "@" + context.hostname() + ">";
        }
        if (tx.discardReason() != null) {
            discarded(tx, messageId, queuedSize);
            return;
        }
        var envelope = new Envelope(incoming.id(), messageId, generated, context.clock().instant(),
                connector.name(), clientAddress.getHostAddress(), heloName, protocol(),
                tx.sender(), tx.parameters(), tx.recipients(), queuedSize,
                tlsSession == null ? null : tlsSession.getProtocol() + " " + tlsSession.getCipherSuite(),
                authenticatedUser, !connector.anonymous() && !capture.hasHeader("Date"), tx.addedHeaders(),
                tx.noted(dev.mailflow.queue.AuthSummary.class), connector.mayRelay(clientAddress));
        QueuedMessage queued;
        try {
            queued = incoming.commit(envelope);
        } catch (IOException e) {
            LOG.error("{}: could not make message {} durable: {}", id, incoming.id(), e.toString());
            transaction = null;
            chunkCapture = null;
            reply(Reply.LOCAL_ERROR);
            return;
        }
        transaction = null;
        chunkCapture = null;
        resultsFilter = null;
        if (tx.holdReason() != null) {
            try {
                queued = context.store().update(queued, dev.mailflow.queue.QueueState.HOLD,
                        queued.status().held(tx.holdReason()));
            } catch (IOException e) {
                // Committed already: it is delivered as if it had not been held, never lost.
                LOG.error("{}: could not put message {} on hold ({}): {}", id, incoming.id(), tx.holdReason(),
                        e.toString());
            }
        }
        LOG.debug("{}: queued {} {} from <{}> to {} recipient(s), {} octets", id, incoming.id(), messageId,
                tx.sender(), tx.recipientCount(), queuedSize);
        if (context.tracking() != null) {
            context.tracking().write(new TrackingEvent(envelope.receivedAt(), "RECEIVE", envelope.internalId(),
                    messageId, envelope.sender().toString(),
                    envelope.recipients().stream().map(r -> r.address().toString()).toList(), connector.name(),
                    envelope.clientAddress(), queuedSize, "2.6.0", tx.filterResults().isEmpty() ? "queued"
                    : "queued; " + String.join("; ", tx.filterResults()), null, envelope.authentication()));
            if (queued.state() == dev.mailflow.queue.QueueState.HOLD) {
                context.tracking().write(new TrackingEvent(envelope.receivedAt(), "HOLD", envelope.internalId(),
                        messageId, envelope.sender().toString(), List.of(), connector.name(),
                        envelope.clientAddress(), null, null, tx.holdReason(), null));
            }
        }
        if (envelope.authentication() != null) {
            log('*', "authentication: " + envelope.authentication().brief());
        }
        reply(Reply.queued(messageId, incoming.id(), context.hostname()));
        if (queued.state() != dev.mailflow.queue.QueueState.HOLD) {
            context.queued().accept(queued);
        }
    }

    /**
     * A message a filter discarded: the client gets its 250 (it must not retry), nothing is
     * queued, and the tracking log says who threw it away.
     */
    private void discarded(Transaction tx, String messageId, long size) throws IOException {
        long queueId = tx.content().id();
        var recipients = tx.recipients().stream().map(r -> r.address().toString()).toList();
        log('*', "message discarded: " + tx.discardReason());
        if (context.tracking() != null) {
            context.tracking().write(new TrackingEvent(context.clock().instant(), "DISCARD", queueId, messageId,
                    tx.sender().toString(), recipients, connector.name(), clientAddress.getHostAddress(), size,
                    "2.6.0", "accepted and discarded", null, null, null, tx.discardReason()));
        }
        endTransaction();
        reply(Reply.queued(messageId, queueId, context.hostname()));
    }

    /** The "with" of the Received header (RFC 3848): ESMTP, ESMTPS, ESMTPA, ESMTPSA, or SMTP. */
    private String protocol() {
        if (!extended) {
            return "SMTP";
        }
        return "ESMTP" + (tlsSession != null ? "S" : "") + (authenticatedUser != null ? "A" : "");
    }

    // ---- STARTTLS (RFC 3207) ----------------------------------------------------------

    private void startTls() throws IOException {
        if (!tlsOffered()) {
            reply(Reply.NOT_IMPLEMENTED);
            return;
        }
        if (tlsSession != null) {
            reply(Reply.TLS_ALREADY_ACTIVE);
            return;
        }
        send(Reply.READY_TO_START_TLS);
        output.flush();
        if (!startTlsHandshake()) {
            closing = true;
            return;
        }
        // RFC 3207 4.2: forget everything learned before TLS; the client starts again with EHLO.
        endTransaction();
        heloName = null;
        extended = false;
    }

    /**
     * The TLS handshake on the connection. SECURITY (CVE-2011-0411): whatever the client sent
     * after STARTTLS and before the handshake is thrown away with the plaintext buffer.
     */
    private boolean startTlsHandshake() throws IOException {
        var ssl = context.tls().wrap(socket);
        Duration limit = Deadlines.tlsHandshake(connector, busy.getAsBoolean());
        ssl.setSoTimeout(timeoutMillis(limit));
        // SECURITY: a deadline for the whole handshake; the read timeout alone is renewed by
        // every octet of a ClientHello sent one at a time.
        var watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(limit);
                LOG.debug("{}: TLS handshake not done within {}", id, limit);
                ssl.close();
            } catch (InterruptedException done) {
                // the handshake ended in time
            } catch (IOException e) {
                LOG.debug("{}: closing: {}", id, e.toString());
            }
        });
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            log('*', "TLS handshake failed: " + (watchdog.isAlive() ? e.getMessage() : "not done within " + limit));
            LOG.debug("{}: TLS handshake failed: {}", id, e.toString());
            return false;
        } finally {
            watchdog.interrupt();
        }
        socket = ssl;
        tlsSession = ssl.getSession();
        context.stats().tlsHandshakes.incrementAndGet();
        input.discardBuffered(ssl.getInputStream());
        output = new BufferedOutputStream(ssl.getOutputStream(), REPLY_BUFFER);
        log('*', "TLS " + tlsSession.getProtocol() + " " + tlsSession.getCipherSuite());
        return true;
    }

    // ---- AUTH (RFC 4954) ----------------------------------------------------------------

    private void auth(Command.Auth auth) throws IOException {
        if (!connector.auth()) {
            reply(Reply.NOT_IMPLEMENTED);
            return;
        }
        if (authenticatedUser != null) {
            reply(Reply.ALREADY_AUTHENTICATED);
            return;
        }
        if (tlsSession == null && !connector.allowInsecureAuth()) {
            reply(Reply.ENCRYPTION_REQUIRED_FOR_AUTH);
            return;
        }
        if (context.authLimiter().addressBlocked(clientAddress)) {
            log('*', "authentication refused: too many failures from this address");
            reply(Reply.AUTH_TEMPORARILY_BLOCKED);
            return;
        }
        String user;
        String password;
        boolean authorizationOk = true;
        switch (auth.mechanism()) {
            case "PLAIN" -> {
                String response = auth.initialResponse() != null ? auth.initialResponse() : saslChallenge("");
                if (response == null) {
                    return;
                }
                byte[] decoded = decode(response);
                if (decoded == null) {
                    reply(Reply.AUTH_BAD_ENCODING);
                    return;
                }
                String[] parts = new String(decoded, java.nio.charset.StandardCharsets.UTF_8).split("\0", -1);
                if (parts.length != 3) {
                    reply(Reply.AUTH_BAD_ENCODING);
                    return;
                }
                // RFC 4616 2: acting for another identity (authzid) is not offered.
                authorizationOk = parts[0].isEmpty() || parts[0].equals(parts[1]);
                user = parts[1];
                password = parts[2];
            }
            case "LOGIN" -> {
                String first = auth.initialResponse() != null ? auth.initialResponse() : saslChallenge("VXNlcm5hbWU6");
                if (first == null) {
                    return;
                }
                byte[] u = decode(first);
                if (u == null) {
                    reply(Reply.AUTH_BAD_ENCODING);
                    return;
                }
                String second = saslChallenge("UGFzc3dvcmQ6");
                if (second == null) {
                    return;
                }
                byte[] p = decode(second);
                if (p == null) {
                    reply(Reply.AUTH_BAD_ENCODING);
                    return;
                }
                user = new String(u, java.nio.charset.StandardCharsets.UTF_8);
                password = new String(p, java.nio.charset.StandardCharsets.UTF_8);
            }
            default -> {
                reply(Reply.AUTH_MECHANISM_UNKNOWN);
                return;
            }
        }
        checkCredentials(user, password, authorizationOk, auth.mechanism());
    }

    /**
     * One password check: refused unchecked at the limits of the client's network or of the
     * account, 454 at once when the password checks are busy, else 235 or 535. SECURITY: the
     * check runs off this thread and costs one bcrypt whether the account exists or not
     * ({@link dev.mailflow.server.auth.PasswordVerifier}), or, for a directory that checks
     * passwords itself, one bind whether the account exists or not (454 when its server is
     * down); no success clears a failure count
     * ({@link dev.mailflow.server.auth.AuthFailureLimiter}).
     */
    private void checkCredentials(String user, String password, boolean authorizationOk, String mechanism)
            throws IOException {
        var address = dev.mailflow.smtp.AddressParser.parseMailbox(user, true);
        var directory = context.directory();
        // A directory that checks passwords itself (an LDAP bind) is asked after the limits below.
        var mailbox = address == null || directory.checksPasswords() ? null : directory.mailbox(address);
        var attempt = context.authLimiter().begin(clientAddress, address == null ? user : address.key());
        if (attempt.refusal() == dev.mailflow.server.auth.AuthFailureLimiter.Refusal.ADDRESS) {
            log('*', "authentication refused: too many failures from this address");
            reply(Reply.AUTH_TEMPORARILY_BLOCKED);
            return;
        }
        if (attempt.refusal() == dev.mailflow.server.auth.AuthFailureLimiter.Refusal.ACCOUNT) {
            log('*', "authentication refused: too many failures for this account");
            reply(Reply.AUTH_ACCOUNT_TEMPORARILY_BLOCKED);
            return;
        }
        dev.mailflow.server.auth.PasswordVerifier.Outcome outcome;
        if (directory.checksPasswords()) {
            try {
                mailbox = directory.authenticate(address, password);
            } catch (dev.mailflow.directory.DirectoryUnavailable e) {
                attempt.abandoned(); // not a failure of the client's: 454 4.7.0, try again later
                throw e;
            }
            outcome = mailbox != null ? dev.mailflow.server.auth.PasswordVerifier.Outcome.MATCH
                    : dev.mailflow.server.auth.PasswordVerifier.Outcome.MISMATCH;
        } else {
            outcome = context.passwords().verify(mailbox == null ? null : mailbox.password(), password);
        }
        if (outcome == dev.mailflow.server.auth.PasswordVerifier.Outcome.BUSY) {
            attempt.abandoned();
            log('*', "authentication not checked: password checks busy");
            reply(Reply.AUTH_TEMPORARY_FAILURE);
            return;
        }
        if (outcome != dev.mailflow.server.auth.PasswordVerifier.Outcome.MATCH || !authorizationOk || mailbox == null) {
            attempt.failed();
            authFailed();
            return;
        }
        attempt.succeeded();
        authenticatedUser = mailbox.address().toString();
        authMechanism = mechanism;
        log('*', "authenticated as " + authenticatedUser);
        reply(Reply.AUTH_SUCCEEDED);
    }

    /** Sends a 334 challenge and reads the response; null when the client cancelled ("*"). */
    private String saslChallenge(String challenge) throws IOException {
        send(Reply.saslChallenge(challenge));
        flushIfIdle();
        input.deadline(Deadlines.command(connector, busy.getAsBoolean()));
        var line = input.readLine();
        if (line == null) {
            throw new java.io.EOFException("connection closed during AUTH");
        }
        log('<', "(SASL response not logged)");
        if (line.text() == null || line.text().equals("*")) {
            reply(Reply.AUTH_CANCELLED);
            return null;
        }
        return line.text();
    }

    private static byte[] decode(String base64) {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return java.util.Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * 535, slower after three failures, and 421 after the connector's limit (the attempt
     * has been counted for the client's network and the account already).
     */
    private void authFailed() throws IOException {
        authFailures++;
        context.stats().authFailures.incrementAndGet();
        log('*', "authentication failed (" + authFailures + ")");
        if (authFailures >= connector.maxAuthFailures()) {
            send(Reply.tooManyAuthFailures(context.hostname()));
            closing = true;
            return;
        }
        if (authFailures >= 3) {
            try {
                Thread.sleep(Math.min(8000, 1000L << (authFailures - 3)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        reply(Reply.AUTH_FAILED);
    }

    private void endTransaction() {
        if (transaction != null) {
            var ended = transaction;
            transaction.abort();
            transaction = null;
            for (var hook : hooks) {
                try {
                    hook.onReset(this, ended);
                } catch (RuntimeException e) {
                    LOG.error("{}: a policy hook failed at the end of a transaction", id, e);
                }
            }
        }
        chunkCapture = null;
        chunkRules = null;
    }

    // ---- Output -----------------------------------------------------------------------

    /**
     * Sends a reply and counts errors; too many errors end the session (421). Once the
     * connection has had {@code tarpit_after_errors} error replies, each reply waits
     * {@code tarpit_delay} first (tarpitting: a dictionary attack or a spam run slows to a crawl,
     * a real client that erred a few times does not notice).
     */
    private void reply(Reply reply) throws IOException {
        var rates = connector.rates();
        if (rates.tarpitAfterErrors() > 0 && softErrors >= rates.tarpitAfterErrors()) {
            output.flush();
            try {
                Thread.sleep(rates.tarpitDelay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reply.code() >= 400) {
            softErrors++;
        }
        send(reply);
        if (reply.code() >= 500 && ++errors >= connector.maxErrors()) {
            send(Reply.tooManyErrors(context.hostname()));
            closing = true;
        }
    }

    private void send(Reply reply) throws IOException {
        output.write(reply.toBytes());
        for (var l : reply.render().split("\r\n")) {
            log('>', l);
        }
        if (closing || reply.code() == 221 || reply.code() == 421) {
            output.flush();
        }
    }

    private void sendQuietly(Reply reply) {
        try {
            send(reply);
            output.flush();
        } catch (IOException e) {
            LOG.debug("{}: could not send {}: {}", id, reply.firstLine(), e.toString());
        }
    }

    /** RFC 2920 3.2: flush replies before waiting for input that is not there yet. */
    private void flushIfIdle() throws IOException {
        if (!input.hasBufferedInput()) {
            output.flush();
        }
    }

    private void log(char event, String data) {
        var log = context.protocolLog();
        if (log != null) {
            log.event(id, local, remote, event, data);
        }
    }

    private static int timeoutMillis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The store's own sentence when it has one (the shared queue's database), else the I/O error. */
    private static String queueProblem(IOException e) {
        return e.getClass() == IOException.class || e instanceof dev.mailflow.queue.PostgresQueueStore.SharedQueueUnavailable
                ? String.valueOf(e.getMessage()) : e.toString();
    }
}
