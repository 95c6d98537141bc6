-- Placeholder only: version 10 belongs to another branch, which has not landed yet.
-- Migrations must be numbered without gaps, so this branch needs something here to run
-- 0011. When merging, take the other branch's 0010 and delete this file.
SELECT 1;
