package dev.mailflow.milter;

import dev.mailflow.server.Check;
import dev.mailflow.server.HeaderSection;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.server.ReceivedMessage;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.Transaction;
import dev.mailflow.smtp.AddressParser;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.FilterReply;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.Reply;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One SMTP session's conversation with one milter, and what its answers mean for the mail, as
 * Postfix reads them:
 * <ul>
 * <li>continue: the next check decides; accept: the milter is done with the connection (at
 * connect and HELO) or with the message (later);</li>
 * <li>reject: {@code 550 5.7.1 Command rejected} (the recipient only, at RCPT; in place of the
 * greeting at connect), tempfail: {@code 451 4.7.1 Service unavailable - try again later},
 * replycode: the milter's own reply, 421 closing the connection;</li>
 * <li>discard: a 250, and the message goes to no one; quarantine: into the hold queue;</li>
 * <li>at the end of the message, the edits: header fields added, inserted, changed and removed,
 * the body replaced, the sender changed, recipients added and removed. ESMTP parameters that
 * come with a new sender or recipient are not applied (logged).</li>
 * </ul>
 * A milter that cannot be reached, is too slow or breaks the protocol is not used again in the
 * session, and the mail gets {@code milter_default_action}: tempfail refuses each transaction
 * with a 451 (at MAIL, or at the stage where it failed), accept goes on without it, reject
 * refuses with a 550, quarantine holds the message. Mail is never lost to a milter that is down.
 */
final class MilterSession implements PolicyHook {

    private enum Stage { CONNECT, HELO, MAIL, RCPT, DATA, END_OF_MESSAGE }

    private final MilterHook milter;
    private final MilterClient client;
    private final String sessionId;
    /** Why the milter cannot be used in this session, or null. */
    private String failure;
    /** The milter accepted the connection (at connect or HELO): nothing more is sent. */
    private boolean connectionAccepted;
    /** The milter is done with the current message (accept, discard, reject). */
    private boolean messageDone;
    /** A transaction was started with the milter and not ended by its end of message. */
    private boolean inMessage;

    MilterSession(MilterHook milter, SessionInfo session) {
        this.milter = milter;
        this.client = milter.newClient();
        this.sessionId = session.id();
    }

    @Override
    public boolean contentFilter() {
        return true;
    }

    // ---- Stages ----------------------------------------------------------------------------

    @Override
    public PolicyVerdict onConnect(SessionInfo session) {
        try {
            client.negotiate();
            if (!client.wants(Protocol.NO_CONNECT)) {
                return PolicyVerdict.NEXT;
            }
            client.macros(Protocol.CONNECT, Protocol.STAGE_CONNECT, Macros.connect(session, milter.hostname()));
            String name = Macros.clientName(session);
            String host = "unknown".equals(name) ? "[" + session.clientAddress().getHostAddress() + "]" : name;
            var answer = client.connect(host, session.clientAddress(), session.clientPort(),
                    client.replies(Protocol.NR_CONNECT));
            return verdict(Stage.CONNECT, answer, session);
        } catch (MilterException e) {
            return failed(Stage.CONNECT, e, session);
        }
    }

    @Override
    public PolicyVerdict onHelo(SessionInfo session, String name) {
        if (!usable() || !client.wants(Protocol.NO_HELO)) {
            return PolicyVerdict.NEXT;
        }
        try {
            client.macros(Protocol.HELO, Protocol.STAGE_HELO, Macros.helo(session));
            var answer = client.command(Packet.strings(Protocol.HELO, name), client.replies(Protocol.NR_HELO));
            return verdict(Stage.HELO, answer, session);
        } catch (MilterException e) {
            return failed(Stage.HELO, e, session);
        }
    }

