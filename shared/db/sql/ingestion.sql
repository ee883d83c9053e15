-- Ingestion (shared/ingestion): the run log, the set-based load of one staged file,
-- the missing-file check and the partner sync. Runs as dash_worker with every client visible.

-- name: ingest_start_run
-- An admin retry repeats the event of the run it retries: its identity comes from there.
INSERT INTO ingestion_logs (file_name, bucket, object_key, status, retry_of, version_id, sequencer, uploaded_at)
SELECT %(file_name)s, %(bucket)s, %(object_key)s, 'running', %(retry_of)s,
       coalesce(%(version_id)s::text, r.version_id), coalesce(%(sequencer)s::text, r.sequencer),
       coalesce(%(uploaded_at)s::timestamptz, r.uploaded_at)
FROM (SELECT 1) AS one
LEFT JOIN ingestion_logs r ON r.id = %(retry_of)s::uuid
RETURNING id, started_at, version_id, sequencer, uploaded_at

-- name: ingest_finish_run
UPDATE ingestion_logs
SET status = %(status)s,
    checksum = %(checksum)s,
    file_size = %(file_size)s,
    records_loaded = %(records_loaded)s,
    records_failed = %(records_failed)s,
    -- Clipped on write (shared.ingestion.limits.MESSAGE_LIMIT): a run log row stays small
    -- whatever a message echoes, so a page of runs stays far under Lambda's 6 MB.
    message = left(%(message)s, 4000),
    client_ids = %(client_ids)s,
    date_from = %(date_from)s,
    date_to = %(date_to)s,
    stale_days = %(stale_days)s,
    version_id = coalesce(%(version_id)s::text, version_id),
    uploaded_at = coalesce(%(uploaded_at)s::timestamptz, uploaded_at),
    retried_by_lambda = %(retried_by_lambda)s,
    what_to_do = app.run_steps(%(what_to_do)s::text[]),  -- clipped like the message (1401)
    finished_at = clock_timestamp()
WHERE id = %(run_id)s
RETURNING finished_at

-- name: ingest_record_identity
-- What the object's metadata added to the event's identity (version id, upload time).
UPDATE ingestion_logs
SET version_id = coalesce(%(version_id)s::text, version_id),
    uploaded_at = coalesce(%(uploaded_at)s::timestamptz, uploaded_at)
WHERE id = %(run_id)s

-- name: ingest_lock_object
-- Serialises the runs of one object key (taken before any client lock: no deadlocks), so
-- a re-delivered event waits for the first delivery and then sees it.
SELECT pg_advisory_xact_lock(hashtextextended('object:' || %(bucket)s || '/' || %(object_key)s, 0)) AS locked

-- name: ingest_object_seen
-- seen: this upload (same version id, or same event sequencer) was already processed: a
--   re-delivered event. A failed run counts (its file would fail again), unless Lambda
--   retries it (the invocation raised) or the admin retries it.
-- newer_seen: a newer upload of the same key was already processed (a larger sequencer;
--   without sequencers, a later upload time): this event is stale.
SELECT
    coalesce(bool_or(
        ((%(version_id)s::text IS NOT NULL AND l.version_id = %(version_id)s::text)
          OR (%(sequencer)s::text IS NOT NULL AND l.sequencer = %(sequencer)s::text))
        AND NOT (l.status = 'failed' AND (l.retried_by_lambda OR %(admin_retry)s::boolean))
    ), false) AS seen,
    coalesce(bool_or(
        l.status <> 'failed'
        AND CASE WHEN l.sequencer IS NOT NULL AND %(sequencer)s::text IS NOT NULL
                 THEN l.sequencer > %(sequencer)s::text
                 ELSE l.uploaded_at > %(uploaded_at)s::timestamptz END
    ), false) AS newer_seen
FROM ingestion_logs l
WHERE l.object_key = %(object_key)s AND l.bucket = %(bucket)s AND l.id <> %(run_id)s
  AND l.status <> 'running'

-- name: ingest_client_directory
-- Everything needed to resolve a row's client, read once per file.
SELECT a.name_key, c.id AS client_id, c.status
FROM client_advertisers a
JOIN clients c ON c.id = a.client_id

