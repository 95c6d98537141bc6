-- Indexes that no query of the directory, the provider pages, the gaps report or the open feed
-- reads (checked with EXPLAIN QUERY PLAN of every such query the tests run), each costing every
-- imported service a b-tree write. Lookups by source go by organisation
-- (dir_services_organization); the open feed's age and modified_after filters go with its
-- internal_only condition (dir_services_internal); the practitioners' age filter reads the
-- table faster than it reads dir_services_minimum_age; addresses are joined by location, not
-- looked up by postcode; languages and organisation identifiers are never searched by value.
DROP INDEX dir_services_source;
DROP INDEX dir_services_minimum_age;
DROP INDEX dir_services_maximum_age;
DROP INDEX dir_services_modified;
DROP INDEX dir_addresses_postal_code;
DROP INDEX dir_languages_code;
DROP INDEX dir_organization_identifiers_value;
