-- 0004: how long loginprobe's own pacing held a run's requests (nanoseconds,
-- part of duration_ns). duration_ns - held_ns is the time the target took.
ALTER TABLE runs ADD COLUMN held_ns INTEGER NOT NULL DEFAULT 0;
