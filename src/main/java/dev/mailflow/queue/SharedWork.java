package dev.mailflow.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The work of a queue that several nodes share (style.md, "Schedule apart from storage"): a
 * node delivers a message only while it holds the message's lease. A lease is claimed with
 * {@code FOR UPDATE SKIP LOCKED}, renewed by its owner, and carries a generation number that
 * grows with every claim; a write by a node whose generation is no longer the current one is
 * refused ({@link LeaseLostException}), so a node that stalled past its lease cannot overwrite
 * the result of the node that took the message over.
 *
 * <p>A message just accepted is leased to the node that accepted it, so it goes to delivery
 * in memory as on one node. A message deferred gives its lease up; whichever node is free when
 * it is due claims it.
 */
public interface SharedWork {

    /** This node's name ({@code [queue] node_id}). */
    String nodeId();

    /** How long a lease lasts without renewal. */
    Duration lease();

    /** A message claimed by this node. */
    record Claim(QueuedMessage message, boolean mayBeDelivered) {
    }

    /**
     * Claims up to {@code max} messages that are due and not leased by a live node; each comes
     * back leased to this node. {@code mayBeDelivered} is true when another node (or this one
     * before a restart) held it before: a copy may already be delivered.
     */
    List<Claim> claimDue(int max) throws IOException;

    /** Renews every lease this node holds and its heartbeat; returns the ids whose lease it has lost. */
    Set<Long> renew() throws IOException;

    /** Whether this node holds the message's lease (as far as it knows). */
    boolean holds(long id);

    /** Gives the lease up (the message waits for its next attempt, for any node). Never throws. */
    void release(long id);

    /** Forgets a lease without telling the database (it cannot be reached): it expires by itself. */
    void forget(long id);

    /** Which node holds each live lease, for the queue listing. */
    Map<Long, String> leaseHolders() throws IOException;

    /** The nodes of the cluster with their last heartbeat, for the console and {@code queue list}. */
    List<Node> nodes() throws IOException;

    /** A node as the database knows it. */
    record Node(String nodeId, String hostname, String version, java.time.Instant startedAt,
                java.time.Instant heartbeat, boolean alive, boolean stopped) {
    }
}
