-- 0004: runs.retry_of links a later attempt to its first attempt's id (0 for
-- a first attempt), and runs.held_ns is the part of duration_ns that
-- loginprobe's own pacing held requests. The daily rollup counts a
-- superseded failed attempt on its own day, found through retry_of, and only
-- when a later attempt got a verdict (as the SQLite store does).
ALTER TABLE runs ADD COLUMN retry_of bigint NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN held_ns bigint NOT NULL DEFAULT 0;
CREATE INDEX runs_retry_of ON runs (retry_of) WHERE retry_of <> 0;

CREATE OR REPLACE FUNCTION run_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.outcome IN ('pass', 'fail', 'error')
		AND (TG_OP = 'INSERT' OR OLD.outcome NOT IN ('pass', 'fail', 'error')) THEN
		INSERT INTO run_days AS d (flow, day, pass, flaky, fail, error, retried)
		VALUES (NEW.flow, (NEW.started_at AT TIME ZONE 'UTC')::date,
			(NEW.outcome = 'pass')::int, (NEW.outcome = 'pass' AND NEW.attempt > 1)::int,
			(NEW.outcome = 'fail')::int, (NEW.outcome = 'error')::int,
			(NEW.retry_of = 0 AND NEW.attempt > 1)::int)
		ON CONFLICT (flow, day) DO UPDATE SET
			pass = d.pass + excluded.pass, flaky = d.flaky + excluded.flaky, fail = d.fail + excluded.fail,
			error = d.error + excluded.error, retried = d.retried + excluded.retried;
		IF NEW.retry_of <> 0 THEN
			INSERT INTO run_days AS d (flow, day, retried)
			SELECT p.flow, (p.started_at AT TIME ZONE 'UTC')::date, 1 FROM runs p
			WHERE (p.id = NEW.retry_of OR p.retry_of = NEW.retry_of)
				AND p.attempt = NEW.attempt - 1 AND p.outcome = 'fail'
			ON CONFLICT (flow, day) DO UPDATE SET retried = d.retried + 1;
		END IF;
	END IF;
	RETURN NULL;
END $$;
