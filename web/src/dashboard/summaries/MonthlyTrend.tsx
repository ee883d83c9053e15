import type { MonthlyTrend as Trend, TrendSeries } from '../../api/types'
import { Card } from '../../app/ui'
import { changeTone, EMPTY, formatChange, formatMetric, formatMonth, type MetricKey } from '../../format'
import { TONE } from '../KpiCards'

const ROWS: { key: 'spend' | 'conversions' | 'roas'; label: string }[] = [
  { key: 'spend', label: 'Spend' },
  { key: 'conversions', label: 'Conversions' },
  { key: 'roas', label: 'ROAS' },
]

const DIRECTION = { up: 'Rising', down: 'Falling', flat: 'Steady' } as const

/** The monthly summary's last three months (this one and the two before) for spend,
 * conversions and ROAS: the values, the move from the first to the last, and the stored
 * direction under the rule the API states (each month higher, and at least ±5% in all). */
export function MonthlyTrend({ trend, currency }: { trend: Trend; currency: string }) {
  const th = 'px-3 py-2 text-right font-medium'
  return (
    <Card title="Last three months" id="monthly-trend">
      <div tabIndex={0} role="region" aria-label="Table (scrolls sideways)" className="scroll-shadows overflow-x-auto" data-testid="monthly-trend">
        <table className="w-full min-w-[36rem] text-sm">
          <caption className="sr-only">Spend, conversions and ROAS over the last three months</caption>
          <thead className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
            <tr>
              <th scope="col" className="py-2 pr-3 text-left font-medium">
                Metric
              </th>
              {trend.months.map((month) => (
                <th key={month} scope="col" className={th}>
                  {formatMonth(month)}
                </th>
              ))}
              <th scope="col" className={th}>
                Change
              </th>
              <th scope="col" className="py-2 pl-3 text-right font-medium">
                Direction
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {ROWS.map(({ key, label }) => {
              const series: TrendSeries | undefined = trend[key]
              const direction = series?.direction ?? null
              // Spend is neutral; a conversions or ROAS rise is good (the KPI cards' rule).
              const tone = changeTone(key as MetricKey, direction === 'up' ? '1' : direction === 'down' ? '-1' : '0')
              return (
                <tr key={key}>
                  <th scope="row" className="py-2 pr-3 text-left font-medium">
                    {label}
                  </th>
                  {trend.months.map((month, i) => (
                    <td key={month} className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                      {formatMetric(key, series?.values[i] ?? null, currency)}
                    </td>
                  ))}
                  <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">{series?.change ? formatChange(series.change) : EMPTY}</td>
                  <td className="py-2 pl-3 text-right whitespace-nowrap">
                    {direction ? (
                      <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONE[tone]}`}>{DIRECTION[direction]}</span>
                    ) : (
                      <span className="text-xs text-zinc-500 dark:text-zinc-400">Not enough data</span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
        Rising or falling when every month is higher (or lower) than the one before and the move is at least 5% in all; steady otherwise. A
        month without data leaves no direction.
      </p>
    </Card>
  )
}
