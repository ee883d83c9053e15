/**
 * How every number and date reaches the screen (SPEC §11 "Formatting"), in one module.
 *
 * The API sends money and ratios as exact decimal strings; they are handed to
 * Intl.NumberFormat as strings (exact decimal rounding, no float arithmetic on money).
 */

export type Decimal = string | null | undefined
export type MetricKey =
  | 'impressions'
  | 'clicks'
  | 'ctr'
  | 'conversions'
  | 'cvr'
  | 'spend'
  | 'cpc'
  | 'cpa'
  | 'revenue'
  | 'roas'

const LOCALE = 'en-US'
export const EMPTY = '—'

type Numeric = number | Intl.StringNumericLiteral
const asNumeric = (value: string | number): Numeric => value as Numeric

const currencyFormats = new Map<string, Intl.NumberFormat>()
function currencyFormat(currency: string, fractionDigits: number, compact = false): Intl.NumberFormat {
  const key = `${currency}:${fractionDigits}:${compact}`
  let nf = currencyFormats.get(key)
  if (!nf) {
    nf = new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency,
      minimumFractionDigits: compact ? 0 : fractionDigits,
      maximumFractionDigits: compact ? 1 : fractionDigits,
      ...(compact ? { notation: 'compact' } : {}),
    })
    currencyFormats.set(key, nf)
  }
  return nf
}

const countFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 })
const percentFormat = new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 })
const ratioFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const ppFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' })
const changeFormat = new Intl.NumberFormat(LOCALE, {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
})
const compactFormat = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 })

/** Whether a decimal string is strictly below 1 in absolute value (compared as text, not floats). */
export function isBelowOne(value: string): boolean {
  const digits = value.replace(/^[-+]/, '')
  const [whole = ''] = digits.split('.')
  return /^0*$/.test(whole)
}

/** Money to the cent with the client's currency symbol: "$12,345.67". */
export function formatMoney(value: Decimal, currency = 'USD'): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return currencyFormat(currency, 2).format(asNumeric(value))
}

/** A decimal string as integer cents (exact: no float), or null when it is not a money string. */
function toCents(value: Decimal): bigint | null {
  if (value === null || value === undefined) return null
  const match = /^([-+]?)(\d+)(?:\.(\d{0,2}))?$/.exec(value.trim())
  if (!match) return null
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'))
  return match[1] === '-' ? -cents : cents
}

/** `after − before` of two cent-rounded money strings, signed: "+$30.00", "-$1.25", "$0.00"; a missing `before` counts as 0. */
export function formatMoneyDifference(before: Decimal, after: Decimal, currency = 'USD'): string {
  const b = before === null || before === undefined || before === '' ? 0n : toCents(before)
  const a = toCents(after)
  if (a === null || b === null) return EMPTY
  const diff = a - b
  const abs = diff < 0n ? -diff : diff
  const text = `${diff < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' }).format(asNumeric(text))
}

/** Unit costs (CPC, CPA, CPM): 4 decimals only where below 1.00, else to the cent. */
export function formatUnitCost(value: Decimal, currency = 'USD'): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return currencyFormat(currency, isBelowOne(value) ? 4 : 2).format(asNumeric(value))
}

/** Counts with thousands separators: "1,234,567". */
export function formatCount(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return countFormat.format(asNumeric(value))
}

/** A count and its noun, singular for exactly one: "1 row", "2,400 rows", "3 days". */
export function formatCountOf(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(value)} ${value === 1 ? singular : plural}`
}

/** Rates (CTR, CVR) from fractions to percentages with 2 decimals: "0.004253" → "0.43%". */
export function formatRate(value: Decimal): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return percentFormat.format(asNumeric(value))
}

/** ROAS as a multiple: "3.1888" → "3.19×". */
export function formatRoas(value: Decimal): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return `${ratioFormat.format(asNumeric(value))}×`
}

/** A relative change: "0.272841" → "+27.3%". */
export function formatChange(value: Decimal): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return changeFormat.format(asNumeric(value))
}

/** A percentage-point change, as the API sends it (already in points): "-0.096570" → "-0.10 pp". */
export function formatPoints(value: Decimal): string {
  if (value === null || value === undefined || value === '') return EMPTY
  return `${ppFormat.format(asNumeric(value))} pp`
}

/** Chart axes only: "1.2M", "$45K". */
export function formatCompact(value: number, kind: 'count' | 'money' | 'rate' | 'ratio', currency = 'USD'): string {
  if (kind === 'money') return currencyFormat(currency, 0, true).format(value)
  if (kind === 'rate') return `${(value * 100).toFixed(2)}%`
  if (kind === 'ratio') return `${value.toFixed(1)}×`
  return compactFormat.format(value)
}

