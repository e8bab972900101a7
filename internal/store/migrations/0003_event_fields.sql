-- Typed failure fields of events (result.Event.Failure and BlockedBy), so
-- that evidence is read from fields, not from words in the event text.
ALTER TABLE events ADD COLUMN failure    TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN blocked_by TEXT NOT NULL DEFAULT '';
