-- Placeholder only: version 8 belongs to the directory branch, which has not landed yet.
-- Migrations must be numbered without gaps, so this branch needs something here to run
-- 0009. When merging, take the directory branch's 0008 and delete this file.
SELECT 1;
