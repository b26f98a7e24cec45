-- Mailflow's shared queue (cluster mode, [queue] store = "postgresql"): one row per accepted
-- message, leased by the node that delivers it; the nodes and their heartbeats; the tracking
-- events of the whole cluster. Applied by Flyway (history in mailflow_schema_history).

CREATE SEQUENCE mailflow_queue_ids INCREMENT BY 1000 START WITH 1000;

CREATE TABLE mailflow_queue (
    id           bigint      PRIMARY KEY,
    state        text        NOT NULL CHECK (state IN ('active', 'deferred', 'hold', 'corrupt')),
    envelope     text        NOT NULL,          -- JSON, as the file queue writes it
    status       text        NOT NULL,          -- JSON: per-recipient states, attempts, next attempt
    content      bytea       NOT NULL,          -- the message as received
    size         bigint      NOT NULL,
    received_at  timestamptz NOT NULL,
    accepted_by  text        NOT NULL,          -- node_id of the node that sent the 250
    next_attempt timestamptz NOT NULL DEFAULT now(),
    lease_owner  text,                          -- node_id holding the lease, or null
    lease_until  timestamptz,
    generation   bigint      NOT NULL DEFAULT 1 -- grows with every claim: fences a stalled owner
);

CREATE INDEX mailflow_queue_due ON mailflow_queue (next_attempt) WHERE state IN ('active', 'deferred');
CREATE INDEX mailflow_queue_owner ON mailflow_queue (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE mailflow_node (
    node_id     text        PRIMARY KEY,
    hostname    text        NOT NULL,
    version     text        NOT NULL,
    incarnation text        NOT NULL,           -- random per start: two live nodes with one node_id are told apart
    started_at  timestamptz NOT NULL,
    heartbeat   timestamptz NOT NULL
);

CREATE TABLE mailflow_tracking (
    seq      bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL,
    node_id  text        NOT NULL,
    queue_id bigint,
    event    text        NOT NULL               -- JSON, as the tracking log's lines
);

CREATE INDEX mailflow_tracking_at ON mailflow_tracking (at);
CREATE INDEX mailflow_tracking_queue ON mailflow_tracking (queue_id);
