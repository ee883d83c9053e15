-- The admin portal: clients, advertisers, users, rate card, ingestion runs. Used by shared/admin/.
-- Runs as dash_api in all-clients transactions (the admin sees every client).

-- ---------------------------------------------------------------- clients

-- name: admin_client_exists
SELECT id FROM clients WHERE id = %(client_id)s

-- name: admin_count_clients
SELECT count(*) AS total FROM clients
WHERE (%(status)s::text IS NULL OR status = %(status)s)

-- name: admin_list_clients
SELECT c.id, c.name, c.slug, c.status, c.currency, c.created_at, c.updated_at,
       coalesce((SELECT array_agg(a.name ORDER BY a.name) FROM client_advertisers a WHERE a.client_id = c.id),
                '{}') AS advertisers,
       (SELECT r.cpm FROM app.rate_in_force(c.id, current_date) r) AS current_cpm
FROM clients c
WHERE (%(status)s::text IS NULL OR c.status = %(status)s)
ORDER BY c.name, c.id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_get_client
SELECT c.id, c.name, c.slug, c.status, c.currency, c.created_at, c.updated_at,
       coalesce((SELECT array_agg(a.name ORDER BY a.name) FROM client_advertisers a WHERE a.client_id = c.id),
                '{}') AS advertisers,
       (SELECT r.cpm FROM app.rate_in_force(c.id, current_date) r) AS current_cpm
FROM clients c
WHERE c.id = %(client_id)s

-- name: admin_insert_client
INSERT INTO clients (name, slug, currency) VALUES (%(name)s, %(slug)s, %(currency)s)
RETURNING id

-- name: admin_update_client
-- NULL leaves a field unchanged (PATCH).
UPDATE clients SET
    name = coalesce(%(name)s, name),
    slug = coalesce(%(slug)s, slug),
    status = coalesce(%(status)s, status),
    currency = coalesce(%(currency)s, currency)
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
SELECT count(*) AS total FROM users
WHERE (%(role)s::text IS NULL OR role = %(role)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)

-- name: admin_list_users
SELECT id, email, role, client_id, disabled, created_at, updated_at
FROM users
WHERE (%(role)s::text IS NULL OR role = %(role)s)
  AND (%(client_id)s::uuid IS NULL OR client_id = %(client_id)s)
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
    SELECT dm.id, dm.date, dm.spend AS old_spend, r.client_setting_id, r.cpm,
           dm.impressions * r.cpm * 0.001 AS new_spend
    FROM daily_metrics dm
    LEFT JOIN LATERAL app.rate_in_force(dm.client_id, dm.date) r ON true
    WHERE dm.client_id = %(client_id)s AND dm.date >= %(date_from)s
), changed AS (
    UPDATE daily_metrics dm
    SET client_setting_id = p.client_setting_id, cpm = p.cpm, spend = p.new_spend
    FROM priced p
    WHERE dm.id = p.id
      AND (dm.client_setting_id IS DISTINCT FROM p.client_setting_id
           OR dm.cpm IS DISTINCT FROM p.cpm
           OR dm.spend IS DISTINCT FROM p.new_spend)
    RETURNING p.date, p.old_spend, p.new_spend
)
SELECT count(*)::integer AS rows_changed,
       sum(old_spend) AS spend_before,
       sum(new_spend) AS spend_after,
       min(date) AS date_from,
       max(date) AS date_to
FROM changed

-- name: admin_enqueue_summary_refresh
SELECT app.enqueue_summary_refresh(%(client_id)s, %(date_from)s, %(date_to)s) AS queued

-- ---------------------------------------------------------------- ingestion runs

-- name: admin_count_runs
SELECT count(*) AS total FROM ingestion_logs
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(from)s::date IS NULL OR started_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR started_at < %(to)s::date + 1)
  AND (%(client_id)s::uuid IS NULL OR client_ids @> ARRAY[%(client_id)s::uuid])

-- name: admin_list_runs
SELECT id, file_name, bucket, object_key, checksum, file_size, run_date, status,
       records_loaded, records_failed, message, client_ids, date_from, date_to, retry_of,
       started_at, finished_at
FROM ingestion_logs
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(from)s::date IS NULL OR started_at >= %(from)s::date)
  AND (%(to)s::date IS NULL OR started_at < %(to)s::date + 1)
  AND (%(client_id)s::uuid IS NULL OR client_ids @> ARRAY[%(client_id)s::uuid])
ORDER BY started_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s

-- name: admin_get_run
SELECT id, file_name, bucket, object_key, checksum, file_size, run_date, status,
       records_loaded, records_failed, message, client_ids, date_from, date_to, retry_of,
       started_at, finished_at
FROM ingestion_logs WHERE id = %(run_id)s

-- name: admin_run_rejected_rows
SELECT line_number, column_name, value, reason
FROM ingestion_rejected_rows
WHERE ingestion_run_id = %(run_id)s
ORDER BY line_number, id
LIMIT %(limit)s
