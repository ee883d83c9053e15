-- daily_metrics' references checked once per statement instead of once per row (issue 17).
--
-- The three foreign keys left by 0701 (the creative path, the rate-card row, the ingestion
-- run) were checked by PostgreSQL's per-row RI triggers: one index probe and one row lock
-- per inserted row and key, ~55% of the server's CPU time for a 100k-row load (measured:
-- 2.8 s of backend CPU with them, 1.3 s without, docs/performance.md). A load writes 100k
-- rows naming a few thousand creatives, a handful of rate-card rows and one run.
--
-- The same integrity, set-based: after each INSERT or UPDATE statement on daily_metrics,
-- one trigger takes the statement's distinct references from its transition table, locks
-- the referenced rows FOR KEY SHARE (as the RI triggers do, so a concurrent delete of a
-- referenced row waits, then this check sees it gone) and raises foreign_key_violation,
-- under the old constraint's name, if any is missing. On the referenced tables, a delete
-- (or a key update) that leaves daily_metrics rows without their row is refused the same
-- way: RESTRICT, as before. Updates of the referenced keys no longer cascade — no writer
-- changes them (ids and dimension paths are immutable in this application).
-- tests/test_metrics_references.py proves every rule, for every kind of writer.
-- Existing rows are kept: they satisfied the constraints being replaced.

ALTER TABLE daily_metrics
    DROP CONSTRAINT daily_metrics_creative_path_fkey,
    DROP CONSTRAINT daily_metrics_client_setting_id_fkey,
    DROP CONSTRAINT daily_metrics_ingestion_run_id_fkey;

