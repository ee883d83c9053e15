-- Weekly and monthly summaries (shared/summaries). Every query names its client explicitly;
-- row-level security is the second line of defence, not the filter.

-- name: summary_clients
-- The clients a run covers: every active client, or the one named (whatever its status:
-- the admin may backfill a disabled client's history).
SELECT id, name, slug, status, currency
FROM clients
WHERE (%(client_id)s::uuid IS NULL AND status = 'active') OR id = %(client_id)s::uuid
ORDER BY name, id

-- name: summary_client_currency
SELECT currency FROM clients WHERE id = %(client_id)s

-- name: summary_period_totals
-- Exact sums over [date_from, date_to]; spend is NULL when no row of the period was priced.
-- (The builder sums `insights_campaign_daily` instead; this is the benchmark's reference
-- and a cross-check in the tests.)
SELECT coalesce(sum(impressions), 0)::bigint AS impressions,
       coalesce(sum(clicks), 0)::bigint AS clicks,
       coalesce(sum(conversions), 0)::bigint AS conversions,
       coalesce(sum(conversion_revenue), 0) AS revenue,
       sum(spend) AS spend,
       count(DISTINCT date)::integer AS days_with_data
FROM daily_metrics
WHERE client_id = %(client_id)s AND date BETWEEN %(date_from)s AND %(date_to)s

-- name: summary_creative_totals
-- A creative belongs to one placement (and so one strategy and campaign): grouping by it is enough.
SELECT cr.id, cr.name, p.id AS placement_id, p.name AS placement_name,
       st.id AS strategy_id, st.name AS strategy_name,
       c.id AS campaign_id, c.name AS campaign_name,
       t.impressions, t.clicks, t.conversions, t.revenue, t.spend, t.days_with_data
FROM (
    SELECT creative_id, campaign_id,
           sum(impressions)::bigint AS impressions,
           sum(clicks)::bigint AS clicks,
           sum(conversions)::bigint AS conversions,
           sum(conversion_revenue) AS revenue,
           sum(spend) AS spend,
           count(DISTINCT date)::integer AS days_with_data
    FROM daily_metrics
    WHERE client_id = %(client_id)s AND date BETWEEN %(date_from)s AND %(date_to)s
    GROUP BY creative_id, campaign_id
) t
JOIN creatives cr ON cr.id = t.creative_id
JOIN placements p ON p.id = cr.placement_id
JOIN strategies st ON st.id = p.strategy_id
JOIN campaigns c ON c.id = t.campaign_id
ORDER BY cr.name, cr.id

-- name: summary_upsert_weekly
-- Re-running a week replaces its summary (one row per client and week).
INSERT INTO weekly_summaries (
    client_id, week_start, week_end, impressions, clicks, conversions, revenue, spend,
    ctr, cvr, cpc, cpa, roas, days_with_data, deltas, top_campaigns, underperformers,
    top_creatives, insights, details
) VALUES (
    %(client_id)s, %(period_start)s, %(period_end)s, %(impressions)s, %(clicks)s,
    %(conversions)s, %(revenue)s, %(spend)s, round(%(ctr)s::numeric, 6), round(%(cvr)s::numeric, 6), round(%(cpc)s::numeric, 4),
    round(%(cpa)s::numeric, 4), round(%(roas)s::numeric, 4),
    %(days_with_data)s, %(deltas)s::jsonb, %(top_campaigns)s::jsonb, %(underperformers)s::jsonb, %(top_creatives)s::jsonb,
    %(insights)s::jsonb, %(details)s::jsonb
)
ON CONFLICT (client_id, week_start) DO UPDATE SET
    week_end = EXCLUDED.week_end,
    impressions = EXCLUDED.impressions,
    clicks = EXCLUDED.clicks,
    conversions = EXCLUDED.conversions,
    revenue = EXCLUDED.revenue,
    spend = EXCLUDED.spend,
    ctr = EXCLUDED.ctr,
    cvr = EXCLUDED.cvr,
    cpc = EXCLUDED.cpc,
    cpa = EXCLUDED.cpa,
    roas = EXCLUDED.roas,
    days_with_data = EXCLUDED.days_with_data,
    deltas = EXCLUDED.deltas,
    top_campaigns = EXCLUDED.top_campaigns,
    underperformers = EXCLUDED.underperformers,
    top_creatives = EXCLUDED.top_creatives,
    insights = EXCLUDED.insights,
    details = EXCLUDED.details
RETURNING id

-- name: summary_upsert_monthly
INSERT INTO monthly_summaries (
    client_id, month_start, month_end, impressions, clicks, conversions, revenue, spend,
    ctr, cvr, cpc, cpa, roas, days_with_data, deltas, trend, top_campaigns, top_creatives,
    campaign_rankings, creative_rankings, insights, details
) VALUES (
    %(client_id)s, %(period_start)s, %(period_end)s, %(impressions)s, %(clicks)s,
    %(conversions)s, %(revenue)s, %(spend)s, round(%(ctr)s::numeric, 6), round(%(cvr)s::numeric, 6), round(%(cpc)s::numeric, 4),
    round(%(cpa)s::numeric, 4), round(%(roas)s::numeric, 4),
    %(days_with_data)s, %(deltas)s::jsonb, %(trend)s::jsonb, %(top_campaigns)s::jsonb, %(top_creatives)s::jsonb,
    %(campaign_rankings)s::jsonb, %(creative_rankings)s::jsonb, %(insights)s::jsonb, %(details)s::jsonb
)
ON CONFLICT (client_id, month_start) DO UPDATE SET
    month_end = EXCLUDED.month_end,
    impressions = EXCLUDED.impressions,
    clicks = EXCLUDED.clicks,
    conversions = EXCLUDED.conversions,
    revenue = EXCLUDED.revenue,
    spend = EXCLUDED.spend,
    ctr = EXCLUDED.ctr,
    cvr = EXCLUDED.cvr,
    cpc = EXCLUDED.cpc,
    cpa = EXCLUDED.cpa,
    roas = EXCLUDED.roas,
    days_with_data = EXCLUDED.days_with_data,
    deltas = EXCLUDED.deltas,
    trend = EXCLUDED.trend,
    top_campaigns = EXCLUDED.top_campaigns,
    top_creatives = EXCLUDED.top_creatives,
    campaign_rankings = EXCLUDED.campaign_rankings,
    creative_rankings = EXCLUDED.creative_rankings,
    insights = EXCLUDED.insights,
    details = EXCLUDED.details
RETURNING id

-- name: summary_take_refresh_queue
-- Claims and removes the queued periods visible to this transaction. SKIP LOCKED leaves
-- rows another transaction is queuing right now to that transaction (it regenerates them
-- itself), so two concurrent loads never wait on each other here.
DELETE FROM summary_refresh_queue q
USING (
    SELECT client_id, kind, period_start
    FROM summary_refresh_queue
    ORDER BY client_id, kind, period_start
    FOR UPDATE SKIP LOCKED
) claimed
WHERE q.client_id = claimed.client_id
  AND q.kind = claimed.kind
  AND q.period_start = claimed.period_start
RETURNING q.client_id, q.kind, q.period_start
