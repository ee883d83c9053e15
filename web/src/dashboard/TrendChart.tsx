/** The trend chart (lazy-loaded: Recharts is most of the app's JavaScript). */
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { Aggregate } from '../api/client'
import { useTheme } from '../app/theme'
import { formatCompact, formatMetric, formatShortDate, METRIC_BY_KEY, type MetricKey } from '../format'
import type { Granularity } from './state'

type Day = Aggregate & { date: string }

const AXIS_KIND = { count: 'count', money: 'money', unitCost: 'money', rate: 'rate', ratio: 'ratio' } as const

/** A chart needs numbers; money stays a string everywhere else (display only). */
const plotValue = (v: unknown) => (v === null || v === undefined ? null : Number(v))

const PER = { day: 'per day', week: 'per week', month: 'per month' } as const

export default function TrendChart({ series, previous, metric, currency, granularity = 'day' }: { series: Day[]; previous: Day[] | null; metric: MetricKey; currency: string; granularity?: Granularity }) {
  const theme = useTheme()
  const info = METRIC_BY_KEY[metric]
  const data = series.map((d, i) => ({
    date: d.date,
    current: plotValue(d[metric as keyof Aggregate]),
    previous: previous?.[i] ? plotValue(previous[i]![metric as keyof Aggregate]) : null,
    previousDate: previous?.[i]?.date ?? null,
    raw: d[metric as keyof Aggregate],
    rawPrevious: previous?.[i]?.[metric as keyof Aggregate] ?? null,
  }))
  const grid = theme === 'dark' ? '#27272a' : '#e4e4e7'
  const tick = theme === 'dark' ? '#a1a1aa' : '#71717a'
  const accent = theme === 'dark' ? '#818cf8' : '#4f46e5'
  const muted = theme === 'dark' ? '#71717a' : '#a1a1aa'

  return (
    <div>
      <div className="h-64 w-full sm:h-72" role="img" aria-label={`${info.label} ${PER[granularity]}${previous ? ', with the comparison period dashed' : ''}. A table of the same values follows.`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={grid} vertical={false} />
            <XAxis dataKey="date" tickFormatter={formatShortDate} tick={{ fill: tick, fontSize: 12 }} tickLine={false} axisLine={{ stroke: grid }} minTickGap={28} />
            <YAxis
              tickFormatter={(v: number) => formatCompact(v, AXIS_KIND[info.kind], currency)}
              tick={{ fill: tick, fontSize: 12 }}
              tickLine={false}
              axisLine={false}
              width={56}
            />
            <Tooltip
              contentStyle={{ background: theme === 'dark' ? '#18181b' : '#fff', border: `1px solid ${grid}`, borderRadius: 8, fontSize: 13 }}
              labelFormatter={(label) => formatShortDate(String(label))}
              formatter={(_value, name, item) => {
                const p = item.payload as (typeof data)[number]
                return name === 'previous'
                  ? [formatMetric(metric, p.rawPrevious as string, currency), p.previousDate ? `Comparison (${formatShortDate(p.previousDate)})` : 'Comparison']
                  : [formatMetric(metric, p.raw as string, currency), info.label]
              }}
            />
            {previous && <Line type="monotone" dataKey="previous" stroke={muted} strokeWidth={1.75} strokeDasharray="5 4" dot={false} isAnimationActive={false} name="previous" />}
            <Line type="monotone" dataKey="current" stroke={accent} strokeWidth={2.25} dot={false} isAnimationActive={false} name="current" />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-4 text-xs text-zinc-500 dark:text-zinc-400" aria-hidden="true">
        <span className="inline-flex items-center gap-1.5">
          <span className="h-0.5 w-5 rounded" style={{ background: accent }} /> This period
        </span>
        {previous && (
          <span className="inline-flex items-center gap-1.5">
            <span className="w-5 border-t-2 border-dashed" style={{ borderColor: muted }} /> Comparison
          </span>
        )}
      </div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-indigo-700 hover:underline dark:text-indigo-300">Show the values as a table</summary>
        <div tabIndex={0} role="region" aria-label="Daily values" className="mt-2 max-h-72 overflow-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              {info.label} {PER[granularity]}
            </caption>
            <thead className="sticky top-0 bg-zinc-50 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  {granularity === 'day' ? 'Date' : granularity === 'week' ? 'Week of' : 'Month of'}
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  {info.label}
                </th>
                {previous && (
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Comparison
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {data.map((d) => (
                <tr key={d.date}>
                  <th scope="row" className="px-3 py-1.5 font-normal">
                    {formatShortDate(d.date)}
                  </th>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatMetric(metric, d.raw as string, currency)}</td>
                  {previous && <td className="px-3 py-1.5 text-right tabular-nums">{formatMetric(metric, d.rawPrevious as string, currency)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  )
}
