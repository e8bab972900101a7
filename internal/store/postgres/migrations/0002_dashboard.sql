-- 0002: daily rollups for the dashboard (the SQLite store's 0005): one row
-- per flow and UTC day, kept by a trigger as runs get a verdict, so the
-- overview's uptime and 90-day bars read a few hundred rows however many
-- runs are stored. Rollups outlive the runs they count: pruning leaves them.
-- retried counts runs with attempt > 1 (each superseded a failed earlier
-- attempt); flaky counts passes with attempt > 1.
CREATE TABLE run_days (
	flow    text    NOT NULL,
	day     date    NOT NULL,
	pass    integer NOT NULL DEFAULT 0,
	flaky   integer NOT NULL DEFAULT 0,
	fail    integer NOT NULL DEFAULT 0,
	error   integer NOT NULL DEFAULT 0,
	retried integer NOT NULL DEFAULT 0,
	PRIMARY KEY (flow, day)
);

INSERT INTO run_days (flow, day, pass, flaky, fail, error, retried)
SELECT flow, (started_at AT TIME ZONE 'UTC')::date,
	count(*) FILTER (WHERE outcome = 'pass'), count(*) FILTER (WHERE outcome = 'pass' AND attempt > 1),
	count(*) FILTER (WHERE outcome = 'fail'), count(*) FILTER (WHERE outcome = 'error'),
	count(*) FILTER (WHERE attempt > 1)
FROM runs WHERE outcome IN ('pass', 'fail', 'error')
GROUP BY 1, 2;

-- Counts a run once: when it is inserted with a verdict, or when its
-- outcome first becomes one (running or interrupted → pass/fail/error).
CREATE FUNCTION run_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.outcome IN ('pass', 'fail', 'error')
		AND (TG_OP = 'INSERT' OR OLD.outcome NOT IN ('pass', 'fail', 'error')) THEN
		INSERT INTO run_days AS d (flow, day, pass, flaky, fail, error, retried)
		VALUES (NEW.flow, (NEW.started_at AT TIME ZONE 'UTC')::date,
			(NEW.outcome = 'pass')::int, (NEW.outcome = 'pass' AND NEW.attempt > 1)::int,
			(NEW.outcome = 'fail')::int, (NEW.outcome = 'error')::int, (NEW.attempt > 1)::int)
		ON CONFLICT (flow, day) DO UPDATE SET
			pass = d.pass + excluded.pass, flaky = d.flaky + excluded.flaky, fail = d.fail + excluded.fail,
			error = d.error + excluded.error, retried = d.retried + excluded.retried;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER run_days_insert AFTER INSERT ON runs FOR EACH ROW EXECUTE FUNCTION run_days_count();
CREATE TRIGGER run_days_update AFTER UPDATE OF outcome ON runs FOR EACH ROW EXECUTE FUNCTION run_days_count();

-- The flow page filters by outcome and cause.
CREATE INDEX runs_flow_cause ON runs (flow, cause, started_at) WHERE cause <> '';
