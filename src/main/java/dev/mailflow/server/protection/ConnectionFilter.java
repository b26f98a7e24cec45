package dev.mailflow.server.protection;

import dev.mailflow.dns.DnsResolver;
import dev.mailflow.server.Check;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.Transaction;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.Reply;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Connection filtering for every connector of a server: the server makes one (it lives across
 * reloads, with the warnings about lists and the DNS cache in the resolver) and puts
 * {@link #hook()} first in each connector's hooks. Each session gets its own checks
 * ({@link PolicyHook#forSession}), which read the connector's
 * {@link dev.mailflow.server.ConnectorConfig.ConnectionFiltering} as the session started.
 *
 * <p>The stages of a session:
 * <ol>
 * <li>connect: the DNS list lookups start, all at once on their own threads (not for
 *     {@code relay_from} clients); the forward-confirmed reverse DNS is looked up and noted
 *     ({@link ReverseDns}) before the next hook's connect runs; both bounded by
 *     {@code dnsbl_timeout} from the connect;</li>
 * <li>HELO/EHLO (or MAIL, RCPT, whichever comes first): the list answers are read, up to the
 *     deadline, and noted ({@link ClientReputation});</li>
 * <li>RCPT: a blocked client is refused with {@code 554 5.7.1 Service unavailable; client [ip]
 *     blocked using zone} ({@link Check#DNSBL}), and, where the connector requires it, a client
 *     without a confirmed name with {@code 550 5.7.25} or {@code 450 4.7.25}
 *     ({@link Check#FCRDNS}); except mail to postmaster (when {@code dnsbl_allow_postmaster}),
 *     mail from allow-listed clients and mail from our own clients (authenticated, or in
 *     {@code relay_from}).</li>
 * </ol>
 * A DNS failure never refuses mail: a list that cannot be asked lists no one.
 */
public final class ConnectionFilter {

    private final DnsResolver dns;
    private final ListWarnings warnings;
    private final Executor executor;
    private final PolicyHook hook = new PolicyHook() {
        @Override
        public PolicyHook forSession(SessionInfo session) {
            return new ClientChecks();
        }
    };

    public ConnectionFilter(DnsResolver dns, Clock clock) {
        this.dns = Objects.requireNonNull(dns);
        this.warnings = new ListWarnings(clock);
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dns-check-", 0).factory());
    }

    /** The hook to put first in a connector's list: its sessions' checks. */
    public PolicyHook hook() {
        return hook;
    }

    public ListWarnings warnings() {
        return warnings;
    }

    /** RFC 5321 4.5.1: {@code <postmaster>}, or postmaster at any domain (the local part in any case). */
    static boolean isPostmaster(MailAddress recipient) {
        return recipient.isBarePostmaster() || recipient.unquotedLocalPart().equalsIgnoreCase("postmaster");
    }

    /** The checks of one session. */
    private final class ClientChecks implements PolicyHook {
        private DnsListCheck lists;
        private boolean noted;

        @Override
        public PolicyVerdict onConnect(SessionInfo session) {
            var filtering = session.connector().filtering();
            long deadline = System.nanoTime() + filtering.dnsTimeout().toNanos();
            var client = session.clientAddress();
            if (filtering.hasLists() && !session.connector().mayRelay(client)) {
                lists = DnsListCheck.start(dns, client, filtering.blockLists(), filtering.allowLists(), deadline,
                        executor);
            }
            var reverse = ForwardConfirmation.lookup(dns, client, deadline, executor);
            session.note(ReverseDns.class, reverse);
            session.protocolLog("reverse DNS: " + reverse.detail());
            return PolicyVerdict.NEXT;
        }

        @Override
        public PolicyVerdict onHelo(SessionInfo session, String name) {
            reputation(session);
            return PolicyVerdict.NEXT;
        }

        @Override
        public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
            reputation(session);
            return PolicyVerdict.NEXT;
        }

        @Override
        public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
            var reputation = reputation(session);
            if (session.ownClient() || reputation != null && reputation.allowListed()) {
                return PolicyVerdict.NEXT;
            }
            var filtering = session.connector().filtering();
            if (filtering.allowPostmaster() && isPostmaster(rcpt.recipient())) {
                return PolicyVerdict.NEXT;
            }
            String ip = session.clientAddress().getHostAddress();
            if (reputation != null && reputation.blocked()) {
                String zone = reputation.blockedBy().zone();
                return new PolicyVerdict.Reject(Reply.blockedByList(ip, zone), Check.DNSBL, zone);
            }
            if (filtering.requireFcrdns()) {
                var reverse = session.noted(ReverseDns.class);
                if (reverse == null || reverse.status() == ReverseDns.Status.TEMPFAIL) {
                    return new PolicyVerdict.TempFail(Reply.reverseDnsTemporaryFailure(ip), Check.FCRDNS,
                            "reverse DNS lookup failed");
                }
                if (!reverse.confirmed()) {
                    return new PolicyVerdict.Reject(Reply.reverseDnsFailed(ip), Check.FCRDNS,
                            reverse.status() == ReverseDns.Status.NO_PTR ? "no PTR record" : "PTR not confirmed");
                }
            }
            return PolicyVerdict.NEXT;
        }

        @Override
        public void onClose(SessionInfo session) {
            if (lists != null) {
                lists.cancel();
            }
        }

        /** The lists' verdict, read and noted the first time it is needed; null without lists. */
        private ClientReputation reputation(SessionInfo session) {
            if (noted || lists == null) {
                return session.noted(ClientReputation.class);
            }
            noted = true;
            var result = lists.finish();
            var reverse = session.noted(ReverseDns.class);
            var reputation = new ClientReputation(result.listings(), result.allowedBy(), result.problems(),
                    result.score(), session.connector().filtering().threshold(), reverse != null ? reverse
                    : new ReverseDns(ReverseDns.Status.TEMPFAIL, null, java.util.List.of(), "not looked up"));
            session.note(ClientReputation.class, reputation);
            session.protocolLog("DNS lists: " + reputation.describe());
            String client = session.clientAddress().getHostAddress();
            for (var problem : reputation.problems()) {
                warnings.report(problem, client);
            }
            return reputation;
        }
    }
}
