-- 0006: scheduled slots. One row per scheduled run of a flow at a location,
-- claimed by the first process that takes it (store.Slots), so a run is never
-- made twice for one slot, even by two replicas around a failover. slot is
-- the time the schedule meant the run to start (UTC text, as every time).
CREATE TABLE slots (
	flow       TEXT NOT NULL,
	location   TEXT NOT NULL,
	slot       TEXT NOT NULL,
	claimed_at TEXT NOT NULL,
	process    TEXT NOT NULL DEFAULT '', -- heartbeats.process of the claimer
	PRIMARY KEY (flow, location, slot)
) WITHOUT ROWID;
CREATE INDEX slots_claimed ON slots (claimed_at);
