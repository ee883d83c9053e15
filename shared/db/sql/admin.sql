-- The admin portal: clients, advertisers, users, rate card, ingestion runs. Used by shared/admin/.
-- Runs as dash_api in all-clients transactions (the admin sees every client).

-- ---------------------------------------------------------------- clients

-- name: admin_client_exists
SELECT id FROM clients WHERE id = %(client_id)s

-- name: admin_count_clients
SELECT count(*) AS total FROM clients
WHERE (%(status)s::text IS NULL OR status = %(status)s)

-- name: admin_list_clients
SELECT c.id, c.name, c.slug, c.status, c.currency, c.monthly_budget, c.created_at, c.updated_at,
       coalesce((SELECT array_agg(a.name ORDER BY a.name) FROM client_advertisers a WHERE a.client_id = c.id),
                '{}') AS advertisers,
       (SELECT r.cpm FROM app.rate_in_force(c.id, current_date) r) AS current_cpm, c.target_roas
FROM clients c
WHERE (%(status)s::text IS NULL OR c.status = %(status)s)
ORDER BY c.name, c.id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_get_client
SELECT c.id, c.name, c.slug, c.status, c.currency, c.monthly_budget, c.created_at, c.updated_at,
       coalesce((SELECT array_agg(a.name ORDER BY a.name) FROM client_advertisers a WHERE a.client_id = c.id),
                '{}') AS advertisers,
       (SELECT r.cpm FROM app.rate_in_force(c.id, current_date) r) AS current_cpm, c.target_roas
FROM clients c
WHERE c.id = %(client_id)s

-- name: admin_slugs_taken
-- Slugs that start like a derived base (base, base-2, ...), to pick the first free one.
SELECT slug FROM clients WHERE slug = %(base)s OR slug LIKE %(pattern)s

-- name: admin_insert_client
INSERT INTO clients (name, slug, currency) VALUES (%(name)s, %(slug)s, %(currency)s)
RETURNING id

-- name: admin_client_status_for_update
SELECT status FROM clients WHERE id = %(client_id)s FOR UPDATE

-- name: admin_update_client
-- NULL leaves a field unchanged (PATCH).
UPDATE clients SET
    name = coalesce(%(name)s, name),
    slug = coalesce(%(slug)s, slug),
    status = coalesce(%(status)s, status),
    currency = coalesce(%(currency)s, currency),
    -- the budget can be cleared: set_budget says whether the request named it
    monthly_budget = CASE WHEN %(set_budget)s THEN %(monthly_budget)s::numeric ELSE monthly_budget END
WHERE id = %(client_id)s
RETURNING id

-- ---------------------------------------------------------------- advertisers

-- name: admin_list_advertisers
SELECT name FROM client_advertisers WHERE client_id = %(client_id)s ORDER BY name

-- name: admin_advertiser_taken
-- Advertiser names (normalised like ingestion matches them) already used by another client.
SELECT a.name, c.name AS client_name
FROM client_advertisers a
JOIN clients c ON c.id = a.client_id
WHERE a.name_key = ANY (SELECT app.name_key(n) FROM unnest(%(names)s::text[]) AS n)
  AND a.client_id <> %(client_id)s
ORDER BY a.name

-- name: admin_delete_advertisers
DELETE FROM client_advertisers WHERE client_id = %(client_id)s

-- name: admin_insert_advertisers
INSERT INTO client_advertisers (client_id, name)
SELECT %(client_id)s, n FROM unnest(%(names)s::text[]) AS n

-- ---------------------------------------------------------------- users

-- name: admin_count_users
-- `email` is a case-insensitive substring (position(): LIKE wildcards match themselves).
SELECT count(*) AS total FROM users
WHERE (%(role)s::text IS NULL OR role = %(role)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)
  AND (%(disabled)s::boolean IS NULL OR disabled = %(disabled)s)
  AND (%(email)s::text IS NULL OR position(lower(%(email)s) IN lower(email)) > 0)

-- name: admin_list_users
SELECT id, email, role, client_id, disabled, created_at, updated_at
FROM users
WHERE (%(role)s::text IS NULL OR role = %(role)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)
  AND (%(disabled)s::boolean IS NULL OR disabled = %(disabled)s)
  AND (%(email)s::text IS NULL OR position(lower(%(email)s) IN lower(email)) > 0)
ORDER BY lower(email), id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_get_user
SELECT id, email, role, client_id, disabled, session_version, created_at, updated_at
FROM users WHERE id = %(user_id)s

-- name: admin_get_user_for_update
SELECT id, email, role, client_id, disabled, session_version
FROM users WHERE id = %(user_id)s
FOR UPDATE

-- name: admin_update_user
UPDATE users SET role = %(role)s, client_id = %(client_id)s, disabled = %(disabled)s
WHERE id = %(user_id)s

