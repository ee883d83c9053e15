-- Insights (shared/insights): the SQL does the summing, Python does the statistics.

-- name: insights_campaign_daily
-- One client's sums per campaign and day over [date_from, date_to] (no row for a campaign-
-- day without data). Everything else (daily series, period totals, campaign totals,
-- weekly windows) is summed from these few thousand rows in Python.
SELECT t.campaign_id, c.name AS campaign_name, t.date, t.impressions, t.clicks,
       t.conversions, t.revenue, t.spend
FROM (
    SELECT campaign_id, date,
           sum(impressions)::bigint AS impressions,
           sum(clicks)::bigint AS clicks,
           sum(conversions)::bigint AS conversions,
           sum(conversion_revenue) AS revenue,
           sum(spend) AS spend
    FROM daily_metrics
    WHERE client_id = %(client_id)s AND date BETWEEN %(date_from)s AND %(date_to)s
    GROUP BY campaign_id, date
) t
JOIN campaigns c ON c.id = t.campaign_id
ORDER BY t.date, c.name, t.campaign_id
