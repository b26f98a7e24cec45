package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler over the in-memory store, with a scripted delivery agent. */
class SchedulerTest {

    private final InMemoryQueueStore store = new InMemoryQueueStore();
    private Scheduler scheduler;

    /** Answers per recipient address, counting calls. */
    static final class ScriptedAgent implements DeliveryAgent {
        final Map<String, Function<Integer, DeliveryOutcome>> script = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Map<Long, QueuedMessage> finished = new ConcurrentHashMap<>();
        /** Held up in sync() while closed: finished messages wait there to leave the queue. */
        volatile java.util.concurrent.CountDownLatch syncGate = new java.util.concurrent.CountDownLatch(0);

        @Override
        public Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> pending, Content content,
                                                     boolean mayBeDelivered) {
            var result = new HashMap<Integer, DeliveryOutcome>();
            for (int i : pending) {
                String a = message.status().recipients().get(i).address().toString();
                int n = calls.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
                result.put(i, script.getOrDefault(a, k -> new DeliveryOutcome.Delivered("ok")).apply(n));
            }
            return result;
        }

        /** As the DSN service does: a notice (from {@code <>}) that failed is kept, never bounced. */
        @Override
        public boolean finished(QueuedMessage message, Content content) {
            finished.put(message.id(), message);
            return !message.envelope().sender().isNullSender() || message.status().recipients().stream()
                    .noneMatch(r -> r.status() == RecipientState.Status.FAILED);
        }

        @Override
        public void sync() {
            try {
                syncGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private QueuedMessage receive(String... recipients) throws Exception {
        return receiveFrom(new MailAddress("s", "x.test"), recipients);
    }

    private QueuedMessage receiveFrom(MailAddress sender, String... recipients) throws Exception {
        var in = store.begin();
        in.content().write("Subject: t\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        var rcpts = java.util.Arrays.stream(recipients).map(r -> {
            int at = r.indexOf('@');
            return new EnvelopeRecipient(new MailAddress(r.substring(0, at), r.substring(at + 1)),
                    RcptParameters.NONE);
        }).toList();
        return in.commit(new Envelope(in.id(), "<m@x>", false, Instant.now(), "c", "127.0.0.1", "h", "ESMTP",
                sender, MailParameters.NONE, rcpts, 20, null, null, false));
    }

    private void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
    }

    private Scheduler scheduler(ScriptedAgent agent, RetryPolicy policy) {
        scheduler = new Scheduler(store, agent, policy, null, Clock.systemUTC(), 4);
        scheduler.start();
        return scheduler;
    }

    @Test
    void deliveredMessagesLeaveTheQueue() throws Exception {
        var agent = new ScriptedAgent();
        var s = scheduler(agent, RetryPolicy.DEFAULT);
        var m = receive("a@x.test", "b@x.test");
        s.submit(m);
        await(() -> store.list(null).isEmpty());
        assertThat(agent.finished).containsOnlyKeys(m.id());
    }

    @Test
    void temporaryFailuresAreRetriedOnScheduleThenDelivered() throws Exception {
        var agent = new ScriptedAgent();
        agent.script.put("a@x.test", n -> n < 3 ? new DeliveryOutcome.Deferred(DeliveryCodes.MAILBOX_FULL, "Mailbox full")
                : new DeliveryOutcome.Delivered("ok"));
        var s = scheduler(agent, new RetryPolicy(List.of(Duration.ofMillis(50)), Duration.ofMinutes(1),
                Duration.ofMinutes(1)));
        var m = receive("a@x.test", "b@x.test");
        s.submit(m);
        await(() -> store.list(QueueState.DEFERRED).size() == 1);
        var deferred = store.load(m.id());
        assertThat(deferred.status().lastError()).isEqualTo("Mailbox full");
        assertThat(deferred.status().recipients().get(1).status()).isEqualTo(RecipientState.Status.DELIVERED);
        await(() -> store.list(null).isEmpty());
        assertThat(agent.calls.get("a@x.test").get()).isEqualTo(3);
        assertThat(agent.calls.get("b@x.test").get()).as("delivered recipients are not tried again").isEqualTo(1);
    }

