/**
 * Pure view logic of the ROAS explanation and the pacing card (tested by vitest). Every
 * figure shown comes from the API's exact strings; numbers parsed here only size bars.
 */
import type { components } from '../api/schema'
import type { Tone } from '../format'

export type RoasExplained = components['schemas']['RoasExplainedOut']
export type RoasDriver = components['schemas']['RoasDriverOut']
export type Pacing = components['schemas']['PacingOut']

export const DRIVER_LABEL: Record<RoasDriver['metric'], { label: string; name: string }> = {
  ctr: { label: 'CTR', name: 'Click-through rate' },
  cvr: { label: 'CVR', name: 'Conversion rate' },
  aov: { label: 'AOV', name: 'Revenue per conversion' },
  cpm: { label: 'CPM', name: 'Cost per 1,000 impressions' },
}

export interface DriverBar {
  metric: RoasDriver['metric']
  label: string
  name: string
  /** The driver's own change ("-0.240000"): what the sentence states. */
  change: string
  /** Its effect on ROAS as a relative change ("-0.240000"; a CPM rise is negative). */
  effect: string
  /** Bar length, 0–100, relative to the largest effect. */
  width: number
  tone: Tone
}

const isZero = (value: string) => /^[-+]?0*(\.0*)?$/.test(value)

/** One bar per driver (CTR, CVR, AOV, CPM in the API's order), sized by the log contribution
 * and toned by its sign: a contribution that raised ROAS is good, one that lowered it bad. */
export function driverBars(explained: RoasExplained): DriverBar[] {
  const sizes = explained.drivers.map((d) => Math.abs(Number(d.contribution)))
  const largest = Math.max(0, ...sizes)
  return explained.drivers.map((d, i) => ({
    metric: d.metric,
    ...DRIVER_LABEL[d.metric],
    change: d.change,
    effect: d.contribution_change,
    width: largest > 0 ? Math.round((sizes[i]! / largest) * 1000) / 10 : 0,
    tone: isZero(d.contribution) ? 'neutral' : d.contribution.startsWith('-') ? 'bad' : 'good',
  }))
}

export interface PacingGeometry {
  /** Widths in % of the bar: spent so far, then the forecast rest of the month. */
  spent: number
  forecast: number
  /** Where the budget sits on the bar (null without one). */
  budget: number | null
}

/** The pacing bar's scale: the larger of the month's forecast and the budget fills 100%
 * (so the budget marker and the forecast end are always on the bar). */
export function pacingGeometry(spentSoFar: string | null | undefined, forecastMonth: string | null | undefined, budget: string | null | undefined): PacingGeometry {
  const spent = Math.max(0, Number(spentSoFar ?? 0) || 0)
  const month = Math.max(spent, Number(forecastMonth ?? spent) || 0)
  const limit = budget != null && budget !== '' ? Math.max(0, Number(budget) || 0) : null
  const scale = Math.max(month, limit ?? 0)
  if (scale <= 0) return { spent: 0, forecast: 0, budget: limit === null ? null : 0 }
  const pct = (v: number) => Math.round((v / scale) * 1000) / 10
  return { spent: pct(spent), forecast: Math.round((pct(month) - pct(spent)) * 10) / 10, budget: limit === null ? null : pct(limit) }
}

/** over → bad, under or on budget → good (the client spends no more than it planned). */
export function pacingTone(status: Pacing['status']): Tone {
  if (status === 'over') return 'bad'
  if (status === 'under' || status === 'on_budget') return 'good'
  return 'neutral'
}
