-- 0005: daily rollups for the dashboard, so the overview's uptime and
-- 90-day bars read a few hundred rows however many runs are stored. One row
-- per flow and UTC day (day is "YYYY-MM-DD"), kept by triggers as runs get a
-- verdict. Rollups outlive the runs they count: pruning runs leaves them.
--
-- retried counts runs with attempt > 1: each one superseded an earlier
-- failed attempt of the same scheduled run, so that attempt's fail is not a
-- verdict (a pass on retry is flaky and counts as up). flaky counts passes
-- with attempt > 1.
CREATE TABLE run_days (
	flow    TEXT    NOT NULL,
	day     TEXT    NOT NULL,
	pass    INTEGER NOT NULL DEFAULT 0,
	flaky   INTEGER NOT NULL DEFAULT 0,
	fail    INTEGER NOT NULL DEFAULT 0,
	error   INTEGER NOT NULL DEFAULT 0,
	retried INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (flow, day)
) WITHOUT ROWID;

INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
SELECT flow, substr(started_at, 1, 10),
	sum(outcome = 'pass'), sum(outcome = 'pass' AND attempt > 1),
	sum(outcome = 'fail'), sum(outcome = 'error'), sum(attempt > 1)
FROM runs WHERE outcome IN ('pass', 'fail', 'error')
GROUP BY flow, substr(started_at, 1, 10);

CREATE TRIGGER run_days_insert AFTER INSERT ON runs
WHEN NEW.outcome IN ('pass', 'fail', 'error')
BEGIN
	INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
	VALUES (NEW.flow, substr(NEW.started_at, 1, 10), NEW.outcome = 'pass',
		NEW.outcome = 'pass' AND NEW.attempt > 1, NEW.outcome = 'fail', NEW.outcome = 'error', NEW.attempt > 1)
	ON CONFLICT (flow, day) DO UPDATE SET
		pass = pass + excluded.pass, flaky = flaky + excluded.flaky, fail = fail + excluded.fail,
		error = error + excluded.error, retried = retried + excluded.retried;
END;

CREATE TRIGGER run_days_update AFTER UPDATE OF outcome ON runs
WHEN NEW.outcome IN ('pass', 'fail', 'error') AND OLD.outcome NOT IN ('pass', 'fail', 'error')
BEGIN
	INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
	VALUES (NEW.flow, substr(NEW.started_at, 1, 10), NEW.outcome = 'pass',
		NEW.outcome = 'pass' AND NEW.attempt > 1, NEW.outcome = 'fail', NEW.outcome = 'error', NEW.attempt > 1)
	ON CONFLICT (flow, day) DO UPDATE SET
		pass = pass + excluded.pass, flaky = flaky + excluded.flaky, fail = fail + excluded.fail,
		error = error + excluded.error, retried = retried + excluded.retried;
END;

-- The flow page filters by outcome and cause.
CREATE INDEX runs_flow_cause ON runs (flow, cause, started_at) WHERE cause <> '';
