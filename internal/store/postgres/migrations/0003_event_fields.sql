-- 0003: typed failure fields of events (result.Event.Failure and BlockedBy;
-- the SQLite store's 0003), so evidence is read from fields, not words.
ALTER TABLE events ADD COLUMN failure    text NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN blocked_by text NOT NULL DEFAULT '';