    @Override
    public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
        if (failure != null) {
            return defaultAction(Stage.MAIL);
        }
        if (connectionAccepted) {
            return PolicyVerdict.NEXT;
        }
        try {
            if (inMessage) {
                // The last message was committed after the milter accepted it before its end.
                client.abort();
            }
        } catch (MilterException e) {
            return failed(Stage.MAIL, e, session);
        }
        messageDone = false;
        inMessage = true;
        if (!client.wants(Protocol.NO_MAIL)) {
            return PolicyVerdict.NEXT;
        }
        try {
            client.macros(Protocol.MAIL, Protocol.STAGE_MAIL, Macros.mail(session, mail.sender()));
            var args = new ArrayList<String>();
            args.add(mail.sender().toPath());
            args.addAll(EsmtpArguments.of(mail.parameters()));
            var answer = client.command(Packet.strings(Protocol.MAIL, args.toArray(String[]::new)),
                    client.replies(Protocol.NR_MAIL));
            return verdict(Stage.MAIL, answer, session);
        } catch (MilterException e) {
            return failed(Stage.MAIL, e, session);
        }
    }

    @Override
    public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        if (failure != null) {
            return defaultAction(Stage.RCPT);
        }
        if (!inTransaction() || !client.wants(Protocol.NO_RCPT)) {
            return PolicyVerdict.NEXT;
        }
        try {
            client.macros(Protocol.RCPT, Protocol.STAGE_RCPT, Macros.rcpt(rcpt.recipient()));
            var args = new ArrayList<String>();
            args.add(rcpt.recipient().toPath());
            args.addAll(EsmtpArguments.of(rcpt.parameters()));
            var answer = client.command(Packet.strings(Protocol.RCPT, args.toArray(String[]::new)),
                    client.replies(Protocol.NR_RCPT));
            return verdict(Stage.RCPT, answer, session);
        } catch (MilterException e) {
            return failed(Stage.RCPT, e, session);
        }
    }

    @Override
    public PolicyVerdict onData(SessionInfo session, Transaction transaction) {
        if (failure != null) {
            return defaultAction(Stage.DATA);
        }
        if (!inTransaction() || !client.wants(Protocol.NO_DATA)) {
            return PolicyVerdict.NEXT;
        }
        try {
            var answer = client.command(Packet.of(Protocol.DATA), client.replies(Protocol.NR_DATA));
            return verdict(Stage.DATA, answer, session);
        } catch (MilterException e) {
            return failed(Stage.DATA, e, session);
        }
    }

    @Override
    public PolicyVerdict onEndOfData(SessionInfo session, Transaction transaction, ReceivedMessage message) {
        if (failure != null) {
            return defaultAction(Stage.END_OF_MESSAGE);
        }
        if (!inTransaction()) {
            return PolicyVerdict.NEXT;
        }
        client.beginContent();
        try (var in = new BufferedInputStream(message.open(), 64 * 1024)) {
            var early = sendContent(in, message.id(), session);
            if (early != null) {
                return early;
            }
            client.macros(Protocol.BODYEOB, Protocol.STAGE_EOM, Macros.queueId(message.id()));
            client.content(Packet.of(Protocol.BODYEOB), false);
            return endOfMessage(transaction, message, session);
        } catch (IOException e) {
            // Our queue file, not the milter: the client tries again later.
            session.protocolLog("reading the message for milter " + milter.name() + " failed: " + e.getMessage());
            return new PolicyVerdict.TempFail(Reply.LOCAL_ERROR, Check.RESOURCES, "reading the queue file");
        } catch (MilterException e) {
            return failed(Stage.END_OF_MESSAGE, e, session);
        } finally {
            client.endContent();
        }
    }

    @Override
    public void onReset(SessionInfo session, Transaction transaction) {
        if (inMessage && usable()) {
            try {
                client.abort();
            } catch (MilterException e) {
                failed(Stage.MAIL, e, session);
            }
        }
        inMessage = false;
        messageDone = false;
    }

    @Override
    public void onClose(SessionInfo session) {
        client.close();
    }

    // ---- The content --------------------------------------------------------------------

    /**
     * The header fields, the end of the header section and the body: null when the milter
     * let it all through, else its verdict (a reject while reading a field, say).
     */
    private PolicyVerdict sendContent(BufferedInputStream in, long queueId, SessionInfo session) throws IOException {
        var header = HeaderSection.read(in);
        if (client.wants(Protocol.NO_HEADERS)) {
            for (var field : header.fields()) {
                // A NUL (BINARYMIME) would end the milter's string and hide the rest: a space.
                String value = field.value().replace("\r\n", "\n").replace('\0', ' ');
                if (!client.leadingSpace()) {
                    value = value.stripLeading();
                }
                var answer = client.content(Packet.strings(Protocol.HEADER, field.name().replace('\0', ' '), value),
                        client.replies(Protocol.NR_HEADER));
                var verdict = verdict(Stage.END_OF_MESSAGE, answer, session);
                if (!(verdict instanceof PolicyVerdict.Next) || messageDone) {
                    return verdict;
                }
            }
        }
        client.macros(Protocol.EOH, Protocol.STAGE_EOH, Macros.queueId(queueId));
        if (client.wants(Protocol.NO_EOH)) {
            var answer = client.content(Packet.of(Protocol.EOH), client.replies(Protocol.NR_EOH));
            var verdict = verdict(Stage.END_OF_MESSAGE, answer, session);
            if (!(verdict instanceof PolicyVerdict.Next) || messageDone) {
                return verdict;
            }
        }
        if (client.wants(Protocol.NO_BODY)) {
            byte[] chunk = new byte[Protocol.CHUNK_SIZE];
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                var answer = client.content(new Packet(Protocol.BODY, java.util.Arrays.copyOf(chunk, n)),
                        client.replies(Protocol.NR_BODY));
                if (answer != null && answer.code() == Protocol.SKIP) {
                    break;
                }
                var verdict = verdict(Stage.END_OF_MESSAGE, answer, session);
                if (!(verdict instanceof PolicyVerdict.Next) || messageDone) {
                    return verdict;
                }
            }
        }
        return null;
    }

    /** The answers to the end of message: the edits, then the verdict. */
    private PolicyVerdict endOfMessage(Transaction transaction, ReceivedMessage message, SessionInfo session) {
        var edits = new Edits(message, session);
        while (true) {
            var answer = client.answer(client.contentTimeout());
            if (edits.take(answer)) {
                continue;
            }
            inMessage = false;
            // The verdict first: a milter that then breaks the protocol gets its default action,
            // and none of its edits.
            var verdict = verdict(Stage.END_OF_MESSAGE, answer, session);
            if (!(verdict instanceof PolicyVerdict.Refusal)) {
                edits.apply();
            }
            if (!(verdict instanceof PolicyVerdict.Refusal)) {
                String word = verdict instanceof PolicyVerdict.Discard ? "discard"
                        : edits.quarantine != null ? "quarantine" : answer.code() == Protocol.ACCEPT ? "accept"
                        : "continue";
                transaction.filterResult("milter " + milter.name() + ": " + word
                        + (edits.count() > 0 ? ", " + edits.count() + (edits.count() == 1 ? " edit" : " edits") : ""));
            }
            if (edits.quarantine != null && !(verdict instanceof PolicyVerdict.Refusal)
                    && !(verdict instanceof PolicyVerdict.Discard)) {
                return new PolicyVerdict.Hold("quarantined by milter " + milter.name() + ": " + edits.quarantine);
            }
            return verdict;
        }
    }

    /** The edits a milter sends before its verdict on a message, applied once the verdict came. */
    private final class Edits {
        private final ReceivedMessage message;
        private final SessionInfo session;
        private final List<Runnable> pending = new ArrayList<>();
        private ByteArrayOutputStream body;
        String quarantine;

        Edits(ReceivedMessage message, SessionInfo session) {
            this.message = message;
            this.session = session;
        }

        private int packets;
        private long octets;
        private int added;

        /** True when the packet was an edit (or one we leave aside), false for the verdict. */
        boolean take(Packet p) {
            if (p.code() != Protocol.ACCEPT && p.code() != Protocol.CONTINUE && p.code() != Protocol.DISCARD
                    && p.code() != Protocol.REJECT && p.code() != Protocol.TEMPFAIL && p.code() != Protocol.REPLYCODE) {
                packets++;
                octets += p.data().length;
                if (packets > MAX_EDITS || octets > session.connector().maxMessageSize() + 1024L * 1024) {
                    throw new MilterException("asked for more edits than a message can take (" + packets + " edits, "
                            + octets + " octets)");
                }
            }
            switch (p.code()) {
                case Protocol.ADDHEADER -> {
                    if (allowed(Protocol.ADD_HEADERS, "add header")) {
                        String field = field(p.string(0, 0, "name"), p.string(0, 1, "value"));
                        if (field != null) {
                            pending.add(() -> message.appendHeader(field));
                        }
                    }
                }
                case Protocol.INSHEADER -> {
                    if (allowed(Protocol.ADD_HEADERS, "insert header")) {
                        int index = unsigned(p.intAt(0));
                        String field = field(p.string(4, 0, "name"), p.string(4, 1, "value"));
                        if (field != null) {
                            pending.add(() -> message.insertHeader(index, field));
                        }
                    }
                }
                case Protocol.CHGHEADER -> {
                    if (allowed(Protocol.CHANGE_HEADERS, "change header")) {
                        int index = unsigned(p.intAt(0));
                        String name = p.string(4, 0, "name");
                        String value = p.stringsFrom(4).size() > 1 ? p.string(4, 1, "value") : "";
                        String field = value.isEmpty() ? null : field(name, value);
                        if (validName(name) && (value.isEmpty() || field != null)) {
                            pending.add(() -> message.changeHeader(name, index, field));
                        }
                    }
                }
                case Protocol.REPLBODY -> {
                    if (allowed(Protocol.CHANGE_BODY, "replace body")) {
                        if (body == null) {
                            body = new ByteArrayOutputStream();
                        }
                        if (body.size() + p.data().length > session.connector().maxMessageSize()) {
                            throw new MilterException("replaced the body with more than max_message_size");
                        }
                        body.writeBytes(p.data());
                    }
                }
                case Protocol.CHGFROM -> {
                    if (allowed(Protocol.CHANGE_FROM, "change sender")) {
                        var args = p.stringsFrom(0);
                        var sender = address(args.isEmpty() ? "" : args.get(0), true);
                        if (sender != null) {
                            ignoredArguments(args, "change sender");
                            pending.add(() -> message.changeSender(sender));
                        }
                    }
                }
                case Protocol.ADDRCPT, Protocol.ADDRCPT_PAR -> {
                    if (allowed(p.code() == Protocol.ADDRCPT ? Protocol.ADD_RCPT : Protocol.ADD_RCPT_PARAMS,
                            "add recipient")) {
                        var args = p.stringsFrom(0);
                        var recipient = address(args.isEmpty() ? "" : args.get(0), false);
                        if (recipient != null && ++added > session.connector().maxRecipients()) {
                            session.protocolLog("milter " + milter.name() + " added more recipients than max_recipients ("
                                    + session.connector().maxRecipients() + "): " + Reply.printable(args.get(0)) + " ignored");
                        } else if (recipient != null) {
                            ignoredArguments(args, "add recipient");
                            pending.add(() -> message.addRecipient(recipient));
                        }
                    }
                }
                case Protocol.DELRCPT -> {
                    if (allowed(Protocol.DELETE_RCPT, "delete recipient")) {
                        var recipient = address(p.string(0, 0, "recipient"), false);
                        if (recipient != null) {
                            pending.add(() -> message.removeRecipient(recipient));
                        }
                    }
                }
                case Protocol.QUARANTINE -> {
                    if (allowed(Protocol.QUARANTINE_ACTION, "quarantine")) {
                        var reason = p.stringsFrom(0);
                        quarantine = Reply.printable(reason.isEmpty() || reason.get(0).isBlank() ? "no reason given"
                                : reason.get(0));
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The edits applied (headers, body, envelope), less quarantine. */
        int count() {
            return pending.size() + (body != null ? 1 : 0);
        }

        void apply() {
            for (var edit : pending) {
                edit.run();
            }
            if (body != null) {
                message.replaceBody(crlf(body.toByteArray()));
            }
            if (!pending.isEmpty() || body != null) {
                session.protocolLog("milter " + milter.name() + " edited the message: " + pending.size()
                        + " change(s)" + (body != null ? ", body replaced" : ""));
            }
        }

        private boolean allowed(int action, String what) {
            if (client.may(action)) {
                return true;
            }
            session.protocolLog("milter " + milter.name() + " asked to " + what
                    + " without negotiating it: ignored");
            return false;
        }

        private void ignoredArguments(List<String> args, String what) {
            if (args.size() > 1 && !args.get(1).isBlank()) {
                session.protocolLog("milter " + milter.name() + ": ESMTP arguments of " + what + " ("
                        + Reply.printable(args.get(1)) + ") are not applied");
            }
        }

        /** {@code <a@b>} or {@code a@b}; {@code <>} only as a sender; null (logged) when it is no address. */
        private MailAddress address(String text, boolean sender) {
            String s = text.strip();
            if (s.startsWith("<") && s.endsWith(">")) {
                s = s.substring(1, s.length() - 1);
            }
            var address = s.isEmpty() && !sender ? null : AddressParser.parsePath(s, true);
            if (address == null) {
                session.protocolLog("milter " + milter.name() + " gave an address that is not one (" + Reply.printable(text)
                        + "): ignored");
            }
            return address;
        }

        /** A field as the message gets it, or null (logged) when the name is not a field name. */
        private String field(String name, String value) {
            if (!validName(name)) {
                session.protocolLog("milter " + milter.name() + " gave a header field name that is not one ("
                        + Reply.printable(name) + "): ignored");
                return null;
            }
            var sb = new StringBuilder(name).append(':');
            if (!client.leadingSpace() && !value.startsWith(" ") && !value.startsWith("\t")) {
                sb.append(' ');
            }
            // Folds as the milter wrote them (LF or CRLF); a line that does not start with white
            // space would be a new field: it gets a tab, never a field the milter did not name.
            // An empty line inside a value would end the header section for some readers: dropped.
            String[] lines = value.replace("\r\n", "\n").replace('\r', '\n').replace('\0', ' ').split("\n", -1);
            boolean first = true;
            for (String line : lines) {
                if (!first && line.isBlank()) {
                    continue;
                }
                if (!first) {
                    sb.append("\r\n");
                    if (line.charAt(0) != ' ' && line.charAt(0) != '\t') {
                        sb.append('\t');
                    }
                }
                sb.append(line);
                first = false;
            }
            return sb.toString();
        }
    }

    /** Edits one milter may make to one message. */
    private static final int MAX_EDITS = 10_000;

    /** A header index as the milter sends it, unsigned; past the end means the end. */
    private static int unsigned(int index) {
        long value = index & 0xffffffffL;
        return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
    }

    private static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 998) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 32 || c >= 127 || c == ':') {
                return false;
            }
        }
        return true;
    }

    /** Bare LF and bare CR become CRLF: the queue holds CRLF text. */
    private static byte[] crlf(byte[] body) {
        var out = new ByteArrayOutputStream(body.length + 64);
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < body.length && body[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    // ---- Answers to verdicts ----------------------------------------------------------------

    private boolean usable() {
        return failure == null && !connectionAccepted;
    }

    private boolean inTransaction() {
        return usable() && inMessage && !messageDone;
    }

    /** What a milter's answer means at a stage; null (no reply expected) is continue. */
    private PolicyVerdict verdict(Stage stage, Packet answer, SessionInfo session) {
        if (answer == null) {
            return PolicyVerdict.NEXT;
        }
        boolean message = stage != Stage.CONNECT && stage != Stage.HELO;
        switch (answer.code()) {
            case Protocol.CONTINUE, Protocol.SKIP -> {
                return PolicyVerdict.NEXT;
            }
            case Protocol.ACCEPT -> {
                if (message) {
                    messageDone = true;
                } else {
                    connectionAccepted = true;
                }
                return PolicyVerdict.NEXT;
            }
            case Protocol.REJECT -> {
                endsMessage(stage);
                return refusal(stage == Stage.CONNECT ? Reply.FILTER_REJECTED_CONNECTION : Reply.FILTER_REJECTED,
                        stage);
            }
            case Protocol.TEMPFAIL -> {
                endsMessage(stage);
                return refusal(stage == Stage.CONNECT ? Reply.FILTER_TEMPFAIL_CONNECTION : Reply.FILTER_TEMPFAIL,
                        stage);
            }
            case Protocol.REPLYCODE -> {
                String text = answer.stringsFrom(0).isEmpty() ? "" : answer.stringsFrom(0).get(0);
                var reply = FilterReply.parse(text);
                if (reply == null) {
                    throw new MilterException("answered with a reply that is not a 4xx or 5xx one ("
                            + Reply.printable(text) + ")");
                }
                endsMessage(stage);
                return refusal(reply, stage);
            }
            case Protocol.DISCARD -> {
                if (!message) {
                    session.protocolLog("milter " + milter.name() + " asked to discard at " + stage
                            + ", which only a message can be: taken as continue");
                    return PolicyVerdict.NEXT;
                }
                messageDone = true;
                return new PolicyVerdict.Discard("milter " + milter.name());
            }
            case Protocol.SHUTDOWN, Protocol.CONN_FAIL -> {
                connectionAccepted = true;
                return new PolicyVerdict.Disconnect(Reply.FILTER_SHUTDOWN, Check.MILTER,
                        milter.name() + " asked to close the connection");
            }
            default -> throw new MilterException("answered '" + Reply.printable(String.valueOf(answer.code()))
                    + "' at " + stage.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
    }

    /** A reject or tempfail ends the message for the milter, except a recipient's. */
    private void endsMessage(Stage stage) {
        if (stage != Stage.RCPT && stage != Stage.CONNECT && stage != Stage.HELO) {
            messageDone = true;
        }
    }

    private PolicyVerdict refusal(Reply reply, Stage stage) {
        String detail = milter.name() + " " + reply.code() + (reply.status() == null ? "" : " " + reply.status())
                + " " + reply.lines().get(0);
        if (reply.code() == 421) {
            connectionAccepted = true;
            return new PolicyVerdict.Disconnect(reply, Check.MILTER, detail);
        }
        return reply.code() >= 500 ? new PolicyVerdict.Reject(reply, Check.MILTER, detail)
                : new PolicyVerdict.TempFail(reply, Check.MILTER, detail);
    }

    /** The milter cannot be used for the rest of the session; the mail gets the default action. */
    private PolicyVerdict failed(Stage stage, MilterException e, SessionInfo session) {
        if (failure == null) {
            failure = e.getMessage();
            client.close();
            milter.unavailable(sessionId, failure);
            session.protocolLog("milter " + milter.name() + " cannot be used: " + failure + "; milter_default_action "
                    + milter.config().defaultAction().word());
        }
        return defaultAction(stage);
    }

    private PolicyVerdict defaultAction(Stage stage) {
        if (stage == Stage.CONNECT || stage == Stage.HELO) {
            // The client gets its greeting; the mail is refused or held at MAIL.
            return PolicyVerdict.NEXT;
        }
        String detail = milter.name() + " unavailable (" + failure + ")";
        return switch (milter.config().defaultAction()) {
            case ACCEPT -> PolicyVerdict.NEXT;
            case TEMPFAIL -> new PolicyVerdict.TempFail(Reply.FILTER_TEMPFAIL, Check.MILTER, detail);
            case REJECT -> new PolicyVerdict.Reject(Reply.FILTER_REJECTED, Check.MILTER, detail);
            case QUARANTINE -> new PolicyVerdict.Hold("milter " + detail);
        };
    }
}
