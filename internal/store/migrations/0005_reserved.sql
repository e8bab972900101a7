-- 0005: reserved for another branch's migration (dashboard rollups).
-- Placeholder so that 0006 keeps the numbering without gaps: the merge
-- replaces this file with the real 0005 and deletes the placeholder.
SELECT 1;