-- The statement's distinct references that need a check, as (kind, key) pairs: for an
-- INSERT every one; for an UPDATE only those not already held by the rows before it (as
-- the RI triggers skip an unchanged key): re-pricing changes the rate-card row only, and
-- must not need to see the run rows (ingestion_logs is not visible to a client's session).
CREATE OR REPLACE FUNCTION app.raise_missing_metrics_references(paths bigint, rates bigint, runs bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF paths > 0 THEN
        RAISE EXCEPTION 'daily_metrics rows name a creative path (client, campaign, strategy, placement, creative) that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_creative_path_fkey';
    END IF;
    IF rates > 0 THEN
        RAISE EXCEPTION 'daily_metrics rows name a rate-card row (client_settings) that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_client_setting_id_fkey';
    END IF;
    IF runs > 0 THEN
        RAISE EXCEPTION 'daily_metrics rows name an ingestion run (ingestion_logs) that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_ingestion_run_id_fkey';
    END IF;
END;
$$;

-- One pass over the inserted rows gives their few distinct references (a load: a few
-- thousand creatives x one or two rate-card rows, one run); each is then probed by its key
-- and locked FOR KEY SHARE, as the RI triggers do.
CREATE OR REPLACE FUNCTION app.check_inserted_metrics_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing record;
BEGIN
    WITH refs AS MATERIALIZED (
        SELECT DISTINCT client_id, campaign_id, strategy_id, placement_id, creative_id,
                        client_setting_id, ingestion_run_id
        FROM new_rows
    )
    SELECT
        (SELECT count(*) FROM (SELECT DISTINCT client_id, campaign_id, strategy_id, placement_id, creative_id FROM refs) p
         WHERE NOT EXISTS (SELECT 1 FROM creatives c
                           WHERE c.client_id = p.client_id AND c.campaign_id = p.campaign_id
                             AND c.strategy_id = p.strategy_id AND c.placement_id = p.placement_id
                             AND c.id = p.creative_id
                           FOR KEY SHARE OF c)) AS paths,
        (SELECT count(*) FROM (SELECT DISTINCT client_setting_id FROM refs WHERE client_setting_id IS NOT NULL) r
         WHERE NOT EXISTS (SELECT 1 FROM client_settings s WHERE s.id = r.client_setting_id FOR KEY SHARE OF s)) AS rates,
        (SELECT count(*) FROM (SELECT DISTINCT ingestion_run_id FROM refs WHERE ingestion_run_id IS NOT NULL) r
         WHERE NOT EXISTS (SELECT 1 FROM ingestion_logs l WHERE l.id = r.ingestion_run_id FOR KEY SHARE OF l)) AS runs
    INTO missing;
    PERFORM app.raise_missing_metrics_references(missing.paths, missing.rates, missing.runs);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION app.check_updated_metrics_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing record;
BEGIN
    SELECT
        (SELECT count(*)
         FROM (SELECT client_id, campaign_id, strategy_id, placement_id, creative_id FROM new_rows
               EXCEPT SELECT client_id, campaign_id, strategy_id, placement_id, creative_id FROM old_rows) p
         WHERE NOT EXISTS (SELECT 1 FROM creatives c
                           WHERE c.client_id = p.client_id AND c.campaign_id = p.campaign_id
                             AND c.strategy_id = p.strategy_id AND c.placement_id = p.placement_id
                             AND c.id = p.creative_id
                           FOR KEY SHARE OF c)) AS paths,
        (SELECT count(*)
         FROM (SELECT client_setting_id FROM new_rows WHERE client_setting_id IS NOT NULL
               EXCEPT SELECT client_setting_id FROM old_rows) r
         WHERE NOT EXISTS (SELECT 1 FROM client_settings s WHERE s.id = r.client_setting_id FOR KEY SHARE OF s)) AS rates,
        (SELECT count(*)
         FROM (SELECT ingestion_run_id FROM new_rows WHERE ingestion_run_id IS NOT NULL
               EXCEPT SELECT ingestion_run_id FROM old_rows) r
         WHERE NOT EXISTS (SELECT 1 FROM ingestion_logs l WHERE l.id = r.ingestion_run_id FOR KEY SHARE OF l)) AS runs
    INTO missing;
    PERFORM app.raise_missing_metrics_references(missing.paths, missing.rates, missing.runs);
    RETURN NULL;
END;
$$;

CREATE TRIGGER daily_metrics_references_inserted AFTER INSERT ON daily_metrics
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.check_inserted_metrics_references();
CREATE TRIGGER daily_metrics_references_updated AFTER UPDATE ON daily_metrics
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.check_updated_metrics_references();

-- The referenced side: a row still referenced by daily_metrics may not go away (RESTRICT).
-- old_rows holds the deleted rows, or the rows before an update; a key that no longer
-- exists after the statement and that daily_metrics still names is refused. These run on
-- deletes and key changes of dimension, rate-card and run rows only: never in a load.

CREATE OR REPLACE FUNCTION app.restrict_referenced_creatives() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone uuid[];
    gone_clients uuid[];
BEGIN
    -- The creatives whose (path, id) no longer exists; daily_metrics is read only if any.
    -- A creative id is unique, and a metrics row was checked against its path when written,
    -- so a metrics row naming a gone id names a gone path.
    SELECT array_agg(o.id), array_agg(DISTINCT o.client_id) INTO gone, gone_clients
    FROM old_rows o
    WHERE NOT EXISTS (
        SELECT 1 FROM creatives c
        WHERE c.client_id = o.client_id AND c.campaign_id = o.campaign_id AND c.strategy_id = o.strategy_id
          AND c.placement_id = o.placement_id AND c.id = o.id);
    IF gone IS NOT NULL AND EXISTS (
        SELECT 1 FROM daily_metrics d WHERE d.client_id = ANY (gone_clients) AND d.creative_id = ANY (gone)
    ) THEN
        RAISE EXCEPTION 'a creative (or its path) that daily_metrics rows still name cannot be removed or changed'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_creative_path_fkey';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION app.restrict_referenced_rates() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone uuid[];
    gone_clients uuid[];
BEGIN
    SELECT array_agg(o.id), array_agg(DISTINCT o.client_id) INTO gone, gone_clients
    FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM client_settings s WHERE s.id = o.id);
    IF gone IS NOT NULL AND EXISTS (
        SELECT 1 FROM daily_metrics d
        WHERE d.client_id = ANY (gone_clients) AND d.client_setting_id = ANY (gone)
    ) THEN
        RAISE EXCEPTION 'a rate-card row (client_settings) that daily_metrics rows still name cannot be removed'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_client_setting_id_fkey';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION app.restrict_referenced_runs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone uuid[];
BEGIN
    -- Runs are finished by an UPDATE of their own row (never of its id): nothing is gone,
    -- and daily_metrics is not read.
    SELECT array_agg(o.id) INTO gone
    FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM ingestion_logs l WHERE l.id = o.id);
    IF gone IS NOT NULL AND EXISTS (SELECT 1 FROM daily_metrics d WHERE d.ingestion_run_id = ANY (gone)) THEN
        RAISE EXCEPTION 'an ingestion run (ingestion_logs) that daily_metrics rows still name cannot be removed'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics',
                  CONSTRAINT = 'daily_metrics_ingestion_run_id_fkey';
    END IF;
    RETURN NULL;
