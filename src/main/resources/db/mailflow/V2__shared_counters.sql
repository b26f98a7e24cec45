-- Counters the nodes of a cluster share: the rate limits' events and greylisting's triplets.

CREATE TABLE mailflow_rate_event (
    key text        NOT NULL,                   -- "<connector> messages <client>", "user <name>", ...
    at  timestamptz NOT NULL
);

CREATE INDEX mailflow_rate_event_key_at ON mailflow_rate_event (key, at);
CREATE INDEX mailflow_rate_event_at ON mailflow_rate_event (at);

CREATE TABLE mailflow_greylist (
    triplet    text        PRIMARY KEY,         -- "<client network> <sender> <recipient>"
    first_seen timestamptz NOT NULL,
    passed     timestamptz,
    last_seen  timestamptz NOT NULL
);

CREATE INDEX mailflow_greylist_last_seen ON mailflow_greylist (last_seen);
