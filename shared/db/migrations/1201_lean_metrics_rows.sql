-- daily_metrics rows carry only what is read (issue 17, SPEC §10: ingestion ≤ 10x a raw COPY).
--
-- * `id uuid DEFAULT gen_random_uuid()` goes. The seed's surrogate key has had no index
--   since 0701, nothing references it and no query reads it: the primary key is the
--   business key (client_id, date, creative_id), idx_metrics_client_date. Drawing a random
--   uuid for every inserted row was the largest single cost of the insert.
-- * The stored per-row ratios ctr, cpc, cpa, roas go. Every ratio the product shows is
--   computed from sums (SPEC §4: CTR = sum(clicks) / sum(impressions), never an average of
--   row ratios) by shared.metrics and the dashboard, summary and insight queries; none
--   reads these columns. Each was a numeric division computed and stored for every row.
--
-- Measured by the lead on a loaded table (100k rows, INSERT ... SELECT): ~900 ms as it was,
-- ~415 ms without these five columns (and in primary-key order). Existing rows are kept
-- as they are (dropping a column does not rewrite the table); the rollup
-- daily_campaign_metrics, the row-level security policy and the triggers are untouched:
-- none of them names a dropped column.

ALTER TABLE daily_metrics
    DROP COLUMN id,
    DROP COLUMN ctr,
    DROP COLUMN cpc,
    DROP COLUMN cpa,
    DROP COLUMN roas;
