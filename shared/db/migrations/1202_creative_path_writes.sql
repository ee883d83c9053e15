-- New creatives cost one key check each, not four (issue 17, SPEC §10).
--
-- A file's first load inserts all its creatives (the benchmark: 5,000). Each one ran the
-- fill_dimension_path trigger (a lookup of its placement) and three foreign-key checks:
-- creatives_client_id_fkey, creatives_placement_id_fkey and the composite
-- creatives_path_fkey (client, campaign, strategy, placement) -> placements (0701).
-- Measured on that insert: ~29 ms of trigger and ~31 ms of the two single-column checks,
-- of ~138 ms.
--
-- * The path key alone already proves both single-column keys: it names a placement row
--   by its id with the same client (and that row's own keys prove the client exists), and
--   it cascades an id change and restricts a delete exactly as they did. They go.
-- * fill_dimension_path runs on insert only when a writer names just the direct parent
--   (campaign_id / strategy_id left NULL), as before. The ingestion now writes the parent
--   ids it already holds from its placement (strategy) map; the path key refuses any that
--   disagree with the parent row, so they still cannot disagree. Moving a row to another
--   parent (UPDATE OF placement_id / strategy_id) always refills them, as before.

ALTER TABLE creatives
    DROP CONSTRAINT creatives_client_id_fkey,
    DROP CONSTRAINT creatives_placement_id_fkey;

DROP TRIGGER creatives_fill_path ON creatives;
CREATE TRIGGER creatives_fill_path BEFORE INSERT ON creatives
    FOR EACH ROW WHEN (NEW.campaign_id IS NULL OR NEW.strategy_id IS NULL)
    EXECUTE FUNCTION app.fill_dimension_path();
CREATE TRIGGER creatives_refill_path BEFORE UPDATE OF placement_id ON creatives
    FOR EACH ROW EXECUTE FUNCTION app.fill_dimension_path();

DROP TRIGGER placements_fill_path ON placements;
CREATE TRIGGER placements_fill_path BEFORE INSERT ON placements
    FOR EACH ROW WHEN (NEW.campaign_id IS NULL)
    EXECUTE FUNCTION app.fill_dimension_path();
CREATE TRIGGER placements_refill_path BEFORE UPDATE OF strategy_id ON placements
    FOR EACH ROW EXECUTE FUNCTION app.fill_dimension_path();