-- ---------------------------------------------------------------- rate card

-- name: admin_count_rates
SELECT count(*) AS total FROM client_settings WHERE client_id = %(client_id)s

-- name: admin_list_rates
-- Newest first, each with the date it stops applying (the next rate's date), if any.
SELECT id, client_id, cpm, effective_date,
       lead(effective_date) OVER (ORDER BY effective_date) - 1 AS effective_until,
       created_at, updated_at
FROM client_settings
WHERE client_id = %(client_id)s
ORDER BY effective_date DESC
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_lock_client_data
-- The per-client lock ingestion also takes: a load and a re-pricing never interleave.
SELECT app.lock_client_data(%(client_id)s)

-- name: admin_upsert_rate
-- The same effective date again changes that rate.
INSERT INTO client_settings (client_id, cpm, effective_date)
VALUES (%(client_id)s, %(cpm)s, %(effective_date)s)
ON CONFLICT (client_id, effective_date) DO UPDATE SET cpm = EXCLUDED.cpm
RETURNING id, client_id, cpm, effective_date, created_at, updated_at, (xmax = 0) AS created

-- name: admin_reprice_from
-- Re-price every metric row of the client on or after a date whose rate in force, CPM or
-- spend differs from what is stored (only those rows can be affected by a rate effective
-- on that date). Set-based; spend written as impressions x CPM x 0.001 like ingestion.
WITH priced AS (
    SELECT dm.creative_id, dm.date, dm.spend AS old_spend, r.client_setting_id, r.cpm,
           dm.impressions * r.cpm * 0.001 AS new_spend
    FROM daily_metrics dm
    LEFT JOIN LATERAL app.rate_in_force(dm.client_id, dm.date) r ON true
    WHERE dm.client_id = %(client_id)s AND dm.date >= %(date_from)s
), changed AS (
    UPDATE daily_metrics dm
    SET client_setting_id = p.client_setting_id, cpm = p.cpm, spend = p.new_spend
    FROM priced p
    WHERE dm.client_id = %(client_id)s AND dm.date = p.date AND dm.creative_id = p.creative_id
      AND (dm.client_setting_id IS DISTINCT FROM p.client_setting_id
           OR dm.cpm IS DISTINCT FROM p.cpm
           OR dm.spend IS DISTINCT FROM p.new_spend)
    RETURNING p.date, p.old_spend, p.new_spend
)
-- One row per calendar month with changed rows (month 'YYYY-MM') plus the totals row (month
-- NULL, always present, even when nothing changed): one statement, exact numeric sums.
SELECT to_char(date_trunc('month', date::timestamp), 'YYYY-MM') AS month,
       count(*)::integer AS rows_changed,
       sum(old_spend) AS spend_before,
       sum(new_spend) AS spend_after,
       min(date) AS date_from,
       max(date) AS date_to
FROM changed
GROUP BY GROUPING SETS ((date_trunc('month', date::timestamp)), ())
ORDER BY date_trunc('month', date::timestamp) NULLS FIRST

-- name: admin_enqueue_summary_refresh
SELECT app.enqueue_summary_refresh(%(client_id)s, %(date_from)s, %(date_to)s) AS queued

-- ---------------------------------------------------------------- ingestion runs

-- name: admin_count_runs
SELECT count(*) AS total FROM ingestion_logs
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(from)s::date IS NULL OR started_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR started_at < %(to)s::date + 1)
  AND (%(client_id)s::uuid IS NULL OR client_ids @> ARRAY[%(client_id)s::uuid])
  AND (%(file_name)s::text IS NULL OR position(lower(%(file_name)s) IN lower(file_name)) > 0)

-- name: admin_list_runs
-- Messages clipped on read too (4000 = shared.ingestion.limits.MESSAGE_LIMIT): a row
-- written before the write-side clip, or by hand, cannot blow up a page.
SELECT id, file_name, bucket, object_key, checksum, file_size, run_date, status,
       records_loaded, records_failed, stale_days, left(message, 4000) AS message, client_ids, date_from,
       date_to, retry_of, version_id, sequencer, uploaded_at, started_at, finished_at
FROM ingestion_logs
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(from)s::date IS NULL OR started_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR started_at < %(to)s::date + 1)
  AND (%(client_id)s::uuid IS NULL OR client_ids @> ARRAY[%(client_id)s::uuid])
  AND (%(file_name)s::text IS NULL OR position(lower(%(file_name)s) IN lower(file_name)) > 0)
ORDER BY started_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_get_run
-- With its newest retry, if any (idx_ingestion_logs_retry_of).
SELECT l.id, l.file_name, l.bucket, l.object_key, l.checksum, l.file_size, l.run_date, l.status,
       l.records_loaded, l.records_failed, l.stale_days, left(l.message, 4000) AS message, l.client_ids,
       l.date_from, l.date_to, l.retry_of, l.version_id, l.sequencer, l.uploaded_at, l.started_at,
       l.finished_at, l.what_to_do, r.id AS retried_by, r.status AS retried_by_status
