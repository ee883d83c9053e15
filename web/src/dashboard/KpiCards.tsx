import type { Aggregate, Change } from '../api/client'
import { changeTone, formatChange, formatMetric, formatPoints, isFlatChange, METRICS, type MetricKey } from '../format'

export const TONE = {
  good: 'bg-emerald-50 text-emerald-700 dark:bg-emerald-950/60 dark:text-emerald-300',
  bad: 'bg-rose-50 text-rose-700 dark:bg-rose-950/60 dark:text-rose-300',
  neutral: 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300',
} as const
const TONE_WORD = { good: 'better', bad: 'worse', neutral: '' } as const

function Arrow({ up }: { up: boolean }) {
  return (
    <svg viewBox="0 0 12 12" className="size-3" aria-hidden="true" fill="currentColor">
      {up ? <path d="M6 2l4 5H2z" /> : <path d="M6 10L2 5h8z" />}
    </svg>
  )
}

export function KpiCards({
  totals,
  previous,
  change,
  currency,
  comparisonLabel,
  roasWhy,
}: {
  totals: Aggregate
  previous: Aggregate | null
  change: Change | null
  currency: string
  comparisonLabel: string | null
  /** The ROAS explanation sits under the cards: the ROAS card links to it. */
  roasWhy?: boolean
}) {
  return (
    <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" aria-label="Key metrics">
      {METRICS.map((m) => {
        const value = totals[m.key as keyof Aggregate] as string | number | null
        const prev = previous ? (previous[m.key as keyof Aggregate] as string | number | null) : null
        const delta = change ? (change[m.key as keyof Change] as string | null) : null
        const pp = change && (m.key === 'ctr' || m.key === 'cvr') ? (change[`${m.key}_pp` as keyof Change] as string | null) : null
        const tone = changeTone(m.key as MetricKey, delta)
        return (
          <li key={m.key} data-testid={`kpi-${m.key}`} className="min-w-0 rounded-xl border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
            <p className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400" title={m.description}>
              {m.label}
            </p>
            <p className="mt-1.5 text-lg font-semibold tabular-nums tracking-tight whitespace-nowrap sm:text-2xl" data-testid="kpi-value">
              {formatMetric(m.key, value, currency)}
            </p>
            {comparisonLabel && (
              <div className="mt-2 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
                {delta !== null ? (
                  <span className={`inline-flex items-center gap-0.5 rounded-full px-1.5 py-0.5 font-medium tabular-nums ${TONE[tone]}`} data-testid="kpi-change" data-tone={tone}>
                    {!isFlatChange(delta) && <Arrow up={!delta.startsWith('-')} />}
                    {formatChange(delta)}
                    {TONE_WORD[tone] && <span className="sr-only"> ({TONE_WORD[tone]})</span>}
                  </span>
                ) : (
                  <span className="rounded-full bg-zinc-100 px-1.5 py-0.5 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400" data-testid="kpi-change">
                    no change to show
                  </span>
                )}
                <span className="truncate text-zinc-500 dark:text-zinc-400" data-testid="kpi-previous">
                  vs {formatMetric(m.key, prev, currency)}
                  {pp !== null && <span className="sr-only"> ({formatPoints(pp)})</span>}
                </span>
              </div>
            )}
            {m.key === 'roas' && roasWhy && (
              <a href="#roas-why" className="mt-1.5 inline-block text-xs font-medium text-indigo-700 underline underline-offset-2 dark:text-indigo-300" data-testid="kpi-roas-why">
                Why it moved
              </a>
            )}
          </li>
        )
      })}
    </ul>
  )
}
