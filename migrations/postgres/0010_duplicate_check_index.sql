-- The duplicate check reads everyone born on a date, comparing names: with the given name and
-- NHS number in the index it reads the index alone, not each person's row.
DROP INDEX people_birth_name;
CREATE INDEX people_birth_name ON people (date_of_birth, family_name, given_name, nhs_number);