FROM ingestion_logs l
LEFT JOIN LATERAL (
    SELECT id, status FROM ingestion_logs WHERE retry_of = l.id ORDER BY started_at DESC, id DESC LIMIT 1
) r ON true
WHERE l.id = %(run_id)s

-- name: admin_run_rejected_rows
-- Values were clipped to 200 characters on write (shared.ingestion.limits.ECHO_LIMIT); again on read.
SELECT line_number, left(column_name, 200) AS column_name, left(value, 200) AS value, left(reason, 1000) AS reason
FROM ingestion_rejected_rows
WHERE ingestion_run_id = %(run_id)s
ORDER BY line_number, id
LIMIT %(limit)s

-- name: admin_count_rejected_rows
SELECT count(*) AS total FROM ingestion_rejected_rows WHERE ingestion_run_id = %(run_id)s

-- name: admin_page_rejected_rows
-- Values were clipped to 200 characters on write (shared.ingestion.limits.ECHO_LIMIT); again on read.
SELECT line_number, left(column_name, 200) AS column_name, left(value, 200) AS value, left(reason, 1000) AS reason
FROM ingestion_rejected_rows
WHERE ingestion_run_id = %(run_id)s
ORDER BY line_number, id
LIMIT %(limit)s OFFSET %(offset)s

-- ---------------------------------------------------------------- agency overview

-- name: admin_agency_overview
-- Every client with its period KPIs (sums only; ratios are derived from them in Python)
-- and its health, in one statement:
--   last_load_*     the newest success/partial run that loaded the client's data;
--   data_through    the client's latest day with data (any time);
--   missing_days    active clients only: days in [from, expected_to] without data, counted
--                   from the client's first day with data (or its creation) onwards;
--   unpriced_rows   rows of the period without spend (no CPM in force), and their dates;
--   failed_runs     failed runs since failed_since attributed to the client (its id in
--                   client_ids, or a clients/<slug>/ key) and not resolved since (no later
--                   success/partial/duplicate run of the same object).
-- Problems first: failed runs, then missing days, then unpriced rows; then by name.
WITH kpis AS (
    SELECT client_id,
           sum(impressions)::bigint AS impressions,
           sum(clicks)::bigint AS clicks,
           sum(conversions)::bigint AS conversions,
           sum(conversion_revenue) AS revenue,
           sum(spend) AS spend,
           count(*) FILTER (WHERE spend IS NULL)::integer AS unpriced_rows,
           min(date) FILTER (WHERE spend IS NULL) AS unpriced_from,
           max(date) FILTER (WHERE spend IS NULL) AS unpriced_to
    FROM daily_metrics
    WHERE date BETWEEN %(from)s AND %(to)s
    GROUP BY client_id
), unresolved_failures AS (
    SELECT l.id, l.object_key, l.client_ids, l.started_at
    FROM ingestion_logs l
    WHERE l.status = 'failed' AND l.started_at >= %(failed_since)s
      AND NOT EXISTS (
          SELECT 1 FROM ingestion_logs later
          WHERE later.bucket = l.bucket AND later.object_key = l.object_key
            AND later.started_at > l.started_at
            AND later.status IN ('success', 'partial', 'duplicate')
      )
), base AS (
    SELECT c.id, c.name, c.slug, c.status, c.currency,
           k.impressions, k.clicks, k.conversions, k.revenue, k.spend,
           coalesce(k.unpriced_rows, 0) AS unpriced_rows, k.unpriced_from, k.unpriced_to,
           (SELECT max(dm.date) FROM daily_metrics dm WHERE dm.client_id = c.id) AS data_through,
           greatest(%(from)s::date,
                    coalesce((SELECT min(dm.date) FROM daily_metrics dm WHERE dm.client_id = c.id),
                             c.created_at::date)) AS expected_from,
           last_load.id AS last_load_run_id, last_load.file_name AS last_load_file_name,
           last_load.status AS last_load_status, last_load.finished_at AS last_load_at,
           failed.failed_runs, failed.last_failed_run_id
    FROM clients c
    LEFT JOIN kpis k ON k.client_id = c.id
    LEFT JOIN LATERAL (
        SELECT l.id, l.file_name, l.status, l.finished_at
        FROM ingestion_logs l
        WHERE l.client_ids @> ARRAY[c.id] AND l.status IN ('success', 'partial')
        ORDER BY l.finished_at DESC NULLS LAST, l.id
        LIMIT 1
    ) last_load ON true
    LEFT JOIN LATERAL (
        SELECT count(*)::integer AS failed_runs,
               (array_agg(f.id ORDER BY f.started_at DESC))[1] AS last_failed_run_id
        FROM unresolved_failures f
        WHERE f.client_ids @> ARRAY[c.id] OR lower(f.object_key) LIKE 'clients/' || c.slug || '/%%'
    ) failed ON true
), health AS (
    SELECT b.*,
           coalesce(m.missing_days, 0) AS missing_days,
           coalesce(m.missing_dates, '{}') AS missing_dates
    FROM base b
    LEFT JOIN LATERAL (
        SELECT count(*)::integer AS missing_days,
               (array_agg(d.day ORDER BY d.day DESC))[1:%(missing_dates_shown)s::integer] AS missing_dates
        FROM generate_series(b.expected_from, %(expected_to)s::date, interval '1 day') AS g (ts)
        CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
        WHERE b.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM daily_metrics dm WHERE dm.client_id = b.id AND dm.date = d.day)
    ) m ON true
)
SELECT id, name, slug, status, currency, impressions, clicks, conversions, revenue, spend,
       unpriced_rows, unpriced_from, unpriced_to, data_through, missing_days, missing_dates,
       last_load_run_id, last_load_file_name, last_load_status, last_load_at,
       failed_runs, last_failed_run_id