-- name: ingest_client_by_slug
SELECT id AS client_id, status FROM clients WHERE slug = %(slug)s

-- name: ingest_lock_clients
-- Per-client locks in ascending id order (see app.lock_client_data): no deadlocks.
SELECT count(app.lock_client_data(client_id)) AS locked
FROM (SELECT DISTINCT unnest(%(client_ids)s::uuid[]) AS client_id ORDER BY 1) AS ids

-- name: ingest_day_fingerprints
-- One fingerprint per (client, date) of the file, from its parsed rows (so gzip, BOM, CRLF
-- or a reordering of the same rows give the same value): the day's row count and two sums
-- of hashes of its row texts (app.day_row_text 0501, app.row_hash and app.day_fingerprint
-- 1302): no sort.
CREATE TEMP TABLE ingest_days ON COMMIT DROP AS
SELECT client_id, date,
       app.day_fingerprint(count(*), sum(app.row_hash(row_text, 1)), sum(app.row_hash(row_text, 2))) AS fingerprint
FROM (SELECT client_id, date,
             app.day_row_text(campaign_name, strategy_name, placement_name, creative_name,
                              impressions, clicks, conversions, conversion_revenue) AS row_text
      FROM ingest_staging) rows
GROUP BY client_id, date

-- name: ingest_has_stale_days
-- Whether a newer upload already holds some day of the file (its event arrived first).
SELECT EXISTS (
    SELECT 1 FROM ingest_days d
    JOIN ingestion_day_versions v ON v.client_id = d.client_id AND v.date = d.date
    WHERE v.uploaded_at > %(uploaded_at)s
) AS stale

-- name: ingest_drop_stale_days
-- Stale days (a newer upload holds them) are left alone and counted on the run.
WITH stale AS (
    DELETE FROM ingest_days d
    USING ingestion_day_versions v
    WHERE v.client_id = d.client_id AND v.date = d.date AND v.uploaded_at > %(uploaded_at)s
    RETURNING d.client_id, d.date
), dropped AS (
    DELETE FROM ingest_staging s
    USING stale u
    WHERE s.client_id = u.client_id AND s.date = u.date
    RETURNING 1
)
SELECT (SELECT count(*) FROM stale)::integer AS stale_days,
       (SELECT count(*) FROM dropped)::integer AS stale_rows

-- name: ingest_drop_unchanged_days
-- Days whose stored rows already equal the file's are left alone (nothing changed), but
-- this upload becomes their newest: an older upload arriving later must not replace them.
WITH unchanged AS (
    DELETE FROM ingest_days d
    USING ingestion_day_versions v
    WHERE v.client_id = d.client_id AND v.date = d.date AND v.fingerprint = d.fingerprint
    RETURNING d.client_id, d.date
), newest AS (
    UPDATE ingestion_day_versions v
    SET uploaded_at = %(uploaded_at)s, upload_run_id = %(run_id)s, updated_at = now()
    FROM unchanged u
    WHERE v.client_id = u.client_id AND v.date = u.date
    RETURNING 1
), dropped AS (
    DELETE FROM ingest_staging s
    USING unchanged u
    WHERE s.client_id = u.client_id AND s.date = u.date
    RETURNING 1
)
SELECT (SELECT count(*) FROM unchanged)::integer AS unchanged_days,
       (SELECT count(*) FROM dropped)::integer AS unchanged_rows,
       (SELECT count(*) FROM newest)::integer AS newest_days

-- name: ingest_record_day_versions
-- The fingerprints of the days this run replaced, and their upload time.
INSERT INTO ingestion_day_versions (client_id, date, fingerprint, ingestion_run_id, uploaded_at, upload_run_id)
SELECT client_id, date, fingerprint, %(run_id)s, %(uploaded_at)s, %(run_id)s FROM ingest_days
ON CONFLICT (client_id, date) DO UPDATE
SET fingerprint = EXCLUDED.fingerprint, ingestion_run_id = EXCLUDED.ingestion_run_id,
    uploaded_at = EXCLUDED.uploaded_at, upload_run_id = EXCLUDED.upload_run_id, updated_at = now()