export interface MetricInfo {
  key: MetricKey
  label: string
  kind: 'count' | 'money' | 'unitCost' | 'rate' | 'ratio'
  /** Whether a rise is good news for the client (CPC and CPA up is bad). */
  higherIsBetter: boolean
  /** Spend rising is neither good nor bad in itself. */
  neutral?: boolean
  description: string
}

export const METRICS: readonly MetricInfo[] = [
  { key: 'impressions', label: 'Impressions', kind: 'count', higherIsBetter: true, description: 'Times an ad was shown' },
  { key: 'clicks', label: 'Clicks', kind: 'count', higherIsBetter: true, description: 'Clicks on an ad' },
  { key: 'ctr', label: 'CTR', kind: 'rate', higherIsBetter: true, description: 'Click-through rate: clicks ÷ impressions' },
  { key: 'conversions', label: 'Conversions', kind: 'count', higherIsBetter: true, description: 'Conversions attributed to the ads' },
  { key: 'cvr', label: 'CVR', kind: 'rate', higherIsBetter: true, description: 'Conversion rate: conversions ÷ clicks' },
  { key: 'spend', label: 'Spend', kind: 'money', higherIsBetter: true, neutral: true, description: 'Media cost at your CPM' },
  { key: 'cpc', label: 'CPC', kind: 'unitCost', higherIsBetter: false, description: 'Cost per click: spend ÷ clicks' },
  { key: 'cpa', label: 'CPA', kind: 'unitCost', higherIsBetter: false, description: 'Cost per acquisition: spend ÷ conversions' },
  { key: 'revenue', label: 'Revenue', kind: 'money', higherIsBetter: true, description: 'Conversion value reported' },
  { key: 'roas', label: 'ROAS', kind: 'ratio', higherIsBetter: true, description: 'Return on ad spend: revenue ÷ spend' },
]

export const METRIC_BY_KEY: Record<MetricKey, MetricInfo> = Object.fromEntries(METRICS.map((m) => [m.key, m])) as Record<
  MetricKey,
  MetricInfo
>

/** A metric's value as shown on a card or in a table cell. */
export function formatMetric(key: MetricKey, value: Decimal | number, currency = 'USD'): string {
  const info = METRIC_BY_KEY[key]
  const v = typeof value === 'number' ? String(value) : value
  switch (info.kind) {
    case 'count':
      return formatCount(v)
    case 'money':
      return formatMoney(v, currency)
    case 'unitCost':
      return formatUnitCost(v, currency)
    case 'rate':
      return formatRate(v)
    case 'ratio':
      return formatRoas(v)
  }
}

export type Tone = 'good' | 'bad' | 'neutral'

/** Whether a change is good news: by its sign (read from the string) and the metric's direction. */
/** Whether a relative change reads as "0.0%" (it rounds to zero): no arrow, no colour, whatever its sign. */
export function isFlatChange(change: Decimal): boolean {
  return !/[1-9]/.test(formatChange(change))
}

export function changeTone(key: MetricKey, change: Decimal): Tone {
  if (change === null || change === undefined || change === '') return 'neutral'
  const info = METRIC_BY_KEY[key]
  if (info.neutral) return 'neutral'
  if (isFlatChange(change)) return 'neutral'
  const up = !change.startsWith('-')
  return up === info.higherIsBetter ? 'good' : 'bad'
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' })
const shortDateFormat = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', timeZone: 'UTC' })
const monthFormat = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'UTC' })

const toDate = (iso: string) => new Date(`${iso}T00:00:00Z`)

/** "2026-11-30" → "Nov 30, 2026". */
export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(toDate(iso)) : EMPTY
}

/** "2026-11-30" → "Nov 30" (chart axes). */
export function formatShortDate(iso: string): string {
  return shortDateFormat.format(toDate(iso))
}

/** "2026-11-01" → "November 2026". */
export function formatMonth(iso: string): string {
  return monthFormat.format(toDate(iso))
}

/** A calendar month of the API, "2026-11" (or "2026-11-01"), → "November 2026". */
export function formatYearMonth(month: string): string {
  return formatMonth(month.length === 7 ? `${month}-01` : month)
}

/** "Nov 1 – Nov 30, 2026" (the year once when both ends share it). */
export function formatRange(from: string, to: string): string {
  if (from.slice(0, 4) === to.slice(0, 4)) return `${formatShortDate(from)} – ${formatDate(to)}`
  return `${formatDate(from)} – ${formatDate(to)}`
}
