-- The functions the dashboard triggers call plan their statements once and keep the plan. At
-- PostgreSQL's default a PL/pgSQL statement with parameters may be planned afresh at every
-- call, and planning the view referral_facts_source (a dozen joins and subqueries) took
-- longer than running it for the one or two referrals a trigger passes. The generic plans
-- look each referral, case and postcode up by index (checked with EXPLAIN against a
-- million-row postcodes table).
ALTER FUNCTION referral_facts_refresh(BIGINT[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION caseload_spans_refresh(BIGINT[], BIGINT[]) SET plan_cache_mode = force_generic_plan;

-- And a referral's tally rows are worked out once for both grains, day and month, rather than
-- once for each.
CREATE OR REPLACE FUNCTION dash_tally_add(id BIGINT, sign BIGINT) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    WITH r AS MATERIALIZED (SELECT kind, day, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = id)
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT r.kind, g.grain, CASE g.grain WHEN 'd' THEN r.day ELSE substr(r.day, 1, 7) END, r.source, r.pathway, r.k1, r.k2, r.k3,
            r.v, sign * r.n, sign * r.s1, sign * r.s2
        FROM r CROSS JOIN (VALUES ('d'), ('m')) AS g (grain);
END;
$$;