-- name: ingest_first_duplicate_key
-- The same business key twice in one file is a whole-file failure.
SELECT min(line_number) AS first_line, max(line_number) AS second_line
FROM ingest_staging
GROUP BY client_id, date, campaign_name, strategy_name, placement_name, creative_name
HAVING count(*) > 1
ORDER BY 1
LIMIT 1

-- The dimensions are resolved level by level into small temp maps (distinct names -> ids)
-- built from the file's distinct dimension paths, so the final insert is a hash join of
-- the staged rows with two small analysed temp tables. Joining
-- the staged rows straight to the four real tables let the planner, misled by fresh
-- dimension rows it had no statistics for, pick nested loops that were 50x slower.

-- name: ingest_map_combos
-- Every distinct dimension path of the file, from one pass over the staged rows.
CREATE TEMP TABLE ingest_combos ON COMMIT DROP AS
SELECT DISTINCT client_id, campaign_name, strategy_name, placement_name, creative_name
FROM ingest_staging

-- name: ingest_upsert_campaigns
INSERT INTO campaigns (client_id, name)
SELECT DISTINCT client_id, campaign_name
FROM ingest_combos
ON CONFLICT (client_id, name) DO NOTHING

-- name: ingest_map_campaigns
CREATE TEMP TABLE ingest_campaigns ON COMMIT DROP AS
SELECT s.client_id, s.campaign_name, c.id AS campaign_id
FROM (SELECT DISTINCT client_id, campaign_name FROM ingest_combos) s
JOIN campaigns c ON c.client_id = s.client_id AND c.name = s.campaign_name

-- name: ingest_upsert_strategies
INSERT INTO strategies (client_id, campaign_id, name)
SELECT m.client_id, m.campaign_id, s.strategy_name
FROM (SELECT DISTINCT client_id, campaign_name, strategy_name FROM ingest_combos) s
JOIN ingest_campaigns m ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name
ON CONFLICT (campaign_id, name) DO NOTHING

-- name: ingest_map_strategies
CREATE TEMP TABLE ingest_strategies ON COMMIT DROP AS
SELECT s.client_id, s.campaign_name, s.strategy_name, m.campaign_id, st.id AS strategy_id
FROM (SELECT DISTINCT client_id, campaign_name, strategy_name FROM ingest_combos) s
JOIN ingest_campaigns m ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name
JOIN strategies st ON st.campaign_id = m.campaign_id AND st.name = s.strategy_name

-- name: ingest_upsert_placements
-- The parent ids come from the map (the path key checks them; no per-row lookup, 1202).
INSERT INTO placements (client_id, campaign_id, strategy_id, name)
SELECT m.client_id, m.campaign_id, m.strategy_id, s.placement_name
FROM (SELECT DISTINCT client_id, campaign_name, strategy_name, placement_name FROM ingest_combos) s
JOIN ingest_strategies m
  ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name AND m.strategy_name = s.strategy_name
ON CONFLICT (strategy_id, name) DO NOTHING

-- name: ingest_map_placements
CREATE TEMP TABLE ingest_placements ON COMMIT DROP AS
SELECT s.client_id, s.campaign_name, s.strategy_name, s.placement_name,
       m.campaign_id, m.strategy_id, p.id AS placement_id
FROM (SELECT DISTINCT client_id, campaign_name, strategy_name, placement_name FROM ingest_combos) s
JOIN ingest_strategies m
  ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name AND m.strategy_name = s.strategy_name
JOIN placements p ON p.strategy_id = m.strategy_id AND p.name = s.placement_name

-- name: ingest_upsert_creatives
INSERT INTO creatives (client_id, campaign_id, strategy_id, placement_id, name)
SELECT m.client_id, m.campaign_id, m.strategy_id, m.placement_id, s.creative_name
FROM ingest_combos s
JOIN ingest_placements m
  ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name
 AND m.strategy_name = s.strategy_name AND m.placement_name = s.placement_name
ON CONFLICT (placement_id, name) DO NOTHING

-- name: ingest_map_creatives
CREATE TEMP TABLE ingest_creatives ON COMMIT DROP AS
SELECT s.client_id, s.campaign_name, s.strategy_name, s.placement_name, s.creative_name,
       m.campaign_id, m.strategy_id, m.placement_id, cr.id AS creative_id
