-- Reads behind the client dashboard API (shared/dashboard/).
--
-- Every query filters on client_id explicitly (so the planner uses the (client_id, date)
-- index) and also runs in a tenant-scoped transaction (so row-level security applies too).
-- Queries return SUMS only; ratios are derived from the sums in Python (shared.metrics).
-- The breakdown queries compute ratios in SQL only to sort by them.
--
-- Breakdown and export queries carry `{sort}` / `{direction}` placeholders filled with
-- psycopg.sql objects from a fixed whitelist (shared/dashboard/params.py), never with
-- request text. Lists return one row even for an empty page, so `total` is always known.

-- name: dashboard_list_clients
WITH visible AS (
    SELECT c.id, c.name, c.slug, c.status, c.currency FROM clients c
)
-- data_through: the client's last day with data (one backward step of the (client_id, date)
-- index per listed client), NULL when it has none.
SELECT t.total, p.id, p.name, p.slug, p.status, p.currency,
       (SELECT max(m.date) FROM daily_metrics m WHERE m.client_id = p.id) AS data_through
FROM (SELECT count(*) AS total FROM visible) t
LEFT JOIN LATERAL (
    SELECT v.* FROM visible v ORDER BY v.name, v.id LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_client
SELECT c.id, c.name, c.slug, c.status, c.currency FROM clients c WHERE c.id = %(client_id)s

-- name: dashboard_client_pacing
-- The client, its monthly budget (NULL: none) and its last day with data, for pacing.
SELECT c.id, c.name, c.slug, c.status, c.currency, c.monthly_budget,
       (SELECT max(m.date) FROM daily_metrics m WHERE m.client_id = c.id) AS data_through
FROM clients c WHERE c.id = %(client_id)s

-- name: dashboard_daily_totals
-- One row per day with data, no entity filter: overview (current + previous period in one
-- scan), the daily time series and the daily export. Read from the exact per-campaign
-- rollup (migration 0702, maintained by triggers in every writing transaction): ~60x fewer
-- rows than daily_metrics. spend is NULL exactly when no row of the day was priced.
SELECT m.date,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue,
       CASE WHEN sum(m.priced_rows) > 0 THEN sum(m.spend) END AS spend,
       (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency
FROM daily_campaign_metrics m
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY m.date
ORDER BY m.date

-- name: dashboard_daily_totals_call
-- dashboard_daily_totals as one statement in the client's tenant: app.daily_totals
-- (migration 1301) sets the tenant for itself, so the overview needs no transaction around
-- it (`Database.call`). The same SQL, the same rows: tests/dashboard/test_one_statement_reads.py;
-- each row also carries the client's data_through (= dashboard_data_through's).
SELECT t.date, t.impressions, t.clicks, t.conversions, t.revenue, t.spend, t.currency, t.data_through
FROM app.daily_totals(%(client_id)s, %(date_from)s, %(date_to)s) t

-- name: dashboard_data_through
-- The client's last day with data (NULL when none): the dashboard's freshness line. The
-- query (max(m.date) of the client's daily_metrics, and its currency) is app.data_through
-- (migration 1252): PL/pgSQL, so its plan is cached per database session. The overview
-- needs it only for a range without data: its days carry the same value (1301).
SELECT t.data_through, t.currency FROM app.data_through(%(client_id)s) t

-- name: dashboard_timeseries
-- granularity is 'day', 'week' (ISO, Monday) or 'month', validated before binding. The cast
-- to timestamp (not timestamptz) keeps date_trunc independent of the session time zone.
SELECT date_trunc(%(granularity)s, m.date::timestamp)::date AS period_start,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend,
       (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency
FROM daily_metrics m
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
  AND (%(campaign_id)s::uuid IS NULL OR m.campaign_id = %(campaign_id)s::uuid)
  AND (%(strategy_id)s::uuid IS NULL OR m.strategy_id = %(strategy_id)s::uuid)
  AND (%(placement_id)s::uuid IS NULL OR m.placement_id = %(placement_id)s::uuid)
  AND (%(creative_id)s::uuid IS NULL OR m.creative_id = %(creative_id)s::uuid)
GROUP BY 1
ORDER BY 1

-- name: dashboard_campaigns
-- From the per-campaign rollup, like dashboard_daily_totals.
WITH sums AS (
    SELECT m.campaign_id AS id,
           sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
           sum(m.conversion_revenue) AS revenue,
           CASE WHEN sum(m.priced_rows) > 0 THEN sum(m.spend) END AS spend
    FROM daily_campaign_metrics m
    WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
    GROUP BY m.campaign_id
), ranked AS (
    SELECT s.*, e.name,
           s.clicks::numeric / NULLIF(s.impressions, 0) AS ctr,
           s.conversions::numeric / NULLIF(s.clicks, 0) AS cvr,
           s.spend / NULLIF(s.clicks, 0) AS cpc,
           s.spend / NULLIF(s.conversions, 0) AS cpa,
           s.revenue / NULLIF(s.spend, 0) AS roas
    FROM sums s JOIN campaigns e ON e.id = s.id AND e.client_id = %(client_id)s
)
SELECT t.total, (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency,
       p.id, p.name, p.impressions, p.clicks, p.conversions, p.revenue, p.spend
FROM (SELECT count(*) AS total FROM ranked) t
LEFT JOIN LATERAL (
    SELECT r.* FROM ranked r ORDER BY {sort} {direction} NULLS LAST, r.id LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_campaigns_call
-- dashboard_campaigns as one statement in the client's tenant: app.campaign_breakdown
-- (migration 1301) holds the same query with the sort as data (no `{sort}` placeholder, so
-- its plan is kept per session) and sets the tenant for itself (`Database.call`). The same
-- rows in the same order for every sort key and direction: tests/dashboard/test_one_statement_reads.py.
SELECT t.total, t.currency, t.id, t.name, t.impressions, t.clicks, t.conversions, t.revenue, t.spend
FROM app.campaign_breakdown(%(client_id)s, %(date_from)s, %(date_to)s, %(sort)s, %(descending)s,
                            %(limit)s, %(offset)s) t

-- name: dashboard_strategies
WITH sums AS (
    SELECT m.strategy_id AS id, m.campaign_id,
           sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
           sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
    FROM daily_metrics m
    WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
      AND (%(campaign_id)s::uuid IS NULL OR m.campaign_id = %(campaign_id)s::uuid)
    GROUP BY m.strategy_id, m.campaign_id
), ranked AS (
    SELECT s.*, e.name,
           s.clicks::numeric / NULLIF(s.impressions, 0) AS ctr,
           s.conversions::numeric / NULLIF(s.clicks, 0) AS cvr,
           s.spend / NULLIF(s.clicks, 0) AS cpc,
           s.spend / NULLIF(s.conversions, 0) AS cpa,
           s.revenue / NULLIF(s.spend, 0) AS roas
    FROM sums s JOIN strategies e ON e.id = s.id AND e.client_id = %(client_id)s
)
SELECT t.total, (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency,
       p.id, p.name, p.campaign_id,
       p.impressions, p.clicks, p.conversions, p.revenue, p.spend
FROM (SELECT count(*) AS total FROM ranked) t
LEFT JOIN LATERAL (
    SELECT r.* FROM ranked r ORDER BY {sort} {direction} NULLS LAST, r.id LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_placements
WITH sums AS (
    SELECT m.placement_id AS id, m.campaign_id, m.strategy_id,
           sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
           sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
    FROM daily_metrics m
    WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
      AND (%(campaign_id)s::uuid IS NULL OR m.campaign_id = %(campaign_id)s::uuid)
      AND (%(strategy_id)s::uuid IS NULL OR m.strategy_id = %(strategy_id)s::uuid)
    GROUP BY m.placement_id, m.campaign_id, m.strategy_id
), ranked AS (
    SELECT s.*, e.name,
           s.clicks::numeric / NULLIF(s.impressions, 0) AS ctr,
           s.conversions::numeric / NULLIF(s.clicks, 0) AS cvr,
           s.spend / NULLIF(s.clicks, 0) AS cpc,
           s.spend / NULLIF(s.conversions, 0) AS cpa,
           s.revenue / NULLIF(s.spend, 0) AS roas
    FROM sums s JOIN placements e ON e.id = s.id AND e.client_id = %(client_id)s
)
SELECT t.total, (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency,
       p.id, p.name, p.campaign_id, p.strategy_id,
       p.impressions, p.clicks, p.conversions, p.revenue, p.spend
FROM (SELECT count(*) AS total FROM ranked) t
LEFT JOIN LATERAL (
    SELECT r.* FROM ranked r ORDER BY {sort} {direction} NULLS LAST, r.id LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_creatives
WITH sums AS (
    SELECT m.creative_id AS id, m.campaign_id, m.strategy_id, m.placement_id,
           sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
           sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
    FROM daily_metrics m
    WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
      AND (%(campaign_id)s::uuid IS NULL OR m.campaign_id = %(campaign_id)s::uuid)
      AND (%(strategy_id)s::uuid IS NULL OR m.strategy_id = %(strategy_id)s::uuid)
      AND (%(placement_id)s::uuid IS NULL OR m.placement_id = %(placement_id)s::uuid)
    GROUP BY m.creative_id, m.campaign_id, m.strategy_id, m.placement_id
), ranked AS (
    SELECT s.*, e.name,
           s.clicks::numeric / NULLIF(s.impressions, 0) AS ctr,
           s.conversions::numeric / NULLIF(s.clicks, 0) AS cvr,
           s.spend / NULLIF(s.clicks, 0) AS cpc,
           s.spend / NULLIF(s.conversions, 0) AS cpa,
           s.revenue / NULLIF(s.spend, 0) AS roas
    FROM sums s JOIN creatives e ON e.id = s.id AND e.client_id = %(client_id)s
)
SELECT t.total, (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency,
       p.id, p.name, p.campaign_id, p.strategy_id, p.placement_id,
       p.impressions, p.clicks, p.conversions, p.revenue, p.spend
FROM (SELECT count(*) AS total FROM ranked) t
LEFT JOIN LATERAL (
    SELECT r.* FROM ranked r ORDER BY {sort} {direction} NULLS LAST, r.id LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_export_campaign
SELECT c.name AS campaign,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
FROM daily_metrics m
JOIN campaigns c ON c.id = m.campaign_id
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY c.id, c.name
ORDER BY c.name, c.id

-- name: dashboard_export_strategy
SELECT c.name AS campaign, s.name AS strategy,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
FROM daily_metrics m
JOIN campaigns c ON c.id = m.campaign_id
JOIN strategies s ON s.id = m.strategy_id
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY c.id, c.name, s.id, s.name
ORDER BY c.name, c.id, s.name, s.id

-- name: dashboard_export_placement
SELECT c.name AS campaign, s.name AS strategy, p.name AS placement,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
FROM daily_metrics m
JOIN campaigns c ON c.id = m.campaign_id
JOIN strategies s ON s.id = m.strategy_id
JOIN placements p ON p.id = m.placement_id
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY c.id, c.name, s.id, s.name, p.id, p.name
ORDER BY c.name, c.id, s.name, s.id, p.name, p.id

-- name: dashboard_export_creative
SELECT c.name AS campaign, s.name AS strategy, p.name AS placement, cr.name AS creative,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks, sum(m.conversions) AS conversions,
       sum(m.conversion_revenue) AS revenue, sum(m.spend) AS spend
FROM daily_metrics m
JOIN campaigns c ON c.id = m.campaign_id
JOIN strategies s ON s.id = m.strategy_id
JOIN placements p ON p.id = m.placement_id
JOIN creatives cr ON cr.id = m.creative_id
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY c.id, c.name, s.id, s.name, p.id, p.name, cr.id, cr.name
ORDER BY c.name, c.id, s.name, s.id, p.name, p.id, cr.name, cr.id

-- name: dashboard_weekly_summaries
WITH visible AS (
    SELECT w.week_start, w.week_end, w.impressions, w.clicks, w.conversions, w.revenue, w.spend,
           w.days_with_data, w.updated_at
    FROM weekly_summaries w
    WHERE w.client_id = %(client_id)s
      AND (%(date_from)s::date IS NULL OR w.week_end >= %(date_from)s::date)
      AND (%(date_to)s::date IS NULL OR w.week_start <= %(date_to)s::date)
)
SELECT t.total, p.*
FROM (SELECT count(*) AS total FROM visible) t
LEFT JOIN LATERAL (
    SELECT v.* FROM visible v ORDER BY v.week_start DESC LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_weekly_summary
SELECT w.week_start, w.week_end, w.impressions, w.clicks, w.conversions, w.revenue, w.spend,
       w.days_with_data, w.deltas, w.top_campaigns, w.underperformers, w.top_creatives, w.insights,
       w.details, w.updated_at
FROM weekly_summaries w
WHERE w.client_id = %(client_id)s AND w.week_start = %(period_start)s

-- name: dashboard_monthly_summaries
WITH visible AS (
    SELECT ms.month_start, ms.month_end, ms.impressions, ms.clicks, ms.conversions, ms.revenue, ms.spend,
           ms.days_with_data, ms.updated_at
    FROM monthly_summaries ms
    WHERE ms.client_id = %(client_id)s
      AND (%(date_from)s::date IS NULL OR ms.month_end >= %(date_from)s::date)
      AND (%(date_to)s::date IS NULL OR ms.month_start <= %(date_to)s::date)
)
SELECT t.total, p.*
FROM (SELECT count(*) AS total FROM visible) t
LEFT JOIN LATERAL (
    SELECT v.* FROM visible v ORDER BY v.month_start DESC LIMIT %(limit)s OFFSET %(offset)s
) p ON true

-- name: dashboard_monthly_summary
SELECT ms.month_start, ms.month_end, ms.impressions, ms.clicks, ms.conversions, ms.revenue, ms.spend,
       ms.days_with_data, ms.deltas, ms.trend, ms.top_campaigns, ms.top_creatives, ms.campaign_rankings,
       ms.creative_rankings, ms.insights, ms.details, ms.updated_at
FROM monthly_summaries ms
WHERE ms.client_id = %(client_id)s AND ms.month_start = %(period_start)s

-- name: dashboard_report_provenance
-- What a report was built from: the ingestion runs whose rows it reads (both periods), the
-- last day with data on or before the range end, and when those rows last changed.
SELECT coalesce(array_agg(DISTINCT m.ingestion_run_id::text) FILTER (WHERE m.ingestion_run_id IS NOT NULL), '{}')
           AS run_ids,
       max(m.date) AS data_through,
       max(m.updated_at) AS last_change
FROM daily_metrics m
WHERE m.client_id = %(client_id)s AND m.date BETWEEN %(date_from)s AND %(date_to)s

-- name: dashboard_report_branding
-- The client's logo and accent colour for its report; runs in the client's tenant (RLS: a
-- client reads only its own branding). No row: the report keeps the product look.
SELECT accent_color, logo FROM client_branding WHERE client_id = %(client_id)s
