-- Restatements decided by content, not bytes (SPEC §3 "Idempotency and restatements"):
-- one row per stored (client, date) with a fingerprint of its parsed rows, so the same
-- rows re-sent in any encoding (gzip, BOM, CRLF) are `duplicate` while an earlier file
-- re-sent after a restatement loads again (v1 -> v2 -> v1 -> v2 ends on v2).

CREATE TABLE ingestion_day_versions (
    client_id         uuid NOT NULL REFERENCES clients (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    date              date NOT NULL,
    fingerprint       char(32) NOT NULL,   -- md5 of the day's rows (app.day_row_text, sorted)
    ingestion_run_id  uuid REFERENCES ingestion_logs (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, date)
);

-- One row's canonical text: the same parsed row gives the same text whatever its bytes.
CREATE FUNCTION app.day_row_text(
    campaign text, strategy text, placement text, creative text,
    impressions bigint, clicks bigint, conversions bigint, revenue numeric
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws(E'\t', campaign, strategy, placement, creative,
                     impressions, clicks, conversions, revenue::numeric(18, 6))
$$;

-- Identity by bytes is gone: the same bytes may load again after a restatement.
DROP INDEX IF EXISTS idx_ingestion_logs_checksum_loaded;
CREATE INDEX idx_ingestion_logs_checksum ON ingestion_logs (checksum);

ALTER TABLE ingestion_day_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingestion_day_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ingestion_day_versions
    USING ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()))
    WITH CHECK ((SELECT app.all_clients()) OR client_id = (SELECT app.current_client_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON ingestion_day_versions TO dash_worker;
GRANT SELECT ON ingestion_day_versions TO dash_api;
GRANT EXECUTE ON FUNCTION app.day_row_text(text, text, text, text, bigint, bigint, bigint, numeric)
    TO dash_api, dash_worker;

-- Existing data keeps its meaning: fingerprint every stored day (as the owner, every
-- client visible for this transaction).
SELECT set_config('app.all_clients', 'on', true);
INSERT INTO ingestion_day_versions (client_id, date, fingerprint, ingestion_run_id)
SELECT d.client_id, d.date,
       md5(string_agg(app.day_row_text(c.name, s.name, p.name, cr.name, d.impressions, d.clicks,
                                       d.conversions, d.conversion_revenue), E'\n'
                      ORDER BY app.day_row_text(c.name, s.name, p.name, cr.name, d.impressions, d.clicks,
                                                d.conversions, d.conversion_revenue) COLLATE "C")),
       (array_agg(d.ingestion_run_id))[1]
FROM daily_metrics d
JOIN campaigns c ON c.id = d.campaign_id
JOIN strategies s ON s.id = d.strategy_id
JOIN placements p ON p.id = d.placement_id
JOIN creatives cr ON cr.id = d.creative_id
GROUP BY d.client_id, d.date;
