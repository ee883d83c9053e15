import { useInsights } from '../api/queries'
import type { Insight } from '../api/types'
import { EmptyState, ErrorState, Skeleton } from '../app/ui'
import type { DateRange } from './state'

const SEVERITY = {
  high: 'bg-rose-500',
  medium: 'bg-amber-500',
  low: 'bg-sky-500',
} as Record<string, string>

/** Insights as sentences, each with a dot for its severity (spoken to screen readers). */
export function InsightList({ items }: { items: Insight[] }) {
  return (
    <ul className="space-y-3">
      {items.map((item, i) => (
        <li key={i} className="flex gap-3 text-sm leading-6">
          <span className={`mt-2 size-2 shrink-0 rounded-full ${SEVERITY[item.severity] ?? 'bg-zinc-400'}`} aria-hidden="true" />
          <span>
            <span className="sr-only">{item.severity} priority: </span>
            {item.message}
          </span>
        </li>
      ))}
    </ul>
  )
}

/** The first `shown` insights, the rest under "N more" (never a fold of just one). */
export function FoldedInsights({ items, shown = 4 }: { items: Insight[]; shown?: number }) {
  const folds = items.length > shown + 1
  return (
    <>
      <InsightList items={folds ? items.slice(0, shown) : items} />
      {folds && (
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer font-medium text-indigo-700 hover:underline dark:text-indigo-300">{items.length - shown} more</summary>
          <div className="mt-3">
            <InsightList items={items.slice(shown)} />
          </div>
        </details>
      )}
    </>
  )
}

export function InsightsPanel({ clientId, range }: { clientId: string; range: DateRange }) {
  const insights = useInsights(clientId, range)
  if (insights.isPending)
    return (
      <div className="space-y-3" role="status" aria-label="Loading insights">
        <Skeleton className="h-4 w-full" />
        <Skeleton className="h-4 w-5/6" />
        <Skeleton className="h-4 w-4/6" />
      </div>
    )
  if (insights.isError) return <ErrorState error={insights.error} onRetry={() => void insights.refetch()} what="the insights" />
  const items = insights.data.items
  if (items.length === 0) return <EmptyState title="Nothing unusual in this period">Insights appear here when a metric moves sharply or a campaign stands out.</EmptyState>
  return (
    <div data-testid="insights">
      <FoldedInsights items={items} />
    </div>
  )
}
