/** Month-end pacing: spend so far, the forecast to the month's end (same-weekday averages of
 * the last 28 days of data, computed by the API), the budget marker and the projected
 * over/under-spend in good/bad colour. */
import { usePacing } from '../api/queries'
import { Card, EmptyState, ErrorState, Skeleton } from '../app/ui'
import { formatCount, formatDate, formatMetric, formatMoney, formatRate, formatShortDate, formatYearMonth } from '../format'
import { type Pacing, pacingGeometry, pacingTone } from './explain'
import { TONE } from './KpiCards'

export function PacingCard({ clientId, currency }: { clientId: string; currency: string }) {
  const pacing = usePacing(clientId)
  const month = pacing.data ? formatYearMonth(pacing.data.month) : 'this month'
  return (
    <Card title={`Month-end pacing · ${month}`} id="pacing">
      {pacing.isError ? (
        <ErrorState error={pacing.error} onRetry={() => void pacing.refetch()} what="the pacing" />
      ) : pacing.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : !pacing.data.forecast_available ? (
        <EmptyState title="No data yet">Pacing starts with the first day of data.</EmptyState>
      ) : (
        <PacingBody p={pacing.data} currency={pacing.data.currency ?? currency} />
      )}
    </Card>
  )
}

function Stat({ label, value, note, testId }: { label: string; value: string; note: string; testId: string }) {
  return (
    <div className="min-w-0" data-testid={testId}>
      <p className="text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className="mt-1 text-xl font-semibold tabular-nums tracking-tight sm:text-2xl" data-testid="pacing-value">{value}</p>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">{note}</p>
    </div>
  )
}

function verdict(p: Pacing, currency: string): string | null {
  if (p.status === null || p.over_under === null) return null
  const size = formatMoney(p.over_under.replace(/^-/, ''), currency)
  const share = p.pace ? ` (${formatRate(p.pace)} of budget)` : ''
  if (p.status === 'over') return `${size} over budget${share}`
  if (p.status === 'under') return `${size} under budget${share}`
  return `On budget${share}`
}

function PacingBody({ p, currency }: { p: Pacing; currency: string }) {
  const month = p.forecast_month
  const geometry = pacingGeometry(p.month_to_date.spend, month?.spend, p.budget)
  const tone = pacingTone(p.status)
  const text = verdict(p, currency)
  const peak = Math.max(0, ...p.days.map((d) => Number(d.spend ?? 0)))
  return (
    <div className="space-y-4" data-testid="pacing" data-status={p.status ?? 'none'}>
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat
          testId="pacing-spent"
          label="Spent so far"
          value={formatMoney(p.month_to_date.spend, currency)}
          note={p.data_through ? `through ${formatDate(p.data_through)} · ${p.days_elapsed} of ${p.days_in_month} days` : ''}
        />
        <Stat
          testId="pacing-forecast"
          label={p.complete ? 'Month total' : 'Forecast for the month'}
          value={formatMoney(month?.spend, currency)}
          note={p.complete ? 'the month is complete' : `${p.days_remaining} day${p.days_remaining === 1 ? '' : 's'} forecast`}
        />
        <Stat testId="pacing-budget" label="Monthly budget" value={p.budget ? formatMoney(p.budget, currency) : 'Not set'} note={p.budget ? 'set by your account manager' : 'ask your account manager to set one'} />
      </div>

      {text && (
        <p className={`inline-flex rounded-lg px-2.5 py-1 text-sm font-medium ${TONE[tone]}`} data-testid="pacing-verdict" data-tone={tone}>
          {text}
        </p>
      )}

      <div>
        <div className="relative h-4 rounded-full bg-zinc-100 dark:bg-zinc-800" role="img" aria-label={`Spent ${formatMoney(p.month_to_date.spend, currency)}, forecast ${formatMoney(month?.spend, currency)}${p.budget ? `, budget ${formatMoney(p.budget, currency)}` : ''}`}>
          <div className="absolute inset-y-0 left-0 rounded-l-full bg-indigo-600 dark:bg-indigo-400" style={{ width: `${geometry.spent}%` }} data-testid="pacing-bar-spent" />
          <div
            className="absolute inset-y-0 bg-indigo-300 bg-[repeating-linear-gradient(135deg,transparent_0_4px,rgba(255,255,255,0.45)_4px_8px)] dark:bg-indigo-800"
            style={{ left: `${geometry.spent}%`, width: `${geometry.forecast}%` }}
            data-testid="pacing-bar-forecast"
          />
          {geometry.budget !== null && (
            <div className="absolute -inset-y-1 w-0.5 bg-zinc-900 dark:bg-zinc-50" style={{ left: `calc(${geometry.budget}% - 1px)` }} data-testid="pacing-bar-budget" />
          )}
        </div>
        <div className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
          <span className="inline-flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-indigo-600 dark:bg-indigo-400" aria-hidden="true" />spent</span>
          <span className="inline-flex items-center gap-1.5"><span className="size-2.5 rounded-sm bg-indigo-300 dark:bg-indigo-800" aria-hidden="true" />forecast</span>
          {geometry.budget !== null && <span className="inline-flex items-center gap-1.5"><span className="h-3 w-0.5 bg-zinc-900 dark:bg-zinc-50" aria-hidden="true" />budget</span>}
        </div>
      </div>

      <svg viewBox={`0 0 ${p.days.length * 10} 48`} preserveAspectRatio="none" className="h-12 w-full" aria-hidden="true" data-testid="pacing-days">
        {p.days.map((d, i) => {
          const h = peak > 0 ? (Number(d.spend ?? 0) / peak) * 46 : 0
          return <rect key={d.date} x={i * 10 + 1.5} y={48 - h} width={7} height={h} className={d.kind === 'actual' ? 'fill-indigo-600 dark:fill-indigo-400' : 'fill-indigo-300 dark:fill-indigo-800'} />
        })}
      </svg>
      <div className="-mt-3 flex justify-between text-xs text-zinc-500 dark:text-zinc-400" aria-hidden="true">
        <span>{formatShortDate(p.from)}</span>
        <span>daily spend: actual, then forecast</span>
        <span>{formatShortDate(p.to)}</span>
      </div>

      {month && (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4" aria-label="Month to date and forecast for the month">
          {(['impressions', 'conversions', 'revenue', 'roas'] as const).map((key) => (
            <div key={key} className="min-w-0">
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">{key === 'roas' ? 'ROAS' : key[0]!.toUpperCase() + key.slice(1)}</dt>
              <dd className="flex flex-col tabular-nums">
                <span className="font-medium">{key === 'impressions' || key === 'conversions' ? formatCount(p.month_to_date[key]) : formatMetric(key, p.month_to_date[key], currency)}</span>
                <span className="text-zinc-500 dark:text-zinc-400"> → {key === 'impressions' || key === 'conversions' ? formatCount(month[key]) : formatMetric(key, month[key], currency)}</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p className="text-xs text-zinc-500 dark:text-zinc-400">Forecast: each remaining day is the average of the same weekday over the last 28 days of data. Values: month to date → forecast month.</p>
    </div>
  )
}
