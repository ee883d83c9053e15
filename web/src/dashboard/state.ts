/**
 * The dashboard's state lives in the URL (SPEC §11):
 * `/clients/<id>[/campaigns/<c>[/strategies/<s>[/placements/<p>]]]?from&to&compare&sort&order&page&metric&granularity`.
 * Pure functions here, so the round trip URL ↔ state is unit-tested.
 */
import type { MetricKey } from '../format'

export type Compare = 'previous' | 'last_year' | 'none'
export type Preset = 'last_7' | 'last_30' | 'last_90' | 'month_to_date' | 'last_month' | 'custom'
export type SortOrder = 'asc' | 'desc'
export type Granularity = 'day' | 'week' | 'month'
export const GRANULARITIES: readonly { id: Granularity; label: string }[] = [
  { id: 'day', label: 'Daily' },
  { id: 'week', label: 'Weekly' },
  { id: 'month', label: 'Monthly' },
]

export const PRESETS: readonly { id: Exclude<Preset, 'custom'>; label: string }[] = [
  { id: 'last_7', label: 'Last 7 days' },
  { id: 'last_30', label: 'Last 30 days' },
  { id: 'last_90', label: 'Last 90 days' },
  { id: 'month_to_date', label: 'Month to date' },
  { id: 'last_month', label: 'Last month' },
]
export const COMPARES: readonly { id: Compare; label: string }[] = [
  { id: 'previous', label: 'Previous period' },
  { id: 'last_year', label: 'Same period last year' },
  { id: 'none', label: 'No comparison' },
]
export const SORT_KEYS = [
  'name',
  'impressions',
  'clicks',
  'conversions',
  'revenue',
  'spend',
  'ctr',
  'cvr',
  'cpc',
  'cpa',
  'roas',
] as const
export type SortKey = (typeof SORT_KEYS)[number]
export const PAGE_SIZE = 25

export interface DateRange {
  from: string
  to: string
}

export interface ViewState extends DateRange {
  compare: Compare
  sort: SortKey
  order: SortOrder
  page: number
  metric: MetricKey
  granularity: Granularity
}

const ISO = /^\d{4}-\d{2}-\d{2}$/

export function isIsoDate(value: string | null | undefined): value is string {
  if (!value || !ISO.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

export function toIso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return toIso(d)
}

/** Whole days from `from` to `to`, inclusive. */
export function daysInRange({ from, to }: DateRange): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
}

/** A preset's range, ending at `anchor` (the last day with data, or yesterday). */
export function presetRange(preset: Exclude<Preset, 'custom'>, anchor: string): DateRange {
  switch (preset) {
    case 'last_7':
      return { from: addDays(anchor, -6), to: anchor }
    case 'last_30':
      return { from: addDays(anchor, -29), to: anchor }
    case 'last_90':
      return { from: addDays(anchor, -89), to: anchor }
    case 'month_to_date':
      return { from: `${anchor.slice(0, 8)}01`, to: anchor }
    case 'last_month': {
      const firstOfThis = `${anchor.slice(0, 8)}01`
      const lastOfPrevious = addDays(firstOfThis, -1)
      return { from: `${lastOfPrevious.slice(0, 8)}01`, to: lastOfPrevious }
    }
  }
}

/** Which preset a range is (for the picker), or custom. */
export function presetOf(range: DateRange, anchor: string): Preset {
  for (const p of PRESETS) {
    const r = presetRange(p.id, anchor)
    if (r.from === range.from && r.to === range.to) return p.id
  }
  return 'custom'
}

/** The same calendar days one year earlier (Feb 29 → Feb 28). */
export function sameRangeLastYear({ from, to }: DateRange): DateRange {
  const shift = (iso: string) => {
    const y = Number(iso.slice(0, 4)) - 1
    const md = iso.slice(5)
    const candidate = `${y}-${md}`
    return isIsoDate(candidate) ? candidate : `${y}-02-28`
  }
  return { from: shift(from), to: shift(to) }
}

/** The overview's comparison query parameters for a comparison choice (only documented ones). */
export function compareParams(compare: Compare, range: DateRange): Record<string, string> {
  if (compare === 'none') return { compare: 'none' }
  if (compare === 'last_year') {
    const r = sameRangeLastYear(range)
    return { compare_from: r.from, compare_to: r.to }
  }
  return {}
}