    @Test
    void expiryTurnsTheLastTemporaryStatusPermanent() throws Exception {
        var agent = new ScriptedAgent();
        agent.script.put("a@x.test", n -> new DeliveryOutcome.Deferred(DeliveryCodes.MAILBOX_FULL, "Mailbox full"));
        agent.script.put("b@x.test", n -> new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER, "connection refused"));
        var s = scheduler(agent, new RetryPolicy(List.of(Duration.ofMillis(30)), Duration.ofMillis(200),
                Duration.ofMinutes(1)));
        var m = receive("a@x.test", "b@x.test");
        s.submit(m);
        await(() -> agent.finished.containsKey(m.id()));
        var rs = agent.finished.get(m.id()).status().recipients();
        assertThat(rs).extracting(RecipientState::status).containsOnly(RecipientState.Status.FAILED);
        assertThat(rs.get(0).enhancedStatus()).hasToString("5.2.2");
        assertThat(rs.get(1).enhancedStatus()).hasToString("5.4.1");
        assertThat(rs.get(0).reason()).contains("delivery time expired").contains("Mailbox full");
        assertThat(store.list(null)).isEmpty();
    }

    @Test
    void aliasesExpandOnceAndLoopsEnd() throws Exception {
        var agent = new ScriptedAgent();
        agent.script.put("team@x.test", n -> new DeliveryOutcome.Expanded(List.of(new MailAddress("a", "x.test"),
                new MailAddress("b", "x.test"), new MailAddress("a", "x.test"))));
        agent.script.put("loop@x.test", n -> new DeliveryOutcome.Expanded(List.of(new MailAddress("loop" + n,
                "x.test"))));
        for (int i = 1; i < 20; i++) {
            int k = i;
            agent.script.put("loop" + i + "@x.test", n -> new DeliveryOutcome.Expanded(
                    List.of(new MailAddress("loop" + (k + 1), "x.test"))));
        }
        var s = scheduler(agent, RetryPolicy.DEFAULT);
        var finishedWith = agent.finished;
        var team = receive("team@x.test");
        var loop = receive("loop@x.test");
        s.submit(team);
        s.submit(loop);
        await(() -> finishedWith.size() == 2);
        var teamStates = finishedWith.get(team.id()).status().recipients();
        assertThat(teamStates).extracting(r -> r.address() + "=" + r.status())
                .containsExactly("team@x.test=EXPANDED", "a@x.test=DELIVERED", "b@x.test=DELIVERED");
        assertThat(agent.calls.get("a@x.test").get()).isEqualTo(1);
        var loopStates = finishedWith.get(loop.id()).status().recipients();
        assertThat(loopStates.get(loopStates.size() - 1).status()).isEqualTo(RecipientState.Status.FAILED);
        assertThat(loopStates.get(loopStates.size() - 1).enhancedStatus()).hasToString("5.4.6");
    }

    @Test
    void holdReleaseRetryAndDeleteThroughTheAdmin() throws Exception {
        var agent = new ScriptedAgent();
        var tries = new AtomicInteger();
        agent.script.put("a@x.test", n -> tries.incrementAndGet() < 100
                ? new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER, "connection refused") : new DeliveryOutcome.Delivered("ok"));
        var s = scheduler(agent, new RetryPolicy(List.of(Duration.ofHours(1)), Duration.ofDays(1),
                Duration.ofDays(1)));
        var admin = new QueueAdmin(store, s, null, Clock.systemUTC());
        var m = receive("a@x.test");
        s.submit(m);
        await(() -> store.list(QueueState.DEFERRED).size() == 1);
        var listing = admin.list(null);
        assertThat(listing.counts().get(QueueState.DEFERRED)).isEqualTo(1);
        assertThat(listing.messages().get(0).lastError()).isEqualTo("connection refused");

        assertThat(admin.hold(m.id()).ok()).isTrue();
        assertThat(store.load(m.id()).state()).isEqualTo(QueueState.HOLD);
        assertThat(admin.retry(m.id()).ok()).as("retry of a held message").isFalse();
        assertThat(admin.release(m.id()).ok()).isTrue();
        await(() -> tries.get() >= 2 && store.load(m.id()).state() == QueueState.DEFERRED);

        int before = tries.get();
        assertThat(admin.retry(m.id()).ok()).isTrue();
        await(() -> tries.get() == before + 1);

        assertThat(admin.delete(m.id()).ok()).isTrue();
        assertThat(store.list(null)).isEmpty();
        assertThat(admin.delete(m.id()).ok()).isFalse();
    }

    @Test
    void aNoticeThatFailsIsHeldWithItsReasonAndReleaseTriesItAgain() throws Exception {
        var agent = new ScriptedAgent();
        var attempts = new AtomicInteger();
        agent.script.put("gone@x.test", n -> attempts.incrementAndGet() == 1
                ? new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN, "User unknown") : new DeliveryOutcome.Delivered("ok"));
        var s = scheduler(agent, RetryPolicy.DEFAULT);
        var admin = new QueueAdmin(store, s, null, Clock.systemUTC());
        var notice = receiveFrom(MailAddress.NULL_SENDER, "gone@x.test");
        s.submit(notice);
        await(() -> store.list(QueueState.HOLD).size() == 1);
        var held = admin.list(QueueState.HOLD).messages().get(0);
        assertThat(held.holdReason()).isEqualTo("a bounce that could not be delivered is kept on hold: "
                + "gone@x.test: 5.1.1 User unknown");
        assertThat(held.attempts()).isEqualTo(1);

        var released = admin.release(notice.id());
        assertThat(released.ok()).isTrue();
        assertThat(released.message()).isEqualTo("message " + notice.id()
                + " released: it will be tried again now, for gone@x.test (which had failed)");
        await(() -> store.list(null).isEmpty());
        assertThat(attempts.get()).as("released, the failed recipient is tried again").isEqualTo(2);
    }

    @Test
    void theOperatorsHoldSaysWhoHeldItAndReleaseKeepsWhatIsFinal() throws Exception {
        var agent = new ScriptedAgent();
        agent.script.put("a@x.test", n -> new DeliveryOutcome.Deferred(DeliveryCodes.MAILBOX_FULL, "Mailbox full"));
        agent.script.put("b@x.test", n -> new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN, "User unknown"));
        var s = scheduler(agent, new RetryPolicy(List.of(Duration.ofHours(1)), Duration.ofDays(1),
                Duration.ofDays(1)));
        var admin = new QueueAdmin(store, s, null, Clock.systemUTC());
        var m = receive("a@x.test", "b@x.test");
        s.submit(m);
        await(() -> store.list(QueueState.DEFERRED).size() == 1);
        assertThat(admin.hold(m.id()).message()).isEqualTo("message " + m.id()
                + " is on hold: it is not delivered until it is released");
        assertThat(admin.list(null).messages().get(0).holdReason()).startsWith("held by the operator at ");
        assertThat(admin.hold(m.id()).message()).as("asked twice").startsWith("message " + m.id()
                + " is already on hold: held by the operator at ");
        assertThat(admin.release(m.id()).message()).isEqualTo("message " + m.id()
                + " released: it will be tried again now");
        await(() -> agent.calls.get("a@x.test").get() == 2);
        assertThat(agent.calls.get("b@x.test").get()).as("a failed recipient of a message with work left")
                .isEqualTo(1);
        await(() -> store.load(m.id()).state() == QueueState.DEFERRED);
        assertThat(store.load(m.id()).status().holdReason()).isNull();
        assertThat(admin.release(m.id()).message()).isEqualTo("message " + m.id()
                + " is not on hold (it is deferred)");
    }

    @Test
    void withoutAServerTheAnswersSayWhenItHappens() throws Exception {
        var admin = new QueueAdmin(store, null, null, Clock.systemUTC());
        var m = receive("a@x.test");
        store.update(m, QueueState.DEFERRED, m.status());
        assertThat(admin.retry(m.id()).message()).isEqualTo("message " + m.id()
                + " will be tried again when the server starts ('mailflow serve')");
        admin.hold(m.id());
        assertThat(admin.release(m.id()).message()).isEqualTo("message " + m.id()
                + " released: it will be tried again when the server starts ('mailflow serve')");
        assertThat(store.load(m.id()).state()).isEqualTo(QueueState.ACTIVE);
    }

    @Test
    void aMessageOnItsWayOutTakesNoAction() throws Exception {
        var agent = new ScriptedAgent();
        var s = scheduler(agent, RetryPolicy.DEFAULT);
        var admin = new QueueAdmin(store, s, null, Clock.systemUTC());
        agent.syncGate = new java.util.concurrent.CountDownLatch(1);
        try {
            var m = receive("a@x.test");
            s.submit(m);
            await(() -> s.isLeaving(m.id()));
            var hold = admin.hold(m.id());
            assertThat(hold.ok()).isFalse();
            assertThat(hold.message()).isEqualTo("message " + m.id()
                    + " is done (delivered, or failed and reported) and is leaving the queue");
        } finally {
            agent.syncGate.countDown();
        }
        await(() -> store.list(null).isEmpty());
    }
}
