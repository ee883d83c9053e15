-- Derived ratios are unbounded. With numeric(16,4), an extreme but valid row (1 impression
-- priced at a tiny CPM with a large conversion revenue) overflowed ROAS and failed the whole
-- file with "numeric value out of range" (found by the ingestion property test). Ratios are
-- still rounded to their display places; only the precision limit goes.

ALTER TABLE daily_metrics
    ALTER COLUMN ctr TYPE numeric,
    ALTER COLUMN cpc TYPE numeric,
    ALTER COLUMN cpa TYPE numeric,
    ALTER COLUMN roas TYPE numeric;

ALTER TABLE weekly_summaries
    ALTER COLUMN ctr TYPE numeric,
    ALTER COLUMN cvr TYPE numeric,
    ALTER COLUMN cpc TYPE numeric,
    ALTER COLUMN cpa TYPE numeric,
    ALTER COLUMN roas TYPE numeric;

ALTER TABLE monthly_summaries
    ALTER COLUMN ctr TYPE numeric,
    ALTER COLUMN cvr TYPE numeric,
    ALTER COLUMN cpc TYPE numeric,
    ALTER COLUMN cpa TYPE numeric,
    ALTER COLUMN roas TYPE numeric;