const METRIC_KEYS: readonly MetricKey[] = [
  'impressions',
  'clicks',
  'ctr',
  'conversions',
  'cvr',
  'spend',
  'cpc',
  'cpa',
  'revenue',
  'roas',
]

/** Read the view state from a query string; anything missing or malformed falls back to defaults. */
export function parseView(search: URLSearchParams, anchor: string): ViewState {
  const defaults = presetRange('last_30', anchor)
  let from = search.get('from')
  let to = search.get('to')
  if (!isIsoDate(from) || !isIsoDate(to) || from > to) {
    from = defaults.from
    to = defaults.to
  }
  const compareRaw = search.get('compare')
  const compare: Compare = compareRaw === 'last_year' || compareRaw === 'none' ? compareRaw : 'previous'
  const sortRaw = search.get('sort')
  const sort: SortKey = (SORT_KEYS as readonly string[]).includes(sortRaw ?? '') ? (sortRaw as SortKey) : 'spend'
  const orderRaw = search.get('order')
  const order: SortOrder = orderRaw === 'asc' || orderRaw === 'desc' ? orderRaw : sort === 'name' ? 'asc' : 'desc'
  const pageRaw = Number(search.get('page'))
  const page = Number.isInteger(pageRaw) && pageRaw >= 1 && pageRaw <= 100_000 ? pageRaw : 1
  const metricRaw = search.get('metric')
  const metric: MetricKey = (METRIC_KEYS as readonly string[]).includes(metricRaw ?? '') ? (metricRaw as MetricKey) : 'spend'
  const g = search.get('granularity')
  const granularity: Granularity = g === 'week' || g === 'month' ? g : 'day'
  return { from, to, compare, sort, order, page, metric, granularity }
}

/** Write the view state as a query string, leaving defaults out so links stay short. */
export function serializeView(view: ViewState): URLSearchParams {
  const out = new URLSearchParams({ from: view.from, to: view.to, compare: view.compare })
  if (view.sort !== 'spend') out.set('sort', view.sort)
  const defaultOrder = view.sort === 'name' ? 'asc' : 'desc'
  if (view.order !== defaultOrder) out.set('order', view.order)
  if (view.page !== 1) out.set('page', String(view.page))
  if (view.metric !== 'spend') out.set('metric', view.metric)
  if (view.granularity !== 'day') out.set('granularity', view.granularity)
  return out
}

/** Only the range and comparison: what carries over when the drill path changes. */
export function periodQuery(view: ViewState): string {
  return new URLSearchParams({ from: view.from, to: view.to, compare: view.compare }).toString()
}

export type Level = 'campaign' | 'strategy' | 'placement' | 'creative'

export interface DrillPath {
  campaignId?: string
  strategyId?: string
  placementId?: string
}

/** Which level a drill path lists: a campaign lists its strategies, and so on. */
export function levelOf(path: DrillPath): Level {
  if (path.placementId) return 'creative'
  if (path.strategyId) return 'placement'
  if (path.campaignId) return 'strategy'
  return 'campaign'
}

/** The URL of one step down: the clicked row becomes the parent. */
export function drillHref(clientId: string, path: DrillPath, rowId: string, query: string): string | null {
  const base = `/clients/${encodeURIComponent(clientId)}`
  const q = query ? `?${query}` : ''
  const e = encodeURIComponent
  switch (levelOf(path)) {
    case 'campaign':
      return `${base}/campaigns/${e(rowId)}${q}`
    case 'strategy':
      return `${base}/campaigns/${e(path.campaignId!)}/strategies/${e(rowId)}${q}`
    case 'placement':
      return `${base}/campaigns/${e(path.campaignId!)}/strategies/${e(path.strategyId!)}/placements/${e(rowId)}${q}`
    case 'creative':
      return null
  }
}

/** The parent filters the breakdown endpoint of a drill path takes. */
export function parentFilters(path: DrillPath): Record<string, string> {
  const f: Record<string, string> = {}
  if (path.campaignId) f.campaign_id = path.campaignId
  if (path.strategyId) f.strategy_id = path.strategyId
  if (path.placementId) f.placement_id = path.placementId
  return f
}