FROM health
ORDER BY (failed_runs > 0 OR missing_days > 0 OR unpriced_rows > 0) DESC,
         failed_runs DESC, missing_days DESC, unpriced_rows DESC,
         (status = 'active') DESC, name, id

-- name: admin_agency_failed_runs
-- The unresolved failed runs since failed_since, newest first, whoever they belong to
-- (a file that failed before its client was known has no client_ids).
SELECT l.id, l.file_name, l.message, l.started_at, l.client_ids
FROM ingestion_logs l
WHERE l.status = 'failed' AND l.started_at >= %(failed_since)s
  AND NOT EXISTS (
      SELECT 1 FROM ingestion_logs later
      WHERE later.bucket = l.bucket AND later.object_key = l.object_key
        AND later.started_at > l.started_at
        AND later.status IN ('success', 'partial', 'duplicate')
  )
ORDER BY l.started_at DESC, l.id
LIMIT %(limit)s

-- ---------------------------------------------------------------- branding

-- name: admin_get_branding
SELECT c.id AS client_id, b.accent_color, b.logo_content_type, b.logo_sha256,
       octet_length(b.logo) AS logo_bytes, b.logo_width, b.logo_height, b.updated_at
FROM clients c
LEFT JOIN client_branding b ON b.client_id = c.id
WHERE c.id = %(client_id)s

-- name: admin_set_accent_color
INSERT INTO client_branding (client_id, accent_color) VALUES (%(client_id)s, %(accent_color)s)
ON CONFLICT (client_id) DO UPDATE SET accent_color = EXCLUDED.accent_color

-- name: admin_set_logo
-- NULL content removes the logo.
INSERT INTO client_branding (client_id, logo, logo_content_type, logo_sha256, logo_width, logo_height)
VALUES (%(client_id)s, %(logo)s, %(content_type)s, %(sha256)s, %(width)s, %(height)s)
ON CONFLICT (client_id) DO UPDATE SET
    logo = EXCLUDED.logo,
    logo_content_type = EXCLUDED.logo_content_type,
    logo_sha256 = EXCLUDED.logo_sha256,
    logo_width = EXCLUDED.logo_width,
    logo_height = EXCLUDED.logo_height

-- name: client_branding_logo
-- Runs in the caller's tenant (RLS): another client's logo is simply not found.
SELECT logo, logo_content_type, logo_sha256 FROM client_branding
WHERE client_id = %(client_id)s AND logo IS NOT NULL

-- ---------------------------------------------------------------- alert log

-- name: alert_history_insert
INSERT INTO alert_history (kind, subject, status, recipients_count, error, run_id, client_id)
VALUES (%(kind)s, %(subject)s, %(status)s, %(recipients_count)s, %(error)s, %(run_id)s, %(client_id)s)

-- name: admin_count_alerts
SELECT count(*) AS total FROM alert_history
WHERE (%(kind)s::text IS NULL OR kind = %(kind)s)
  AND (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(run_id)s::uuid IS NULL OR run_id = %(run_id)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)
  AND (%(from)s::date IS NULL OR created_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR created_at < %(to)s::date + 1)

-- name: admin_list_alerts
SELECT id, kind, subject, status, recipients_count, error, run_id, client_id, created_at
FROM alert_history
WHERE (%(kind)s::text IS NULL OR kind = %(kind)s)
  AND (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(run_id)s::uuid IS NULL OR run_id = %(run_id)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)
  AND (%(from)s::date IS NULL OR created_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR created_at < %(to)s::date + 1)
ORDER BY created_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_client_by_slug
SELECT id, status FROM clients WHERE slug = %(slug)s
