-- The agency's margin ledger (buy costs, cost and margin, break-even, what-if pricing) and
-- closed months. Used by shared/admin/{buy_cost,margin,closed_months}.py and one step of the
-- ingestion load (ingest_reject_closed_months).
--
-- Cost rule (docs/api.md "Margin ledger"): a day's cost = impressions x the buy CPM in force
-- on that date x 0.001, exact numeric, never stored; read from the per-campaign daily rollup
-- (daily_campaign_metrics, 0702), which is exact because the buy CPM is one value per
-- (client, date). Margin = spend - cost over the days that have both (a priced day with a
-- buy cost); margin ratio = that margin / the spend of those same days (a ratio of sums).
-- client_buy_costs is readable in all-clients transactions only (admin, worker).

-- ---------------------------------------------------------------- buy costs

-- name: ledger_count_buy_costs
SELECT count(*) AS total FROM client_buy_costs WHERE client_id = %(client_id)s

-- name: ledger_list_buy_costs
-- Newest first, each with the date it stops applying (the next buy cost's date), if any.
SELECT id, client_id, cpm, effective_date,
       lead(effective_date) OVER (ORDER BY effective_date) - 1 AS effective_until,
       created_at, updated_at
FROM client_buy_costs
WHERE client_id = %(client_id)s
ORDER BY effective_date DESC
LIMIT %(limit)s OFFSET %(offset)s

-- name: ledger_upsert_buy_cost
-- The same effective date again changes that buy cost.
INSERT INTO client_buy_costs (client_id, cpm, effective_date)
VALUES (%(client_id)s, %(cpm)s, %(effective_date)s)
ON CONFLICT (client_id, effective_date) DO UPDATE SET cpm = EXCLUDED.cpm
RETURNING id, client_id, cpm, effective_date, created_at, updated_at, (xmax = 0) AS created

-- name: ledger_current_buy_cpm
SELECT b.cpm FROM app.buy_cost_periods(%(client_id)s) b
WHERE %(day)s::date >= b.valid_from AND %(day)s::date < b.valid_to

-- name: ledger_daily_cost_from
-- Each day of the client's data on or after a date, with its buy CPM and cost as the buy
-- cost table stands now (run before and after a change: the days whose CPM differs are
-- the change's impact).
SELECT r.date, sum(r.row_count)::integer AS rows, sum(r.impressions)::bigint AS impressions,
       min(b.cpm) AS buy_cpm, sum(r.impressions) * min(b.cpm) * 0.001 AS cost
FROM daily_campaign_metrics r
LEFT JOIN app.buy_cost_periods(%(client_id)s) b ON r.date >= b.valid_from AND r.date < b.valid_to
WHERE r.client_id = %(client_id)s AND r.date >= %(date_from)s
GROUP BY r.date
ORDER BY r.date

-- name: ledger_next_buy_cost_date
SELECT min(effective_date) AS next_date FROM client_buy_costs
WHERE client_id = %(client_id)s AND effective_date > %(effective_date)s

-- name: ledger_next_rate_date
SELECT min(effective_date) AS next_date FROM client_settings
WHERE client_id = %(client_id)s AND effective_date > %(effective_date)s

-- ---------------------------------------------------------------- margin

-- name: ledger_margin_daily
-- One row per day of the period with data: volumes, revenue, spend (NULL on an unpriced
-- day), the buy CPM in force and cost (NULL without a buy cost), exact.
SELECT r.date,
       sum(r.impressions)::bigint AS impressions, sum(r.clicks)::bigint AS clicks,
       sum(r.conversions)::bigint AS conversions, sum(r.conversion_revenue) AS revenue,
       CASE WHEN sum(r.priced_rows) > 0 THEN sum(r.spend) END AS spend,
       min(b.cpm) AS buy_cpm,
       sum(r.impressions) * min(b.cpm) * 0.001 AS cost
FROM daily_campaign_metrics r
LEFT JOIN app.buy_cost_periods(%(client_id)s) b ON r.date >= b.valid_from AND r.date < b.valid_to
WHERE r.client_id = %(client_id)s AND r.date BETWEEN %(from)s AND %(to)s
GROUP BY r.date
ORDER BY r.date

-- name: ledger_margin_campaigns
-- The period per campaign: the same sums, margin over the campaign's days with both spend
-- and cost (margin_base = the spend of those days), biggest spend first.
SELECT c.id, c.name,
       sum(r.impressions)::bigint AS impressions, sum(r.clicks)::bigint AS clicks,
       sum(r.conversions)::bigint AS conversions, sum(r.conversion_revenue) AS revenue,
       sum(r.spend) FILTER (WHERE r.priced_rows > 0) AS spend,
       sum(r.impressions * b.cpm * 0.001) AS cost,
       sum(r.spend - r.impressions * b.cpm * 0.001) FILTER (WHERE r.priced_rows > 0 AND b.cpm IS NOT NULL) AS margin,
       sum(r.spend) FILTER (WHERE r.priced_rows > 0 AND b.cpm IS NOT NULL) AS margin_base
FROM daily_campaign_metrics r
JOIN campaigns c ON c.id = r.campaign_id
LEFT JOIN app.buy_cost_periods(%(client_id)s) b ON r.date >= b.valid_from AND r.date < b.valid_to
WHERE r.client_id = %(client_id)s AND r.date BETWEEN %(from)s AND %(to)s
GROUP BY c.id, c.name
ORDER BY sum(r.spend) FILTER (WHERE r.priced_rows > 0) DESC NULLS LAST, c.name, c.id

-- name: ledger_margin_by_client
-- Every client's margin for a period (the agency overview, the margin alert).
WITH buy AS (
    SELECT client_id, cpm, effective_date AS valid_from,
           coalesce(lead(effective_date) OVER (PARTITION BY client_id ORDER BY effective_date),
                    'infinity'::date) AS valid_to
    FROM client_buy_costs
)
SELECT r.client_id,
       sum(r.impressions)::bigint AS impressions, sum(r.conversion_revenue) AS revenue,
       sum(r.spend) FILTER (WHERE r.priced_rows > 0) AS spend,
       sum(r.impressions * b.cpm * 0.001) AS cost,
       sum(r.spend - r.impressions * b.cpm * 0.001) FILTER (WHERE r.priced_rows > 0 AND b.cpm IS NOT NULL) AS margin,
       sum(r.spend) FILTER (WHERE r.priced_rows > 0 AND b.cpm IS NOT NULL) AS margin_base
FROM daily_campaign_metrics r
LEFT JOIN buy b ON b.client_id = r.client_id AND r.date >= b.valid_from AND r.date < b.valid_to
WHERE r.date BETWEEN %(from)s AND %(to)s
  AND (%(client_id)s::uuid IS NULL OR r.client_id = %(client_id)s)
GROUP BY r.client_id

-- name: ledger_margin_alert_candidates
-- Active clients whose margin ratio over [from, to] is under the threshold.
WITH buy AS (
    SELECT client_id, cpm, effective_date AS valid_from,
           coalesce(lead(effective_date) OVER (PARTITION BY client_id ORDER BY effective_date),
                    'infinity'::date) AS valid_to
    FROM client_buy_costs
), sums AS (
    SELECT r.client_id,
           sum(r.spend - r.impressions * b.cpm * 0.001) AS margin,
           sum(r.spend) AS margin_base,
           sum(r.impressions * b.cpm * 0.001) AS cost
    FROM daily_campaign_metrics r
    JOIN buy b ON b.client_id = r.client_id AND r.date >= b.valid_from AND r.date < b.valid_to
    WHERE r.date BETWEEN %(from)s AND %(to)s AND r.priced_rows > 0
    GROUP BY r.client_id
)
SELECT c.id AS client_id, c.name, c.slug, c.currency, s.margin, s.margin_base, s.cost
FROM sums s
JOIN clients c ON c.id = s.client_id
WHERE c.status = 'active' AND s.margin_base > 0 AND s.margin / s.margin_base < %(threshold)s
ORDER BY c.name, c.id

-- name: ledger_what_if_months
-- A proposed sell CPM effective on [date_from, date_to] (date_to NULL: open-ended): per
-- calendar month from date_from's month, the month's revenue, the spend it would have
-- (the proposed CPM on the days in the range, the stored spend on the others), the cost
-- and the margin (over days with a buy cost), all exact.
WITH days AS (
    SELECT r.date, sum(r.impressions) AS impressions, sum(r.conversion_revenue) AS revenue,
           CASE WHEN r.date >= %(date_from)s AND (%(date_to)s::date IS NULL OR r.date <= %(date_to)s::date)
                THEN sum(r.impressions) * %(cpm)s::numeric * 0.001
                WHEN sum(r.priced_rows) > 0 THEN sum(r.spend) END AS spend,
           sum(r.impressions) * min(b.cpm) * 0.001 AS cost
    FROM daily_campaign_metrics r
    LEFT JOIN app.buy_cost_periods(%(client_id)s) b ON r.date >= b.valid_from AND r.date < b.valid_to
    WHERE r.client_id = %(client_id)s AND r.date >= date_trunc('month', %(date_from)s::date)::date
      AND (%(date_to)s::date IS NULL OR r.date < (date_trunc('month', %(date_to)s::date) + interval '1 month')::date)
    GROUP BY r.date
)
SELECT to_char(date_trunc('month', date::timestamp), 'YYYY-MM') AS month,
       sum(impressions)::bigint AS impressions, sum(revenue) AS revenue, sum(spend) AS spend,
       sum(cost) AS cost,
       sum(spend - cost) FILTER (WHERE spend IS NOT NULL AND cost IS NOT NULL) AS margin,
       sum(spend) FILTER (WHERE spend IS NOT NULL AND cost IS NOT NULL) AS margin_base
FROM days
GROUP BY date_trunc('month', date::timestamp)
ORDER BY date_trunc('month', date::timestamp)

-- name: ledger_target_roas
SELECT target_roas FROM clients WHERE id = %(client_id)s

-- name: ledger_set_target_roas
UPDATE clients SET target_roas = %(target_roas)s WHERE id = %(client_id)s RETURNING id

-- ---------------------------------------------------------------- closed months

-- name: ledger_first_closed_month
-- The first closed month overlapping [date_from, date_to] (date_to NULL: open-ended).
SELECT to_char(m.month, 'YYYY-MM') AS month
FROM client_closed_months m
WHERE m.client_id = %(client_id)s
  AND m.month >= date_trunc('month', %(date_from)s::date)::date
  AND (%(date_to)s::date IS NULL OR m.month <= %(date_to)s::date)
ORDER BY m.month
LIMIT 1

-- name: ledger_close_month
INSERT INTO client_closed_months (client_id, month, closed_by)
VALUES (%(client_id)s, %(month)s, %(actor_id)s)
ON CONFLICT (client_id, month) DO NOTHING
RETURNING month

-- name: ledger_reopen_month
DELETE FROM client_closed_months WHERE client_id = %(client_id)s AND month = %(month)s
RETURNING month

-- name: ledger_insert_month_event
INSERT INTO client_month_events (client_id, month, action, actor_id, actor_email)
SELECT %(client_id)s, %(month)s, %(action)s, u.id, u.email FROM users u WHERE u.id = %(actor_id)s
RETURNING id, client_id, month, action, actor_id, actor_email, created_at

-- name: ledger_list_closed_months
SELECT m.client_id, to_char(m.month, 'YYYY-MM') AS month, m.closed_at, m.closed_by, u.email AS closed_by_email
FROM client_closed_months m
LEFT JOIN users u ON u.id = m.closed_by
WHERE m.client_id = %(client_id)s
ORDER BY m.month DESC

-- name: ledger_list_month_events
SELECT e.id, to_char(e.month, 'YYYY-MM') AS month, e.action, e.actor_id, e.actor_email, e.created_at
FROM client_month_events e
WHERE e.client_id = %(client_id)s
ORDER BY e.created_at DESC, e.id DESC
LIMIT %(limit)s

-- name: ingest_reject_closed_months
-- The ingestion step of closed months: the file's rows of a client's closed month leave
-- staging (and their days the day fingerprints, so they are neither replaced nor recorded);
-- the statement returns how many, and the first `limit` of them for the rejected-rows log.
WITH moved AS (
    DELETE FROM ingest_staging s
    USING client_closed_months m
    WHERE m.client_id = s.client_id AND m.month = date_trunc('month', s.date::timestamp)::date
    RETURNING s.line_number, s.client_id, s.date
), days AS (
    DELETE FROM ingest_days d
    USING (SELECT DISTINCT client_id, date FROM moved) k
    WHERE d.client_id = k.client_id AND d.date = k.date
    RETURNING 1
), shown AS (
    SELECT line_number, date FROM moved ORDER BY line_number LIMIT %(limit)s
)
SELECT (SELECT count(*) FROM moved)::integer AS rejected,
       (SELECT count(*) FROM days)::integer AS days,
       coalesce((SELECT array_agg(line_number ORDER BY line_number) FROM shown), '{}') AS line_numbers,
       coalesce((SELECT array_agg(date::text ORDER BY line_number) FROM shown), '{}') AS dates
