import { lazy, Suspense, useId } from 'react'
import { useParams } from 'react-router'
import type { Client } from '../api/client'
import { useOverview, useTimeseries } from '../api/queries'
import { Card, ErrorState, inputClass, Skeleton } from '../app/ui'
import { formatRange, METRICS, type MetricKey } from '../format'
import { anchorOf, ClientFrame } from './ClientFrame'
import { Downloads } from './Downloads'
import { DrillTable } from './DrillTable'
import { Filters } from './Filters'
import { InsightsPanel } from './InsightsPanel'
import { KpiCards } from './KpiCards'
import { PacingCard } from './PacingCard'
import { RoasExplanation } from './RoasExplanation'
import { COMPARES, type DrillPath, type Granularity, GRANULARITIES } from './state'
import { useView } from './useView'

const TrendChart = lazy(() => import('./TrendChart'))

export function ClientDashboard() {
  return <ClientFrame>{(client) => <Overview client={client} />}</ClientFrame>
}

function Overview({ client }: { client: Client }) {
  const params = useParams()
  const path: DrillPath = { campaignId: params.campaignId, strategyId: params.strategyId, placementId: params.placementId }
  const anchor = anchorOf(client)
  const [view, setView] = useView(anchor)
  const overview = useOverview(client.id, view, view.compare)
  const currency = overview.data?.currency ?? client.currency ?? 'USD'
  const metricId = useId()
  const comparing = view.compare !== 'none' && overview.data?.previous != null
  const compareFrom = overview.data?.compare_from ?? overview.data?.previous_from
  const compareTo = overview.data?.compare_to ?? overview.data?.previous_to
  const comparisonLabel = comparing && compareFrom && compareTo ? `${COMPARES.find((c) => c.id === view.compare)?.label}: ${formatRange(compareFrom, compareTo)}` : null
  const granularityId = useId()
  const comparisonRange = comparing && compareFrom && compareTo ? { from: compareFrom, to: compareTo } : null
  const weekly = useTimeseries(client.id, { from: view.from, to: view.to }, view.granularity)
  const weeklyPrevious = useTimeseries(client.id, comparisonRange, view.granularity)
  const trend =
    view.granularity === 'day'
      ? overview.data
        ? { series: overview.data.series, previous: comparing ? (overview.data.previous_series ?? null) : null }
        : null
      : weekly.data
        ? { series: weekly.data, previous: comparisonRange ? (weeklyPrevious.data ?? null) : null }
        : null
  const empty = overview.data && overview.data.totals.impressions === 0 && overview.data.totals.clicks === 0

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <Filters view={view} anchor={anchor} onChange={setView} />
        <Downloads clientId={client.id} slug={client.slug} range={view} />
      </div>
      <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="period">
        {formatRange(view.from, view.to)}
        {comparisonLabel && <> · compared with {comparisonLabel.split(': ')[1]}</>}
      </p>

      {overview.isError ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} what="the key metrics" />
      ) : overview.isPending ? (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" role="status" aria-label="Loading key metrics">
          {Array.from({ length: 10 }, (_, i) => (
            <Skeleton key={i} className="h-[6.5rem]" />
          ))}
        </div>
      ) : (
        <div data-testid="kpis" data-from={overview.data.from} data-to={overview.data.to} className={overview.isPlaceholderData ? 'opacity-60 transition-opacity' : ''}>
          {empty && (
            <p className="mb-3 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
              No activity in this period. Pick another date range — your data runs through {client.data_through ?? 'the last file received'}.
            </p>
          )}
          <KpiCards totals={overview.data.totals} previous={comparing ? overview.data.previous : null} change={comparing ? overview.data.change : null} currency={currency} comparisonLabel={comparisonLabel} roasWhy={comparing && Boolean(overview.data.change?.roas_explained)} />
          {comparing && overview.data.change?.roas_explained && (
            <div className="mt-3">
              <RoasExplanation explained={overview.data.change.roas_explained} />
            </div>
          )}
        </div>
      )}

      <PacingCard clientId={client.id} currency={currency} />

      <div className="grid items-start gap-6 lg:grid-cols-3">
        <Card
          className="lg:col-span-2"
          title="Trend"
          id="trend"
          actions={
            <div className="flex flex-wrap items-center gap-2">
              <label htmlFor={granularityId} className="sr-only">
                Granularity
              </label>
              <select id={granularityId} className={`${inputClass} py-1.5`} value={view.granularity} onChange={(e) => setView({ granularity: e.target.value as Granularity })}>
                {GRANULARITIES.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.label}
                  </option>
                ))}
              </select>
              <label htmlFor={metricId} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
                Metric
              </label>
              <select id={metricId} className={`${inputClass} py-1.5`} value={view.metric} onChange={(e) => setView({ metric: e.target.value as MetricKey })}>
                {METRICS.map((m) => (
                  <option key={m.key} value={m.key}>
                    {m.label}
                  </option>
                ))}
              </select>
            </div>
          }
        >
          {weekly.isError ? (
            <ErrorState error={weekly.error} onRetry={() => void weekly.refetch()} what="the trend" />
          ) : trend ? (
            <Suspense fallback={<Skeleton className="h-64 w-full sm:h-72" />}>
              <TrendChart series={trend.series} previous={trend.previous} metric={view.metric} currency={currency} granularity={view.granularity} />
            </Suspense>
          ) : overview.isError ? (
            <p className="text-sm text-zinc-500">The chart needs the key metrics above.</p>
          ) : (
            <Skeleton className="h-64 w-full sm:h-72" />
          )}
        </Card>
        <Card title="Insights" id="insights">
          <InsightsPanel clientId={client.id} range={view} />
        </Card>
      </div>

      <Card title="Breakdown" id="breakdown">
        <DrillTable clientId={client.id} path={path} view={view} currency={currency} onChange={setView} topTotals={overview.data?.totals} />
      </Card>
    </div>
  )
}
