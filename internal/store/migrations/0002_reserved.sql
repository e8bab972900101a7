-- Placeholder: number 0002 belongs to another change being merged at the
-- same time. When that change's 0002 lands, delete this file.
SELECT 1;
