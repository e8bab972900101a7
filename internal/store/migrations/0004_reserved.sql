-- 0004: reserved for another branch's migration (runs.held_ns).
-- Placeholder so that 0005 keeps the numbering without gaps: the merge
-- replaces this file with the real 0004 and deletes the placeholder.
SELECT 1;
