-- Application roles and row-level security.
--
-- dash_api     the API handlers. Reads and writes client data only through RLS.
-- dash_worker  ingestion, summaries and scheduled jobs; also the only role that may write
--              the staging table and the ingestion log.
-- Neither owns a table nor has BYPASSRLS; RLS is FORCED so even the owner is filtered.
-- Passwords (AWS) are set by the migration runner from Secrets Manager, never here.
--
-- The tenant is a per-transaction setting, set with set_config(..., true):
--   app.client_id    the one client the transaction may see, or
--   app.all_clients  'on' for an admin request or a worker job that spans clients.
-- With neither set, every policy is false: RLS fails closed.

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['dash_api', 'dash_worker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', r);
        END IF;
    END LOOP;
END;
$$;

CREATE OR REPLACE FUNCTION app.current_client_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('app.client_id', true), '')::uuid
$$;

CREATE OR REPLACE FUNCTION app.all_clients() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('app.all_clients', true), '') = 'on'
$$;

GRANT USAGE ON SCHEMA app TO dash_api, dash_worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO dash_api, dash_worker;
GRANT USAGE ON SCHEMA public TO dash_api, dash_worker;

-- Tables without per-client rows: accounts and sessions (looked up before any tenant is
-- known, at login) are guarded by the application.
GRANT SELECT, INSERT, UPDATE ON users, refresh_tokens, login_attempts TO dash_api;
GRANT DELETE ON login_attempts, refresh_tokens TO dash_api;
GRANT SELECT ON users TO dash_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON alert_log TO dash_worker;
GRANT SELECT ON alert_log TO dash_api;

-- Client data: both roles, always filtered by RLS.
GRANT SELECT, INSERT, UPDATE, DELETE ON
    clients, client_advertisers, client_settings, campaigns, strategies, placements, creatives,
    daily_metrics, weekly_summaries, monthly_summaries, summary_refresh_queue
TO dash_api, dash_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON staging_media_raw TO dash_worker;
GRANT SELECT, INSERT, UPDATE ON ingestion_logs TO dash_worker, dash_api;
GRANT SELECT, INSERT ON ingestion_rejected_rows TO dash_worker;
GRANT SELECT ON ingestion_rejected_rows TO dash_api;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dash_worker;

-- Policies. `(SELECT ...)` makes the planner evaluate the setting once per statement.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client_advertisers', 'client_settings', 'campaigns', 'strategies',
                             'placements', 'creatives', 'daily_metrics', 'weekly_summaries',
                             'monthly_summaries', 'summary_refresh_queue', 'staging_media_raw',
                             'alert_log']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id())) '
            'WITH CHECK ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()))',
            t);
    END LOOP;
END;
$$;

-- A client is its own tenant row.
ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON clients
    USING ((SELECT app.all_clients()) OR id = (SELECT app.current_client_id()))
    WITH CHECK ((SELECT app.all_clients()));

-- The ingestion log spans clients: only all-clients transactions (admin, worker) see it.
ALTER TABLE ingestion_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingestion_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY all_clients_only ON ingestion_logs
    USING ((SELECT app.all_clients())) WITH CHECK ((SELECT app.all_clients()));
ALTER TABLE ingestion_rejected_rows ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingestion_rejected_rows FORCE ROW LEVEL SECURITY;
CREATE POLICY all_clients_only ON ingestion_rejected_rows
    USING ((SELECT app.all_clients())) WITH CHECK ((SELECT app.all_clients()));