END;
$$;

-- TRUNCATE fires no row or transition triggers: refuse it while daily_metrics still names
-- the truncated table's rows (AFTER: `TRUNCATE daily_metrics, creatives, ...` together is fine).
CREATE OR REPLACE FUNCTION app.restrict_truncated_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_TABLE_NAME = 'creatives' AND EXISTS (SELECT 1 FROM daily_metrics))
       OR (TG_TABLE_NAME = 'client_settings' AND EXISTS (SELECT 1 FROM daily_metrics WHERE client_setting_id IS NOT NULL))
       OR (TG_TABLE_NAME = 'ingestion_logs' AND EXISTS (SELECT 1 FROM daily_metrics WHERE ingestion_run_id IS NOT NULL))
    THEN
        RAISE EXCEPTION 'cannot truncate %: daily_metrics rows still name its rows', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', TABLE = 'daily_metrics';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER creatives_restrict_deleted AFTER DELETE ON creatives
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_creatives();
CREATE TRIGGER creatives_restrict_updated AFTER UPDATE ON creatives
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_creatives();
CREATE TRIGGER creatives_restrict_truncated AFTER TRUNCATE ON creatives
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_truncated_references();

CREATE TRIGGER client_settings_restrict_deleted AFTER DELETE ON client_settings
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_rates();
CREATE TRIGGER client_settings_restrict_updated AFTER UPDATE ON client_settings
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_rates();
CREATE TRIGGER client_settings_restrict_truncated AFTER TRUNCATE ON client_settings
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_truncated_references();

CREATE TRIGGER ingestion_logs_restrict_deleted AFTER DELETE ON ingestion_logs
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_runs();
CREATE TRIGGER ingestion_logs_restrict_updated AFTER UPDATE ON ingestion_logs
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_referenced_runs();
CREATE TRIGGER ingestion_logs_restrict_truncated AFTER TRUNCATE ON ingestion_logs
    FOR EACH STATEMENT EXECUTE FUNCTION app.restrict_truncated_references();

-- ---------------------------------------------------------------- the load's own passes

-- The day fingerprint's row text (0501) was declared IMMUTABLE around concat_ws, which is
-- only STABLE: PostgreSQL then refuses to inline it and calls it through the SQL-function
-- executor once per staged row (~40% of the fingerprint pass). Same body, same text, same
-- fingerprints (it is used in no index).
ALTER FUNCTION app.day_row_text(text, text, text, text, bigint, bigint, bigint, numeric) STABLE;

-- A load's staging and maps are temporary tables: with the default 8 MB of temp buffers a
-- 100k-row file spills them to disk and every pass reads them back; its sorts and hashes
-- (fingerprints, distinct paths) spill past the default 4 MB work_mem. Per session of the
-- worker role only (ingest concurrency is capped: 5 x 64 MB at most), in this database.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE dash_worker IN DATABASE %I SET temp_buffers = %L', current_database(), '64MB');
    EXECUTE format('ALTER ROLE dash_worker IN DATABASE %I SET work_mem = %L', current_database(), '32MB');
END;
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO dash_api, dash_worker;
