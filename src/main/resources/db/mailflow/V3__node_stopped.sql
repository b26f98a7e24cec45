-- A node that stopped cleanly says so: the overview shows it as stopped, not as down.
ALTER TABLE mailflow_node ADD COLUMN stopped_at timestamptz;
