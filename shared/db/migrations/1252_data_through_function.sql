-- The overview's freshness line (`dashboard_data_through`) as a PL/pgSQL function, so its
-- plan is cached by each database session instead of being made again for every request
-- (the API's connection uses no prepared statements: RDS Proxy would pin it). The same
-- query, the same answer: SECURITY INVOKER, so row-level security applies as before (a
-- tenant sees its own rows and client only).
CREATE FUNCTION app.data_through(p_client_id uuid)
RETURNS TABLE (data_through date, currency text)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, public
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT max(m.date),
           (SELECT cc.currency::text FROM clients cc WHERE cc.id = p_client_id)
    FROM daily_metrics m WHERE m.client_id = p_client_id;
END
$$;

REVOKE ALL ON FUNCTION app.data_through(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.data_through(uuid) TO dash_api, dash_worker;
