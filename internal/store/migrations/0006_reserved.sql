-- 0006: reserved for another branch's migration (retry_of on runs).
-- Placeholder so that 0007 keeps the numbering without gaps: the merge
-- replaces this file with the real 0006 and deletes the placeholder.
SELECT 1;
