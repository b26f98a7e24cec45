package dev.mailflow.server.simulate;

import dev.mailflow.directory.Directory;
import dev.mailflow.server.Check;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.server.ReceivedMessage;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.Transaction;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.Reply;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recipients' acceptance of a simulating connector, in place of the directory's: each RCPT
 * gets what its local part asks ({@link SimulationRule}), any domain is taken, and at the end of
 * data the message goes to the simulation mailbox instead of its recipients, with an
 * {@code X-Mailflow-Simulated-To} field naming them. Nothing is ever relayed.
 */
public final class SimulationHook implements PolicyHook {

    private static final Logger LOG = LoggerFactory.getLogger(SimulationHook.class);
    /** Addresses whose tempfail count is remembered; beyond it the oldest are forgotten. */
    private static final int MAX_COUNTED = 10_000;

    private final Directory directory;
    private final MailAddress mailbox;
    private final ConcurrentHashMap<String, Integer> tempfails = new ConcurrentHashMap<>();

    /**
     * @param mailbox where accepted mail goes; null: the postmaster of the first accepted domain
     */
    public SimulationHook(Directory directory, MailAddress mailbox) {
        this.directory = directory;
        this.mailbox = mailbox != null ? mailbox
                : new MailAddress("postmaster", directory.acceptedDomains().get(0).name());
    }

    /** The data rule of the first recipient that had one, for the end of data. */
    private record DataRule(SimulationRule.DataReply rule, String recipient) {
    }

    @Override
    public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        var recipient = rcpt.recipient();
        var rule = SimulationRule.of(recipient.unquotedLocalPart());
        String detail = "simulated for " + recipient;
        switch (rule) {
            case SimulationRule.Reply r -> {
                var reply = reply(r.code(), r.status(), "Simulated reply for <" + recipient + "> (mode = simulate)");
                return r.code() >= 500 ? new PolicyVerdict.Reject(reply, Check.RECIPIENT, detail)
                        : r.code() == 421 ? new PolicyVerdict.Disconnect(reply, Check.RECIPIENT, detail)
                        : new PolicyVerdict.TempFail(reply, Check.RECIPIENT, detail);
            }
            case SimulationRule.Disconnect d -> {
                return new PolicyVerdict.Disconnect(reply(421, "4.4.2", "Simulated disconnect for <" + recipient
                        + "> (mode = simulate), closing transmission channel"), Check.RECIPIENT, detail);
            }
            case SimulationRule.Delay d -> {
                session.protocolLog("simulate: waiting " + d.delay().toSeconds() + " s before the reply for <"
                        + recipient + ">");
                try {
                    Thread.sleep(d.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return PolicyVerdict.ACCEPT;
            }
            case SimulationRule.TempFail t -> {
                String key = recipient.key();
                if (tempfails.size() >= MAX_COUNTED && !tempfails.containsKey(key)) {
                    tempfails.clear();
                }
                int seen = tempfails.merge(key, 1, Integer::sum);
                if (seen <= t.times()) {
                    return new PolicyVerdict.TempFail(reply(451, "4.7.1", "Simulated temporary failure " + seen
                            + " of " + t.times() + " for <" + recipient + ">, try again later"), Check.RECIPIENT, detail);
                }
                tempfails.remove(key);
                return PolicyVerdict.ACCEPT;
            }
            case SimulationRule.DataReply r -> {
                if (transaction.noted(DataRule.class) == null) {
                    transaction.note(DataRule.class, new DataRule(r, recipient.toString()));
                }
                return PolicyVerdict.ACCEPT;
            }
            case SimulationRule.Accept a -> {
                return PolicyVerdict.ACCEPT;
            }
        }
    }

    @Override
    public PolicyVerdict onEndOfData(SessionInfo session, Transaction transaction, ReceivedMessage message) {
        var data = transaction.noted(DataRule.class);
        if (data != null) {
            var r = data.rule();
            var reply = reply(r.code(), r.status(), "Simulated reply to the end of data for <" + data.recipient()
                    + "> (mode = simulate)");
            String detail = "simulated for " + data.recipient();
            return r.code() >= 500 ? new PolicyVerdict.Reject(reply, Check.OTHER, detail)
                    : new PolicyVerdict.TempFail(reply, Check.OTHER, detail);
        }
        switch (directory.lookup(mailbox)) {
            case UNKNOWN_USER, NOT_OURS -> {
                LOG.error("connector {}: simulate_mailbox {} is not one of our mailboxes; simulated mail waits",
                        session.connector().name(), mailbox);
                return new PolicyVerdict.TempFail(Reply.LOCAL_ERROR, Check.RESOURCES, "simulate_mailbox " + mailbox);
            }
            default -> {
            }
        }
        List<MailAddress> recipients = message.recipients();
        message.addHeader("X-Mailflow-Simulated-To: " + recipients.stream().map(a -> "<" + a + ">")
                .collect(Collectors.joining(",\r\n\t")));
        for (var r : recipients) {
            message.removeRecipient(r);
        }
        message.addRecipient(mailbox);
        session.protocolLog("simulate: the message goes to " + mailbox + " instead of " + recipients.size()
                + " recipient(s)");
        return PolicyVerdict.NEXT;
    }

    private static Reply reply(int code, String status, String text) {
        return new Reply(code, EnhancedStatus.of(status), List.of(text));
    }
}
