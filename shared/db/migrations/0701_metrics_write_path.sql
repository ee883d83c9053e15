-- The write path of daily_metrics, redesigned for how it is used (issue 17, SPEC §10).
--
-- Before: a random uuid primary key, a unique business key, the covering (client_id, date)
-- index and four per-entity (entity_id, date) indexes — 7 indexes — and 7 foreign keys
-- checked row by row. A plain INSERT of 100k rows cost ~33x a raw COPY of them.
--
-- After:
-- * The business key (client_id, date, creative_id) is the primary key, and it is the
--   dashboard's covering index, under its seed name idx_metrics_client_date: its leading
--   columns are the (client_id, date) access path of every dashboard, insights and summary
--   query, and the INCLUDEd columns make those scans index-only. One index instead of 7.
--   The per-entity indexes went: no query of shared/db/sql reads daily_metrics without
--   client_id and a date range (EXPLAIN on the benchmark dataset picks the covering index
--   for every one of them, with or without an entity filter; docs/database.md).
-- * One composite foreign key to the creative path (client, campaign, strategy, placement,
--   creative) instead of five single ones. The dimensions carry their parents' ids for it
--   (placements.campaign_id; creatives.campaign_id, strategy_id), filled from the parent on
--   insert and themselves checked by composite keys, so a metrics row can only name a
--   creative together with its own placement, strategy, campaign and client.
-- * `id` stays (the seed's column; nothing references it) but is no longer indexed.
-- Existing rows are kept; the new keys are validated against them.

-- ---------------------------------------------------------------- the dimension path

ALTER TABLE placements ADD COLUMN campaign_id uuid;
UPDATE placements p SET campaign_id = s.campaign_id FROM strategies s WHERE s.id = p.strategy_id;
ALTER TABLE placements ALTER COLUMN campaign_id SET NOT NULL;

ALTER TABLE creatives ADD COLUMN campaign_id uuid, ADD COLUMN strategy_id uuid;
UPDATE creatives c SET campaign_id = p.campaign_id, strategy_id = p.strategy_id
FROM placements p WHERE p.id = c.placement_id;
ALTER TABLE creatives ALTER COLUMN campaign_id SET NOT NULL, ALTER COLUMN strategy_id SET NOT NULL;

-- The parent ids of a placement or creative are always taken from its parent row (writers
-- name only the direct parent, as before), so they cannot disagree with it.
CREATE OR REPLACE FUNCTION app.fill_dimension_path() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'placements' THEN
        SELECT s.campaign_id INTO NEW.campaign_id FROM strategies s WHERE s.id = NEW.strategy_id;
    ELSE
        SELECT p.campaign_id, p.strategy_id INTO NEW.campaign_id, NEW.strategy_id
        FROM placements p WHERE p.id = NEW.placement_id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER placements_fill_path BEFORE INSERT OR UPDATE OF strategy_id ON placements
    FOR EACH ROW EXECUTE FUNCTION app.fill_dimension_path();
CREATE TRIGGER creatives_fill_path BEFORE INSERT OR UPDATE OF placement_id ON creatives
    FOR EACH ROW EXECUTE FUNCTION app.fill_dimension_path();

CREATE UNIQUE INDEX idx_campaigns_path ON campaigns (client_id, id);
CREATE UNIQUE INDEX idx_strategies_path ON strategies (client_id, campaign_id, id);
CREATE UNIQUE INDEX idx_placements_path ON placements (client_id, campaign_id, strategy_id, id);
CREATE UNIQUE INDEX idx_creatives_path ON creatives (client_id, campaign_id, strategy_id, placement_id, id);

ALTER TABLE strategies ADD CONSTRAINT strategies_path_fkey
    FOREIGN KEY (client_id, campaign_id) REFERENCES campaigns (client_id, id)
    ON UPDATE CASCADE ON DELETE RESTRICT;
ALTER TABLE placements ADD CONSTRAINT placements_path_fkey
    FOREIGN KEY (client_id, campaign_id, strategy_id) REFERENCES strategies (client_id, campaign_id, id)
    ON UPDATE CASCADE ON DELETE RESTRICT;
ALTER TABLE creatives ADD CONSTRAINT creatives_path_fkey
    FOREIGN KEY (client_id, campaign_id, strategy_id, placement_id)
    REFERENCES placements (client_id, campaign_id, strategy_id, id)
    ON UPDATE CASCADE ON DELETE RESTRICT;

-- ---------------------------------------------------------------- daily_metrics keys

ALTER TABLE daily_metrics
    DROP CONSTRAINT daily_metrics_client_id_fkey,
    DROP CONSTRAINT daily_metrics_campaign_id_fkey,
    DROP CONSTRAINT daily_metrics_strategy_id_fkey,
    DROP CONSTRAINT daily_metrics_placement_id_fkey,
    DROP CONSTRAINT daily_metrics_creative_id_fkey,
    DROP CONSTRAINT daily_metrics_pkey;
DROP INDEX idx_metrics_business_key, idx_metrics_client_date,
    idx_metrics_campaign, idx_metrics_strategy, idx_metrics_placement, idx_metrics_creative;

ALTER TABLE daily_metrics
    ADD CONSTRAINT idx_metrics_client_date PRIMARY KEY (client_id, date, creative_id)
        INCLUDE (campaign_id, strategy_id, placement_id,
                 impressions, clicks, conversions, conversion_revenue, spend),
    ADD CONSTRAINT daily_metrics_creative_path_fkey
        FOREIGN KEY (client_id, campaign_id, strategy_id, placement_id, creative_id)
        REFERENCES creatives (client_id, campaign_id, strategy_id, placement_id, id)
        ON UPDATE CASCADE ON DELETE RESTRICT;
