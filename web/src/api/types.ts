/**
 * Shapes of responses the OpenAPI document describes only as objects (summaries and
 * insights are stored JSON documents). Only the fields the screens read are listed.
 */
import type { Aggregate, Change } from './client'

export interface Insight {
  kind: string
  severity: 'high' | 'medium' | 'low' | string
  metric?: string
  message: string
  entity?: { type: string; id: string; name: string } | null
  date?: string
}

export interface InsightsOut {
  from: string
  to: string
  items: Insight[]
}

export interface SummaryListItem {
  week_start?: string
  week_end?: string
  month_start?: string
  month_end?: string
  days_with_data: number
  totals: Aggregate
}

export interface SummaryList {
  items: SummaryListItem[]
  total: number
}

export interface Performer extends Aggregate {
  id: string
  name: string
  type?: string
  rank?: number
  campaign_name?: string
  strategy_name?: string
  placement_name?: string
  reasons?: string[]
  reason?: string
}

/** One metric of a monthly summary's three-month trend (oldest month first). */
export interface TrendSeries {
  direction: 'up' | 'down' | 'flat' | null
  values: (string | number | null)[]
  change: string | null
}

export interface MonthlyTrend {
  months: string[]
  rule?: string
  spend?: TrendSeries
  conversions?: TrendSeries
  roas?: TrendSeries
}

export interface SummaryDetail extends SummaryListItem {
  deltas?: { change?: Partial<Change>; previous?: Aggregate; previous_period?: { start: string; end: string } }
  trend?: MonthlyTrend | null
  top_campaigns?: Performer[]
  top_creatives?: Performer[]
  underperformers?: Performer[]
  insights?: Insight[]
  details?: { completeness?: { days_in_period: number; days_with_data: number; missing_dates: string[] }; ranking_min_impressions?: number }
}

/** What `overview` answers once comparison options and freshness are in (apiharden's contract). */
export interface OverviewData {
  from: string
  to: string
  totals: Aggregate
  previous: Aggregate | null
  change: Change | null
  series: (Aggregate & { date: string })[]
  previous_series?: (Aggregate & { date: string })[] | null
  compare_from?: string | null
  compare_to?: string | null
  previous_from?: string
  previous_to?: string
  data_through?: string | null
  currency?: string
}
