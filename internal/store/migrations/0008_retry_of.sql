-- 0008: attempts are linked, not guessed. retry_of is the id of a run's
-- first attempt (0 for a first attempt, and for runs stored before 0006), so
-- the incident rebuild, `loginprobe ci` and the rollups find a run's earlier
-- attempts by id instead of by their order in the table.
ALTER TABLE runs ADD COLUMN retry_of INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_retry_of ON runs (retry_of) WHERE retry_of <> 0;

-- run_days.retried now counts, on its own day, each failed attempt that a
-- later attempt of the same scheduled run superseded (its fail is not a
-- verdict), found through retry_of: the attempt just before the one that
-- gets a verdict. Before, it counted runs with attempt > 1 on their day,
-- which was wrong when the retry was interrupted or ran after midnight; a
-- later attempt stored without retry_of (an older writer) is still counted
-- that way.
DROP TRIGGER run_days_insert;
DROP TRIGGER run_days_update;

CREATE TRIGGER run_days_insert AFTER INSERT ON runs
WHEN NEW.outcome IN ('pass', 'fail', 'error')
BEGIN
	INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
	VALUES (NEW.flow, substr(NEW.started_at, 1, 10), NEW.outcome = 'pass',
		NEW.outcome = 'pass' AND NEW.attempt > 1, NEW.outcome = 'fail', NEW.outcome = 'error',
		NEW.retry_of = 0 AND NEW.attempt > 1)
	ON CONFLICT (flow, day) DO UPDATE SET
		pass = pass + excluded.pass, flaky = flaky + excluded.flaky, fail = fail + excluded.fail,
		error = error + excluded.error, retried = retried + excluded.retried;
	INSERT INTO run_days (flow, day, retried)
	SELECT p.flow, substr(p.started_at, 1, 10), 1 FROM runs p
	WHERE NEW.retry_of <> 0 AND (p.id = NEW.retry_of OR p.retry_of = NEW.retry_of)
		AND p.attempt = NEW.attempt - 1 AND p.outcome = 'fail'
	ON CONFLICT (flow, day) DO UPDATE SET retried = retried + 1;
END;

CREATE TRIGGER run_days_update AFTER UPDATE OF outcome ON runs
WHEN NEW.outcome IN ('pass', 'fail', 'error') AND OLD.outcome NOT IN ('pass', 'fail', 'error')
BEGIN
	INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
	VALUES (NEW.flow, substr(NEW.started_at, 1, 10), NEW.outcome = 'pass',
		NEW.outcome = 'pass' AND NEW.attempt > 1, NEW.outcome = 'fail', NEW.outcome = 'error',
		NEW.retry_of = 0 AND NEW.attempt > 1)
	ON CONFLICT (flow, day) DO UPDATE SET
		pass = pass + excluded.pass, flaky = flaky + excluded.flaky, fail = fail + excluded.fail,
		error = error + excluded.error, retried = retried + excluded.retried;
	INSERT INTO run_days (flow, day, retried)
	SELECT p.flow, substr(p.started_at, 1, 10), 1 FROM runs p
	WHERE NEW.retry_of <> 0 AND (p.id = NEW.retry_of OR p.retry_of = NEW.retry_of)
		AND p.attempt = NEW.attempt - 1 AND p.outcome = 'fail'
	ON CONFLICT (flow, day) DO UPDATE SET retried = retried + 1;
END;
