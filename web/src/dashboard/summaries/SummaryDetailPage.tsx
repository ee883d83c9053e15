import { Link, useParams } from 'react-router'
import type { Aggregate, Change } from '../../api/client'
import { type SummaryKind, useSummary } from '../../api/queries'
import type { Performer } from '../../api/types'
import { FoldedInsights } from '../InsightsPanel'
import { insightGroups } from './insightGroups'
import { MonthlyTrend } from './MonthlyTrend'
import { NotFoundPage } from '../../app/NotFoundPage'
import { Card, EmptyState, ErrorState, Skeleton } from '../../app/ui'
import { formatCount, formatDate, formatMetric, type MetricKey } from '../../format'
import { ClientFrame } from '../ClientFrame'
import { KpiCards } from '../KpiCards'
import { isIsoDate } from '../state'
import { periodLabel } from './SummariesPage'

export function SummaryDetailPage() {
  const { kind, periodStart = '' } = useParams()
  if ((kind !== 'weekly' && kind !== 'monthly') || !isIsoDate(periodStart)) return <NotFoundPage />
  return <ClientFrame>{(client) => <Detail clientId={client.id} currency={client.currency ?? 'USD'} kind={kind} periodStart={periodStart} />}</ClientFrame>
}

const PERFORMER_COLUMNS: MetricKey[] = ['impressions', 'conversions', 'spend', 'cpa', 'roas']

/** "Campaign › Strategy › Placement" of a ranked creative (a campaign has no path of its own). */
function pathOf(r: Performer): string {
  return [r.campaign_name, r.strategy_name, r.placement_name].filter(Boolean).join(' › ')
}

function Performers({
  title,
  rows,
  currency,
  empty,
  note,
  showReason = false,
}: {
  title: string
  rows: Performer[] | undefined
  currency: string
  empty: string
  note?: string
  showReason?: boolean
}) {
  return (
    <Card title={title}>
      {!rows || rows.length === 0 ? (
        <EmptyState title={empty} />
      ) : (
        <div tabIndex={0} role="region" aria-label="Table (scrolls sideways)" className="scroll-shadows overflow-x-auto">
          <table className="w-full min-w-[32rem] text-sm">
            <caption className="sr-only">{title}</caption>
            <thead className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
              <tr>
                <th scope="col" className="py-2 pr-3 text-left font-medium">
                  Name
                </th>
                {PERFORMER_COLUMNS.map((k) => (
                  <th key={k} scope="col" className="px-3 py-2 text-right font-medium">
                    {k.toUpperCase() === k ? k : k.length <= 4 ? k.toUpperCase() : k[0]!.toUpperCase() + k.slice(1)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row" className="max-w-[16rem] py-2 pr-3 text-left font-medium">
                    <span className="block truncate">{r.name}</span>
                    {r.campaign_name && (
                      // A creative's name repeats across strategies and placements: its path tells the rows apart.
                      <span className="block truncate text-xs font-normal text-zinc-500 dark:text-zinc-400" title={pathOf(r)}>
                        {pathOf(r)}
                      </span>
                    )}
                    {showReason && (r.reasons?.length || r.reason) && (
                      <span className="block text-xs font-normal text-rose-700 dark:text-rose-300">{r.reasons?.join('; ') ?? r.reason}</span>
                    )}
                  </th>
                  {PERFORMER_COLUMNS.map((k) => (
                    <td key={k} className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                      {formatMetric(k, r[k as keyof Aggregate] as string, currency)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {note && <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">{note}</p>}
    </Card>
  )
}

function Detail({ clientId, currency, kind, periodStart }: { clientId: string; currency: string; kind: SummaryKind; periodStart: string }) {
  const summary = useSummary(clientId, kind, periodStart)
  const back = `/clients/${clientId}/summaries/${kind}`
  if (summary.isPending)
    return (
      <div className="space-y-4" role="status" aria-label="Loading the summary">
        <Skeleton className="h-7 w-64" />
        <Skeleton className="h-40" />
      </div>
    )
  if (summary.isError)
    return (
      <div className="space-y-4">
        <ErrorState
          error={summary.error}
          what="this summary"
          onRetry={() => void summary.refetch()}
        />
        <Link to={back} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
          Back to all {kind} summaries
        </Link>
      </div>
    )
  const s = summary.data
  const end = kind === 'weekly' ? s.week_end : s.month_end
  const completeness = s.details?.completeness
  const ranked = s.details?.ranking_min_impressions
  const minimum = ranked === undefined ? undefined : formatCount(ranked)
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <div>
          <Link to={back} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            ← All {kind} summaries
          </Link>
          <h2 className="mt-1 text-xl font-semibold tracking-tight">{periodLabel(kind, periodStart, end)}</h2>
        </div>
        {completeness && (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            {completeness.days_with_data} of {completeness.days_in_period} days with data
            {completeness.missing_dates.length > 0 && ` (missing ${completeness.missing_dates.map(formatDate).join(', ')})`}
          </p>
        )}
      </div>
      <KpiCards
        totals={s.totals}
        previous={s.deltas?.previous ?? null}
        change={(s.deltas?.change as Change | undefined) ?? null}
        currency={currency}
        comparisonLabel={s.deltas?.previous ? 'previous period' : null}
      />
      {s.insights && s.insights.length > 0 && (
        <Card title="What happened">
          <div className="space-y-5" data-testid="summary-insights">
            {insightGroups(s.insights).map(({ title, items }) => (
              <section key={title} aria-label={title}>
                <h3 className="mb-2 text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{title}</h3>
                <FoldedInsights items={items} />
              </section>
            ))}
          </div>
        </Card>
      )}
      {kind === 'monthly' && s.trend && s.trend.months.length > 0 && <MonthlyTrend trend={s.trend} currency={currency} />}
      <div className="grid gap-6 2xl:grid-cols-2">
        <Performers title="Top campaigns" rows={s.top_campaigns} currency={currency} empty="No campaign reached the ranking minimum" note={minimum && `Campaigns with at least ${minimum} impressions, by conversions, then revenue, then clicks.`} />
        <Performers title="Top creatives" rows={s.top_creatives} currency={currency} empty="No creative reached the ranking minimum" note={minimum && `Creatives with at least ${minimum} impressions, by conversions, then revenue, then clicks.`} />
      </div>
      {kind === 'weekly' && (
        <Performers
          title="Under-performers"
          rows={s.underperformers}
          currency={currency}
          empty="No under-performers this period"
          note={minimum && `Campaigns with at least ${minimum} impressions whose CPA is 1.5× the client's or more, whose CTR is half the client's or less, or that spent without a conversion.`}
          showReason
        />
      )}
    </div>
  )
}
