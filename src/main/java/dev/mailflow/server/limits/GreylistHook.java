package dev.mailflow.server.limits;

import dev.mailflow.directory.Directory;
import dev.mailflow.server.Check;
import dev.mailflow.server.ClientNetworks;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.Transaction;
import dev.mailflow.server.protection.ClientReputation;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.Reply;
import java.time.Clock;
import java.util.Locale;

/**
 * Greylisting at RCPT (RFC 6647): the triplet of the client's network (an IPv4 /24 or an IPv6
 * /64, so that a big sender retrying from another address of its pool passes), the sender
 * (empty for {@code <>}) and the recipient. Only recipients that would be accepted are
 * greylisted (the others get their 550 at once); clients of our own (authenticated,
 * relay_from) and clients on one of the connector's allow lists (dnswl) never are.
 */
public final class GreylistHook implements PolicyHook {

    private final Triplets greylist;
    private final Directory directory;
    private final Clock clock;

    public GreylistHook(Triplets greylist, Directory directory, Clock clock) {
        this.greylist = greylist;
        this.directory = directory;
        this.clock = clock;
    }

    @Override
    public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        var limits = session.connector().rates();
        if (!limits.greylisting() || session.ownClient()) {
            return PolicyVerdict.NEXT;
        }
        var reputation = session.noted(ClientReputation.class);
        if (reputation != null && reputation.allowListed()) {
            return PolicyVerdict.NEXT;
        }
        switch (directory.lookup(rcpt.recipient())) {
            case MAILBOX, ALIAS, CATCH_ALL, POSTMASTER -> {
            }
            default -> {
                return PolicyVerdict.NEXT;
            }
        }
        String network = ClientNetworks.greylistNetwork(session.clientAddress());
        String triplet = network + " "
                + transaction.sender().toString().toLowerCase(Locale.ROOT) + " "
                + rcpt.recipient().key();
        var decision = greylist.check(triplet, clock.instant(), limits.greylistDelay(), limits.greylistRetryWindow(),
                limits.greylistExpiry());
        if (decision instanceof Greylist.Decision.Wait wait) {
            return new PolicyVerdict.TempFail(Reply.greylisted(wait.seconds()), Check.GREYLIST,
                    "first attempt from " + network);
        }
        return PolicyVerdict.NEXT;
    }
}
