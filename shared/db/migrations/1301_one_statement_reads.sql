-- The API's hottest reads as single statements: each runs on its own (the API connection is
-- in autocommit, so a statement is its own transaction) instead of BEGIN, set_config, the
-- query, COMMIT. A request of the overview made 9 round trips to the database, campaigns 8;
-- now 2 each. Through RDS Proxy a round trip costs far more than on loopback.
--
-- How the tenant is still set: each function carries SET clauses for app.client_id and
-- app.all_clients, so PostgreSQL saves both on entry and restores them on exit, whatever the
-- function set in between (set_config(..., true) inside a function with a SET clause for the
-- same variable is undone at its exit). A function sets the tenant its query needs and runs
-- the query under row-level security as before (SECURITY INVOKER); the caller's own tenant,
-- if it is inside a transaction, is untouched afterwards. The client id is the one the API
-- has already checked against the caller's scope, exactly as it was passed to set_config.
--
-- PL/pgSQL keeps each function's plans for the database session: the same benefit as a
-- prepared statement, without the prepared statements that would pin the connection.

-- The per-request session check sees the user's client (for its status) in the all-clients
-- tenant, which it now sets for itself.
ALTER FUNCTION app.session_state(uuid, uuid) SET app.all_clients = 'on' SET app.client_id = '';

-- `dashboard_daily_totals` (shared/db/sql/dashboard.sql) in the client's tenant: the
-- overview's two daily series. The same rows and columns (tests/dashboard/test_one_statement_reads.py),
-- and on each row the client's freshness line (app.data_through's max date, computed once),
-- so an overview with data needs no second statement for it (one without runs app.data_through
-- in a tenant-scoped transaction, as before).
CREATE FUNCTION app.daily_totals(p_client_id uuid, p_date_from date, p_date_to date)
RETURNS TABLE (date date, impressions numeric, clicks numeric, conversions numeric, revenue numeric,
               spend numeric, currency text, data_through date)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, public
SET app.client_id = ''
SET app.all_clients = 'off'
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.client_id', p_client_id::text, true);
    RETURN QUERY
    SELECT m.date,
           sum(m.impressions), sum(m.clicks), sum(m.conversions),
           sum(m.conversion_revenue),
           CASE WHEN sum(m.priced_rows) > 0 THEN sum(m.spend) END,
           (SELECT cc.currency::text FROM clients cc WHERE cc.id = p_client_id),
           (SELECT max(d.date) FROM daily_metrics d WHERE d.client_id = p_client_id)
    FROM daily_campaign_metrics m
    WHERE m.client_id = p_client_id AND m.date BETWEEN p_date_from AND p_date_to
    GROUP BY m.date
    ORDER BY m.date;
END
$$;

-- `dashboard_campaigns` in the client's tenant: one page of the campaign level. The query's
-- `ORDER BY r.<sort> <direction> NULLS LAST, r.id` with the sort as data: the name (text)
-- and the numeric keys each have an ascending and a descending slot, and only the slot of
-- the requested sort and direction is non-null, so rows order exactly as before (names are
-- never null; every other slot ties; r.id breaks ties last). p_sort is one of
-- shared.dashboard.params.SORT_KEYS (validated by the API); anything else is refused.
CREATE FUNCTION app.campaign_breakdown(
    p_client_id uuid, p_date_from date, p_date_to date, p_sort text, p_descending boolean,
    p_limit integer, p_offset integer
)
RETURNS TABLE (total bigint, currency text, id uuid, name text, impressions numeric, clicks numeric,
               conversions numeric, revenue numeric, spend numeric)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, public
SET app.client_id = ''
SET app.all_clients = 'off'
AS $$
#variable_conflict use_column
BEGIN
    IF p_sort IS NULL OR p_sort NOT IN ('name', 'impressions', 'clicks', 'conversions', 'revenue', 'spend',
                                        'ctr', 'cvr', 'cpc', 'cpa', 'roas') THEN
        RAISE EXCEPTION 'unknown sort key %', p_sort USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('app.client_id', p_client_id::text, true);
    RETURN QUERY
    WITH sums AS (
        SELECT m.campaign_id AS id,
               sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
               sum(m.conversion_revenue) AS revenue,
               CASE WHEN sum(m.priced_rows) > 0 THEN sum(m.spend) END AS spend
        FROM daily_campaign_metrics m
        WHERE m.client_id = p_client_id AND m.date BETWEEN p_date_from AND p_date_to
        GROUP BY m.campaign_id
    ), ranked AS (
        SELECT s.*, e.name::text AS name,
               s.clicks::numeric / NULLIF(s.impressions, 0) AS ctr,
               s.conversions::numeric / NULLIF(s.clicks, 0) AS cvr,
               s.spend / NULLIF(s.clicks, 0) AS cpc,
               s.spend / NULLIF(s.conversions, 0) AS cpa,
               s.revenue / NULLIF(s.spend, 0) AS roas
        FROM sums s JOIN campaigns e ON e.id = s.id AND e.client_id = p_client_id
    ), keyed AS (
        SELECT r.*,
               CASE p_sort
                   WHEN 'impressions' THEN r.impressions WHEN 'clicks' THEN r.clicks
                   WHEN 'conversions' THEN r.conversions WHEN 'revenue' THEN r.revenue
                   WHEN 'spend' THEN r.spend WHEN 'ctr' THEN r.ctr WHEN 'cvr' THEN r.cvr
                   WHEN 'cpc' THEN r.cpc WHEN 'cpa' THEN r.cpa WHEN 'roas' THEN r.roas
               END AS sort_value
        FROM ranked r
    )
    SELECT t.total, (SELECT cc.currency::text FROM clients cc WHERE cc.id = p_client_id),
           p.id, p.name, p.impressions, p.clicks, p.conversions, p.revenue, p.spend
    FROM (SELECT count(*) AS total FROM keyed) t
    LEFT JOIN LATERAL (
        SELECT k.* FROM keyed k
        ORDER BY CASE WHEN p_sort = 'name' AND NOT p_descending THEN k.name END ASC NULLS LAST,
                 CASE WHEN p_sort = 'name' AND p_descending THEN k.name END DESC NULLS LAST,
                 CASE WHEN NOT p_descending THEN k.sort_value END ASC NULLS LAST,
                 CASE WHEN p_descending THEN k.sort_value END DESC NULLS LAST,
                 k.id
        LIMIT p_limit OFFSET p_offset
    ) p ON true;
END
$$;

REVOKE ALL ON FUNCTION app.daily_totals(uuid, date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION app.campaign_breakdown(uuid, date, date, text, boolean, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.daily_totals(uuid, date, date) TO dash_api, dash_worker;
GRANT EXECUTE ON FUNCTION app.campaign_breakdown(uuid, date, date, text, boolean, integer, integer)
    TO dash_api, dash_worker;