FROM ingest_combos s
JOIN ingest_placements m
  ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name
 AND m.strategy_name = s.strategy_name AND m.placement_name = s.placement_name
JOIN creatives cr ON cr.placement_id = m.placement_id AND cr.name = s.creative_name

-- name: ingest_map_rates
-- The CPM in force for each (client, date) of the file, looked up once per pair. The
-- pairs are those of ingest_days: every pair still staged, as the stale, unchanged and
-- closed days left staging and ingest_days together (no other pass over the staged rows).
CREATE TEMP TABLE ingest_rates ON COMMIT DROP AS
SELECT d.client_id, d.date, r.client_setting_id, r.cpm
FROM ingest_days d
LEFT JOIN LATERAL app.rate_in_force(d.client_id, d.date) r ON true

-- name: ingest_analyze_maps
ANALYZE ingest_creatives, ingest_rates

-- name: ingest_delete_restated_days
-- A file replaces every (client, date) it contains.
DELETE FROM daily_metrics d
USING ingest_rates k
WHERE d.client_id = k.client_id AND d.date = k.date

-- name: ingest_insert_metrics
-- Spend = impressions x CPM / 1000, written as x 0.001 so numeric multiplication keeps it
-- exact (division would pick a result scale by magnitude). The rates are joined inside a
-- fenced subquery (OFFSET 0): the five-column join to the creative map is always
-- underestimated, and a nested loop over the rates on top of it costs seconds. Rows go in
-- in primary-key order: the key's pages fill left to right instead of splitting at random
-- (100k rows: ~445 -> ~380 ms including the sort).
INSERT INTO daily_metrics (
    client_id, date, campaign_id, strategy_id, placement_id, creative_id,
    impressions, clicks, conversions, conversion_revenue,
    client_setting_id, cpm, spend, ingestion_run_id
)
SELECT s.client_id, s.date, m.campaign_id, m.strategy_id, m.placement_id, m.creative_id,
       s.impressions, s.clicks, s.conversions, s.conversion_revenue,
       s.client_setting_id, s.cpm, s.impressions * s.cpm * 0.001, %(run_id)s
FROM (
    SELECT st.*, r.client_setting_id, r.cpm
    FROM ingest_staging st
    JOIN ingest_rates r ON r.client_id = st.client_id AND r.date = st.date
    OFFSET 0
) s
JOIN ingest_creatives m
  ON m.client_id = s.client_id AND m.campaign_name = s.campaign_name AND m.strategy_name = s.strategy_name
 AND m.placement_name = s.placement_name AND m.creative_name = s.creative_name
ORDER BY s.client_id, s.date, m.creative_id

-- name: ingest_unpriced_days
-- (client, date) pairs of this run that no CPM priced. Reached through the file's
-- unpriced (client, date) pairs and the primary key, not a scan of the whole table.
SELECT d.client_id, c.name AS client_name, min(d.date) AS date_from, max(d.date) AS date_to,
       count(DISTINCT d.date)::integer AS days, count(*)::integer AS row_count
FROM ingest_rates k
JOIN daily_metrics d ON d.client_id = k.client_id AND d.date = k.date
JOIN clients c ON c.id = d.client_id
WHERE k.cpm IS NULL AND d.ingestion_run_id = %(run_id)s AND d.cpm IS NULL
GROUP BY d.client_id, c.name
ORDER BY c.name

-- name: ingest_enqueue_refresh
-- Queue the summaries overlapping each client's dates in this run.
SELECT coalesce(sum(app.enqueue_summary_refresh(client_id, date_from, date_to)), 0)::integer AS queued
FROM (SELECT client_id, min(date) AS date_from, max(date) AS date_to
      FROM ingest_rates
      GROUP BY client_id) ranges

