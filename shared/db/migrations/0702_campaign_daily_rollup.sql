-- Exact daily totals per campaign, for the dashboard's reads that need no finer grain
-- (overview, the campaigns level, time series without a filter below campaign): ~60x fewer
-- rows than daily_metrics (300 creatives a day -> 5 campaigns a day on the benchmark data).
--
-- Maintained by statement-level triggers on daily_metrics (transition tables), so it
-- changes in the same transaction as the rows it sums, whoever writes them: the ingestion
-- load and its restatements, the rate-card re-pricing, the fixtures and the benchmark. It
-- is never stale and never needs a refresh job. Each statement adds the sums of its new
-- rows and subtracts those of its old ones (numeric arithmetic: exact), then drops the
-- groups left without rows. Writers of one client are serialised by app.lock_client_data,
-- so two loads never race on the same rollup row.
--
-- spend sums only priced rows; priced_rows says whether any row was priced, so the read
-- returns NULL exactly when sum(daily_metrics.spend) would.

CREATE TABLE daily_campaign_metrics (
    client_id           uuid NOT NULL,
    date                date NOT NULL,
    campaign_id         uuid NOT NULL,
    row_count           integer NOT NULL CHECK (row_count > 0),
    priced_rows         integer NOT NULL CHECK (priced_rows BETWEEN 0 AND row_count),
    impressions         bigint NOT NULL,
    clicks              bigint NOT NULL,
    conversions         bigint NOT NULL,
    conversion_revenue  numeric NOT NULL,
    spend               numeric NOT NULL,
    CONSTRAINT daily_campaign_metrics_pkey PRIMARY KEY (client_id, date, campaign_id)
        INCLUDE (priced_rows, impressions, clicks, conversions, conversion_revenue, spend),
    CONSTRAINT daily_campaign_metrics_campaign_fkey FOREIGN KEY (client_id, campaign_id)
        REFERENCES campaigns (client_id, id) ON UPDATE CASCADE ON DELETE RESTRICT
);

CREATE OR REPLACE FUNCTION app.maintain_daily_campaign_metrics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT client_id, date, campaign_id, count(*)::integer AS n, count(spend)::integer AS priced,
               sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
               sum(conversions)::bigint AS conversions, sum(conversion_revenue) AS conversion_revenue,
               coalesce(sum(spend), 0) AS spend
        FROM new_rows GROUP BY client_id, date, campaign_id
    )
    INSERT INTO daily_campaign_metrics AS t (client_id, date, campaign_id, row_count, priced_rows,
                                             impressions, clicks, conversions, conversion_revenue, spend)
    SELECT * FROM delta
    ON CONFLICT (client_id, date, campaign_id) DO UPDATE
    SET row_count = t.row_count + EXCLUDED.row_count,
        priced_rows = t.priced_rows + EXCLUDED.priced_rows,
        impressions = t.impressions + EXCLUDED.impressions,
        clicks = t.clicks + EXCLUDED.clicks,
        conversions = t.conversions + EXCLUDED.conversions,
        conversion_revenue = t.conversion_revenue + EXCLUDED.conversion_revenue,
        spend = t.spend + EXCLUDED.spend;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION app.subtract_daily_campaign_metrics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Runs before the adding trigger of the same UPDATE (triggers fire in name order), so
    -- a group emptied by a DELETE, or moved away by an UPDATE, is removed here.
    WITH delta AS (
        SELECT client_id, date, campaign_id, count(*)::integer AS n,
               count(spend)::integer AS priced,
               sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
               sum(conversions)::bigint AS conversions, sum(conversion_revenue) AS conversion_revenue,
               coalesce(sum(spend), 0) AS spend
        FROM old_rows GROUP BY client_id, date, campaign_id
    ), kept AS (
        UPDATE daily_campaign_metrics t
        SET row_count = t.row_count - d.n,
            priced_rows = t.priced_rows - d.priced,
            impressions = t.impressions - d.impressions,
            clicks = t.clicks - d.clicks,
            conversions = t.conversions - d.conversions,
            conversion_revenue = t.conversion_revenue - d.conversion_revenue,
            spend = t.spend - d.spend
        FROM delta d
        WHERE t.client_id = d.client_id AND t.date = d.date AND t.campaign_id = d.campaign_id
          AND t.row_count > d.n
        RETURNING t.client_id
    )
    DELETE FROM daily_campaign_metrics t
    USING delta d
    WHERE t.client_id = d.client_id AND t.date = d.date AND t.campaign_id = d.campaign_id
      AND t.row_count <= d.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER daily_metrics_rollup_1_subtract_deleted AFTER DELETE ON daily_metrics
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.subtract_daily_campaign_metrics();
CREATE TRIGGER daily_metrics_rollup_1_subtract_updated AFTER UPDATE ON daily_metrics
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.subtract_daily_campaign_metrics();
CREATE TRIGGER daily_metrics_rollup_2_add_inserted AFTER INSERT ON daily_metrics
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.maintain_daily_campaign_metrics();
CREATE TRIGGER daily_metrics_rollup_2_add_updated AFTER UPDATE ON daily_metrics
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.maintain_daily_campaign_metrics();

CREATE OR REPLACE FUNCTION app.truncate_daily_campaign_metrics() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM daily_campaign_metrics;
    RETURN NULL;
END;
$$;
CREATE TRIGGER daily_metrics_rollup_truncate AFTER TRUNCATE ON daily_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION app.truncate_daily_campaign_metrics();

-- The rows already stored.
INSERT INTO daily_campaign_metrics (client_id, date, campaign_id, row_count, priced_rows,
                                    impressions, clicks, conversions, conversion_revenue, spend)
SELECT client_id, date, campaign_id, count(*), count(spend),
       sum(impressions), sum(clicks), sum(conversions), sum(conversion_revenue), coalesce(sum(spend), 0)
FROM daily_metrics
GROUP BY client_id, date, campaign_id;

ALTER TABLE daily_campaign_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE daily_campaign_metrics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON daily_campaign_metrics
    USING ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()))
    WITH CHECK ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()));

-- Whoever may write daily_metrics writes the rollup through the triggers (as themselves).
GRANT SELECT, INSERT, UPDATE, DELETE ON daily_campaign_metrics TO dash_api, dash_worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO dash_api, dash_worker;
