// Package postgres is loginprobe's PostgreSQL store: the same store.DB as
// the SQLite file, for several replicas (and locations) sharing one record.
// Both pass storetest.RunContract.
//
// Schema: the numbered files in migrations/ (embedded), applied in one
// transaction under a transaction-level advisory lock, so replicas starting
// at once migrate once; applied versions are rows of schema_migrations.
// Times are timestamptz (PostgreSQL keeps microseconds; they are read back
// in UTC), durations bigint nanoseconds, lists (evidence, notes) jsonb arrays
// of strings, screenshots bytea in their own table (listing runs never reads
// them). A run's location is result.Run.Probe, in runs.probe. The
// dashboard's daily rollups (run_days) are kept by a trigger, as in SQLite. Every text is
// redacted (secret.RedactPatterns) before it is written, as in SQLite.
//
// Runs left running by a process that died are marked interrupted by the
// heartbeat alone: processes on other machines share no pids, so a run
// whose process has not beaten for Options.StaleAfter is interrupted.
// Heartbeats carry each replica's own clock (Options.Now, so tests can move
// it), so replicas' clocks must agree to well within StaleAfter − BeatEvery
// (100 s by default): NTP does.
//
// The pool is pgxpool's (at most max(4, CPUs) connections; pool_max_conns
// and connect_timeout in the URL change it; without connect_timeout a
// connection attempt gives up after 5 s).
//
// Retention deletes in batches of pruneBatch rows per transaction; the space
// is reused through autovacuum, which runs by default: nothing else
// (VACUUM FULL, pg_repack) is needed, and Pruned.FreedPages stays 0.
//
// Secrets: the URL's password never appears in Path() or in an error (pgx's
// connect errors name host, user and database only; every error of Open is
// also scrubbed of the password).
package postgres
