-- 0002: reserved for another branch's migration (incidents/notifications).
-- Placeholder so that 0004 keeps the numbering without gaps: the merge
-- replaces this file with the real 0002 and deletes the placeholder.
SELECT 1;
