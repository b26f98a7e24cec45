-- A node that stopped cleanly says so: the overview shows it as stopped, not as down, and
-- its next start need not wait to see whether another node with its node_id is alive.
ALTER TABLE mailflow_node ADD COLUMN stopped_at timestamptz;
-- How often the node renews its heartbeat: a new node with the same node_id waits that long
-- to see whether the heartbeat moves, whatever its own lease.
ALTER TABLE mailflow_node ADD COLUMN renew_ms bigint;
