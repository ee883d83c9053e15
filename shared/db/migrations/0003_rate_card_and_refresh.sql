-- The two rules several features share, defined once in SQL.

-- The rate-card row in force for a client on a date: the latest effective_date on or before
-- it. An inlinable SQL function: used in FROM / LATERAL it plans like a join, so set-based
-- loads and re-pricing stay set-based.
CREATE OR REPLACE FUNCTION app.rate_in_force(p_client_id uuid, p_date date)
RETURNS TABLE (client_setting_id uuid, cpm numeric)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT cs.id, cs.cpm
    FROM client_settings cs
    WHERE cs.client_id = p_client_id AND cs.effective_date <= p_date
    ORDER BY cs.effective_date DESC
    LIMIT 1
$$;

-- Queue the existing weekly and monthly summaries of a client that overlap [p_from, p_to]
-- for regeneration (after a restatement or a re-pricing). Returns how many were queued.
CREATE OR REPLACE FUNCTION app.enqueue_summary_refresh(p_client_id uuid, p_from date, p_to date)
RETURNS integer
LANGUAGE sql VOLATILE AS $$
    WITH periods AS (
        SELECT 'weekly'::varchar AS kind, week_start AS period_start
        FROM weekly_summaries
        WHERE client_id = p_client_id AND week_start <= p_to AND week_end >= p_from
        UNION ALL
        SELECT 'monthly', month_start
        FROM monthly_summaries
        WHERE client_id = p_client_id AND month_start <= p_to AND month_end >= p_from
    ), queued AS (
        INSERT INTO summary_refresh_queue (client_id, kind, period_start)
        SELECT p_client_id, kind, period_start FROM periods
        ON CONFLICT (client_id, kind, period_start) DO UPDATE SET requested_at = now()
        RETURNING 1
    )
    SELECT count(*)::integer FROM queued
$$;

GRANT EXECUTE ON FUNCTION app.rate_in_force(uuid, date) TO dash_api, dash_worker;
GRANT EXECUTE ON FUNCTION app.enqueue_summary_refresh(uuid, date, date) TO dash_api, dash_worker;
