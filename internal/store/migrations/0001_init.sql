-- 0001: the record of a run. Times are UTC text in a fixed-width RFC 3339
-- layout with nanoseconds ("2006-01-02T15:04:05.000000000Z"), so they sort as
-- text and read well in the sqlite3 shell; durations are integer nanoseconds
-- (time.Duration). Lists (evidence, notes) are JSON arrays of strings.

CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	flow          TEXT    NOT NULL,
	target        TEXT    NOT NULL DEFAULT '',
	probe         TEXT    NOT NULL DEFAULT '',
	attempt       INTEGER NOT NULL DEFAULT 0,
	started_at    TEXT    NOT NULL,
	duration_ns   INTEGER NOT NULL DEFAULT 0,
	outcome       TEXT    NOT NULL
		CHECK (outcome IN ('running', 'pass', 'fail', 'error', 'interrupted', 'skipped')),
	message       TEXT    NOT NULL DEFAULT '',
	cause         TEXT    NOT NULL DEFAULT '',
	summary       TEXT    NOT NULL DEFAULT '',
	next_step     TEXT    NOT NULL DEFAULT '',
	evidence      TEXT    NOT NULL DEFAULT '[]',
	clerk_status  TEXT    NOT NULL DEFAULT '',
	clerk_version TEXT    NOT NULL DEFAULT '',
	page_url      TEXT    NOT NULL DEFAULT '',
	page_title    TEXT    NOT NULL DEFAULT '',
	notes         TEXT    NOT NULL DEFAULT '[]',
	-- Who is running it: a run left 'running' by a process that is gone is
	-- marked 'interrupted' by the next loginprobe on the same host.
	host          TEXT    NOT NULL DEFAULT '',
	pid           INTEGER NOT NULL DEFAULT 0,
	proc_start    TEXT    NOT NULL DEFAULT '', -- boot id + process start ticks; '' if unknown
	finished_at   TEXT                         -- NULL while running
);
CREATE INDEX runs_flow_started ON runs (flow, started_at);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_running ON runs (host) WHERE outcome = 'running';

CREATE TABLE steps (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	started_at  TEXT    NOT NULL,
	duration_ns INTEGER NOT NULL,
	outcome     TEXT    NOT NULL,
	error       TEXT    NOT NULL DEFAULT '',
	always      INTEGER NOT NULL DEFAULT 0 CHECK (always IN (0, 1))
);
CREATE UNIQUE INDEX steps_run ON steps (run_id, seq);

CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	time        TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	level       TEXT    NOT NULL DEFAULT '',
	text        TEXT    NOT NULL DEFAULT '',
	source      TEXT    NOT NULL DEFAULT '',
	method      TEXT    NOT NULL DEFAULT '',
	url         TEXT    NOT NULL DEFAULT '',
	status      INTEGER NOT NULL DEFAULT 0,
	clerk_code  TEXT    NOT NULL DEFAULT '',
	trace_id    TEXT    NOT NULL DEFAULT '',
	duration_ns INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX events_run ON events (run_id, seq);

-- Screenshots have their own table so listing runs never reads image bytes;
-- data is the last column so reading the metadata skips its overflow pages.
CREATE TABLE screenshots (
	id         INTEGER PRIMARY KEY,
	run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	step       TEXT    NOT NULL DEFAULT '',
	kind       TEXT    NOT NULL, -- result.Screenshot.When: 'failure' or 'final'
	format     TEXT    NOT NULL DEFAULT '',
	taken_at   TEXT    NOT NULL,
	data       BLOB    NOT NULL
);
CREATE UNIQUE INDEX screenshots_run ON screenshots (run_id, seq);
