-- 0007: the flow page lists a flow's runs of one outcome, newest first
-- (errors of sign-in, say). Without this index SQLite walks every run of the
-- flow to find them; with it, a page reads only the rows it shows. The
-- rowid at the end of the index orders ties on started_at by id.
CREATE INDEX runs_flow_outcome_started ON runs (flow, outcome, started_at);