-- name: ingest_create_staging
-- The file's rows, private to this transaction. A temporary table rather than
-- staging_media_raw: PostgreSQL refuses COPY FROM into a table with row-level security,
-- and a temp table needs no WAL, no RLS check, no index and no cleanup (dropped at commit
-- or rollback). Row-level security applies when rows move into the real tables.
CREATE TEMP TABLE ingest_staging (
    line_number         integer NOT NULL,
    client_id           uuid NOT NULL,
    date                date NOT NULL,
    campaign_name       varchar(255) NOT NULL,
    strategy_name       varchar(255) NOT NULL,
    placement_name      varchar(255) NOT NULL,
    creative_name       varchar(255) NOT NULL,
    impressions         bigint NOT NULL,
    clicks              bigint NOT NULL,
    conversions         bigint NOT NULL,
    conversion_revenue  numeric(18, 6) NOT NULL
) ON COMMIT DROP

-- name: ingest_analyze_staging
-- Temp tables are never auto-analysed; the joins below need row estimates (only the
-- columns the rates join uses: sampling the name columns costs more than it helps).
-- Run after ingest_small_samples.
ANALYZE ingest_staging (client_id, date)

-- name: ingest_small_samples
-- This transaction's ANALYZEs (of its own temp tables only) sample 3,000 rows, not 30,000:
-- the estimates they feed are row counts and distinct (client, date) pairs, which a small
-- sample gives as well (100k staged rows: ~50 -> ~12 ms).
SELECT set_config('default_statistics_target', '10', true) AS target

-- name: ingest_insert_rejected_rows
INSERT INTO ingestion_rejected_rows (ingestion_run_id, line_number, column_name, value, reason)
SELECT %(run_id)s, r.line_number, r.column_name, r.value, r.reason
FROM unnest(%(line_numbers)s::integer[], %(column_names)s::text[], %(values)s::text[], %(reasons)s::text[])
     AS r (line_number, column_name, value, reason)

-- name: missing_file_candidates
-- Active clients with no stored data for the day (a successful or partial load of the day
-- leaves rows in daily_metrics; a restatement replaces them but never empties a day).
SELECT c.id AS client_id, c.name, c.slug
FROM clients c
WHERE c.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM daily_metrics d WHERE d.client_id = c.id AND d.date = %(day)s)
ORDER BY c.name, c.id

-- name: missing_file_claim_alert
-- Claims the (kind, key) alert; a claim whose email failed may be retried, a sent one never.
INSERT INTO alert_log (kind, dedupe_key, client_id, subject, sent)
VALUES (%(kind)s, %(dedupe_key)s, %(client_id)s, %(subject)s, false)
ON CONFLICT (kind, dedupe_key) DO UPDATE SET subject = EXCLUDED.subject
WHERE alert_log.sent = false
RETURNING id

-- name: missing_file_mark_sent
UPDATE alert_log SET sent = %(sent)s WHERE id = %(id)s

-- name: partner_sync_claim
INSERT INTO partner_sync_copies (source_bucket, source_key, etag, target_bucket, target_key)
VALUES (%(source_bucket)s, %(source_key)s, %(etag)s, %(target_bucket)s, %(target_key)s)
ON CONFLICT (source_bucket, source_key, etag) DO NOTHING
RETURNING copied_at

-- name: ingest_bound_statement_timeout
-- This transaction only: no statement may run past the run's deadline (milliseconds).
SELECT set_config('statement_timeout', %(timeout_ms)s, true)

-- name: ingest_copy_staging
COPY ingest_staging (
    line_number, client_id, date, campaign_name, strategy_name,
    placement_name, creative_name, impressions, clicks, conversions, conversion_revenue
) FROM STDIN

-- name: ingest_set_what_to_do
-- The steps of a run finished by another statement (an interrupted run).
UPDATE ingestion_logs SET what_to_do = app.run_steps(%(what_to_do)s::text[]) WHERE id = %(run_id)s

-- name: ingest_fail_interrupted_runs
-- Runs still `running` long after any Lambda could still be loading them (killed, timed
-- out). A load commits its data and its finished log row together, so such a run stored
-- nothing: mark it failed so the admin sees it and can retry it.
UPDATE ingestion_logs
SET status = 'failed',
    message = 'interrupted: the load did not finish (timeout or crash); nothing from it was stored',
    finished_at = clock_timestamp()
WHERE status = 'running' AND started_at < now() - make_interval(secs => %(older_than_seconds)s)
RETURNING id, file_name, started_at
