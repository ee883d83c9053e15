import { Link, useParams, useSearchParams } from 'react-router'
import { type SummaryKind, useSummaries } from '../../api/queries'
import { NotFoundPage } from '../../app/NotFoundPage'
import { buttonClass, Card, EmptyState, ErrorState, Skeleton } from '../../app/ui'
import { formatCount, formatDate, formatMetric, formatMonth, formatRange } from '../../format'
import { ClientFrame } from '../ClientFrame'

export function SummariesPage() {
  const { kind } = useParams()
  if (kind !== 'weekly' && kind !== 'monthly') return <NotFoundPage />
  return <ClientFrame>{(client) => <SummaryList clientId={client.id} currency={client.currency ?? 'USD'} kind={kind} />}</ClientFrame>
}

export function periodLabel(kind: SummaryKind, start: string, end?: string): string {
  return kind === 'monthly' ? formatMonth(start) : end ? `Week of ${formatRange(start, end)}` : `Week of ${formatDate(start)}`
}

function SummaryList({ clientId, currency, kind }: { clientId: string; currency: string; kind: SummaryKind }) {
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Number(params.get('page')) || 1)
  const list = useSummaries(clientId, kind, page)
  const title = kind === 'weekly' ? 'Weekly summaries' : 'Monthly summaries'
  return (
    <Card title={title} id="summaries">
      {list.isPending ? (
        <div className="space-y-2" role="status" aria-label="Loading summaries">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} what={title.toLowerCase()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState title={`No ${kind} summaries yet`}>
          {kind === 'weekly' ? 'A summary is written every Monday morning for the week before.' : 'A summary is written on the 1st of each month for the month before.'}
        </EmptyState>
      ) : (
        <>
          <div tabIndex={0} role="region" aria-label="Table (scrolls sideways)" className="scroll-shadows overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
            <table className="w-full min-w-[40rem] text-sm" data-testid="summary-list">
              <caption className="sr-only">{title}, newest first</caption>
              <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900/60 dark:text-zinc-400">
                <tr>
                  <th scope="col" className="px-3 py-2.5 text-left font-medium">
                    Period
                  </th>
                  {['Days with data', 'Impressions', 'Conversions', 'Spend', 'CPA', 'ROAS'].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2.5 text-right font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {list.data.items.map((s) => {
                  const start = (kind === 'weekly' ? s.week_start : s.month_start) ?? ''
                  const end = kind === 'weekly' ? s.week_end : s.month_end
                  return (
                    <tr key={start}>
                      <th scope="row" className="px-3 py-2.5 text-left font-medium whitespace-nowrap">
                        <Link to={`/clients/${clientId}/summaries/${kind}/${start}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                          {periodLabel(kind, start, end)}
                        </Link>
                      </th>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatCount(s.days_with_data)}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatMetric('impressions', s.totals.impressions)}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatMetric('conversions', s.totals.conversions)}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatMetric('spend', s.totals.spend, currency)}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatMetric('cpa', s.totals.cpa, currency)}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatMetric('roas', s.totals.roas)}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          {list.data.total > 20 && (
            <nav aria-label="Pages" className="mt-4 flex items-center justify-end gap-2 text-sm">
              <button type="button" className={buttonClass} disabled={page <= 1} onClick={() => setParams({ page: String(page - 1) })}>
                Newer
              </button>
              <button type="button" className={buttonClass} disabled={page * 20 >= list.data.total} onClick={() => setParams({ page: String(page + 1) })}>
                Older
              </button>
            </nav>
          )}
        </>
      )}
    </Card>
  )
}
