-- Insights (shared/insights): the SQL does the summing, Python does the statistics.

-- name: insights_daily_series
-- One client's daily totals over [date_from, date_to] (days without data are absent).
SELECT date,
       sum(impressions)::bigint AS impressions,
       sum(clicks)::bigint AS clicks,
       sum(conversions)::bigint AS conversions,
       sum(conversion_revenue) AS revenue,
       sum(spend) AS spend
FROM daily_metrics
WHERE client_id = %(client_id)s AND date BETWEEN %(date_from)s AND %(date_to)s
GROUP BY date
ORDER BY date

-- name: insights_campaign_windows
-- Per campaign, trailing 7-day windows ending at date_to: window 0 is the last 7 days,
-- window 1 the 7 before, and so on up to `windows` - 1.
SELECT c.id, c.name, t.window_index, t.impressions, t.clicks, t.conversions, t.revenue,
       t.spend, t.days_with_data
FROM (
    SELECT campaign_id,
           ((%(date_to)s::date - date) / 7)::integer AS window_index,
           sum(impressions)::bigint AS impressions,
           sum(clicks)::bigint AS clicks,
           sum(conversions)::bigint AS conversions,
           sum(conversion_revenue) AS revenue,
           sum(spend) AS spend,
           count(DISTINCT date)::integer AS days_with_data
    FROM daily_metrics
    WHERE client_id = %(client_id)s
      AND date BETWEEN %(date_to)s::date - (7 * %(windows)s - 1) AND %(date_to)s::date
    GROUP BY campaign_id, window_index
) t
JOIN campaigns c ON c.id = t.campaign_id
ORDER BY c.name, c.id, t.window_index
