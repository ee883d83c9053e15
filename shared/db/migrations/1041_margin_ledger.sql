-- The agency's margin ledger and closed months (SPEC §12, issue 18).
--
-- * client_buy_costs: the agency's buy cost, an effective-dated partner CPM per client, the
--   twin of the rate card (client_settings). Cost is NOT stored per metric row: a day's
--   cost is computed when read, as impressions x buy CPM x 0.001 of the buy CPM in force on
--   that date (exact numeric; rounded to cents only when it leaves the system). The buy CPM
--   is one value per (client, date), so the per-campaign daily rollup (0702) gives exact
--   costs without touching daily_metrics: sum(impressions) x CPM = sum(impressions x CPM).
--   A buy-cost change therefore rewrites nothing, and ingestion's write path is unchanged.
--   Only all-clients transactions (the admin, the worker) can read or write it: a client's
--   own tenant cannot, whatever a query asks (row-level security, forced).
-- * clients.target_roas: the client's target ROAS, for the break-even CPM
--   (1000 x revenue / (target ROAS x impressions)).
-- * client_closed_months: months the admin closed after invoicing (present = closed);
--   client_month_events: every close and reopen, with who and when.
-- Existing data is untouched.

CREATE TABLE client_buy_costs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id       uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    cpm             numeric(10, 4) NOT NULL CHECK (cpm >= 0),
    -- The buy CPM applies from this date (inclusive) until the next one's date.
    effective_date  date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_client_buy_costs_client_date ON client_buy_costs (client_id, effective_date);
CREATE TRIGGER client_buy_costs_touch BEFORE UPDATE ON client_buy_costs
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

ALTER TABLE client_buy_costs ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_buy_costs FORCE ROW LEVEL SECURITY;
CREATE POLICY all_clients_only ON client_buy_costs
    USING ((SELECT app.all_clients())) WITH CHECK ((SELECT app.all_clients()));
GRANT SELECT, INSERT, UPDATE ON client_buy_costs TO dash_api;
GRANT SELECT ON client_buy_costs TO dash_worker;

-- The buy-cost periods of a client: each CPM with the day it starts and the day after its
-- last ('infinity' when open-ended), for range joins against daily rows.
CREATE OR REPLACE FUNCTION app.buy_cost_periods(p_client_id uuid)
RETURNS TABLE (client_id uuid, cpm numeric, valid_from date, valid_to date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT b.client_id, b.cpm, b.effective_date,
           coalesce(lead(b.effective_date) OVER (ORDER BY b.effective_date), 'infinity'::date)
    FROM client_buy_costs b
    WHERE b.client_id = p_client_id
$$;
GRANT EXECUTE ON FUNCTION app.buy_cost_periods(uuid) TO dash_api, dash_worker;

ALTER TABLE clients ADD COLUMN target_roas numeric(12, 6) CHECK (target_roas > 0);

CREATE TABLE client_closed_months (
    client_id   uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    closed_by   uuid REFERENCES users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    closed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_closed_months_pkey PRIMARY KEY (client_id, month)
);

CREATE TABLE client_month_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    action       varchar(10) NOT NULL CHECK (action IN ('close', 'reopen')),
    actor_id     uuid REFERENCES users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    actor_email  varchar(255) NOT NULL,  -- kept as it was when acting, whatever happens to the user
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_client_month_events_client ON client_month_events (client_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['client_closed_months', 'client_month_events']
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
GRANT SELECT, INSERT, DELETE ON client_closed_months TO dash_api;
GRANT SELECT ON client_closed_months TO dash_worker;
GRANT SELECT, INSERT ON client_month_events TO dash_api;
