-- 0002: serve mode. Incidents and the notifications sent for them, process
-- heartbeats (so a run left running by a process on another host, such as
-- the previous container, can be marked interrupted), and the link from a run
-- to its process. auto_vacuum=INCREMENTAL cannot be switched on inside this
-- transaction: Go sets it before migrating (a new file) or with a one-time
-- VACUUM (an existing one); see ensureAutoVacuum.

-- A flow incident: consecutive fail verdicts of one flow. A monitor incident:
-- consecutive error runs of any flow (loginprobe cannot judge). The run ids
-- have no foreign key: runs are pruned long before incidents.
CREATE TABLE incidents (
	id              INTEGER PRIMARY KEY,
	kind            TEXT    NOT NULL CHECK (kind IN ('flow', 'monitor')),
	flow            TEXT    NOT NULL DEFAULT '', -- '' for a monitor incident
	location        TEXT    NOT NULL DEFAULT '',
	severity        TEXT    NOT NULL,
	started_at      TEXT    NOT NULL,
	resolved_at     TEXT,                        -- NULL while open
	first_cause     TEXT    NOT NULL DEFAULT '',
	first_summary   TEXT    NOT NULL DEFAULT '',
	first_next      TEXT    NOT NULL DEFAULT '',
	first_evidence  TEXT    NOT NULL DEFAULT '[]',
	latest_cause    TEXT    NOT NULL DEFAULT '',
	latest_summary  TEXT    NOT NULL DEFAULT '',
	latest_next     TEXT    NOT NULL DEFAULT '',
	latest_evidence TEXT    NOT NULL DEFAULT '[]',
	first_run_id    INTEGER NOT NULL DEFAULT 0,
	latest_run_id   INTEGER NOT NULL DEFAULT 0,
	last_notified_at TEXT                        -- NULL until the first message
);
-- At most one open incident per kind, flow and location, whichever process
-- tries to open a second one.
CREATE UNIQUE INDEX incidents_one_open ON incidents (kind, flow, location) WHERE resolved_at IS NULL;
CREATE INDEX incidents_flow_started ON incidents (flow, started_at);
CREATE INDEX incidents_started ON incidents (started_at);
CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE incident_runs (
	incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	run_id      INTEGER NOT NULL,
	PRIMARY KEY (incident_id, run_id)
) WITHOUT ROWID;
CREATE INDEX incident_runs_run ON incident_runs (run_id);

-- One row per message to one channel (result.Notification). incident_id is
-- NULL for a test message.
CREATE TABLE notifications (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER REFERENCES incidents (id) ON DELETE CASCADE,
	channel     TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	event       TEXT    NOT NULL,
	at          TEXT    NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
	error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notifications_incident ON notifications (incident_id, at);
CREATE INDEX notifications_at ON notifications (at);

-- One row per loginprobe process that wrote runs; last_beat is refreshed
-- while it lives.
CREATE TABLE heartbeats (
	process    TEXT PRIMARY KEY, -- host/pid/random: unique even when pids repeat
	host       TEXT    NOT NULL,
	pid        INTEGER NOT NULL,
	proc_start TEXT    NOT NULL DEFAULT '',
	started_at TEXT    NOT NULL,
	last_beat  TEXT    NOT NULL
);

ALTER TABLE runs ADD COLUMN process TEXT NOT NULL DEFAULT ''; -- heartbeats.process; '' before 0002
