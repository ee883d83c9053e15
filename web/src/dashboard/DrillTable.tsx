/** Drill-down tables campaign → strategy → placement → creative (server-side sort and pages). */
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useQueryClient } from '@tanstack/react-query'
import { useCallback, useMemo } from 'react'
import { Link, useNavigate } from 'react-router'
import type { Aggregate } from '../api/client'
import { breakdownKey, type BreakdownRow, entityNameKey, entityTotalsKey, fetchBreakdown, useBreakdown, useEntityName, useEntityTotals } from '../api/queries'
import { buttonClass, EmptyState, ErrorState, Skeleton } from '../app/ui'
import { formatCount, formatMetric, METRICS, type MetricKey } from '../format'
import { type DrillPath, drillHref, type Level, levelOf, PAGE_SIZE, parentFilters, periodQuery, type SortKey, type ViewState } from './state'

const LEVEL_LABEL: Record<Level, { one: string; many: string }> = {
  campaign: { one: 'Campaign', many: 'Campaigns' },
  strategy: { one: 'Strategy', many: 'Strategies' },
  placement: { one: 'Placement', many: 'Placements' },
  creative: { one: 'Creative', many: 'Creatives' },
}

function Breadcrumbs({ clientId, path, view }: { clientId: string; path: DrillPath; view: ViewState }) {
  const q = `?${periodQuery(view)}`
  const campaign = useEntityName(clientId, 'campaign', {}, path.campaignId, view)
  const strategy = useEntityName(clientId, 'strategy', { campaign_id: path.campaignId ?? '' }, path.strategyId, view)
  const placement = useEntityName(clientId, 'placement', { strategy_id: path.strategyId ?? '' }, path.placementId, view)
  const base = `/clients/${clientId}`
  const crumbs: { label: string; to: string }[] = [{ label: 'All campaigns', to: `${base}${q}` }]
  if (path.campaignId) crumbs.push({ label: campaign.data?.name ?? 'Campaign', to: `${base}/campaigns/${path.campaignId}${q}` })
  if (path.strategyId) crumbs.push({ label: strategy.data?.name ?? 'Strategy', to: `${base}/campaigns/${path.campaignId}/strategies/${path.strategyId}${q}` })
  if (path.placementId)
    crumbs.push({ label: placement.data?.name ?? 'Placement', to: `${base}/campaigns/${path.campaignId}/strategies/${path.strategyId}/placements/${path.placementId}${q}` })
  return (
    <nav aria-label="Breadcrumb" className="min-w-0">
      <ol className="flex flex-wrap items-center gap-1 text-sm">
        {crumbs.map((c, i) => (
          <li key={c.to} className="flex min-w-0 items-center gap-1">
            {i > 0 && (
              <span aria-hidden="true" className="text-zinc-400">
                /
              </span>
            )}
            {i === crumbs.length - 1 ? (
              <span aria-current="page" className="truncate font-semibold text-zinc-900 dark:text-zinc-100">
                {c.label}
              </span>
            ) : (
              <Link to={c.to} className="truncate text-indigo-700 hover:underline dark:text-indigo-300">
                {c.label}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  )
}

export function DrillTable({
  clientId,
  path,
  view,
  currency,
  onChange,
  topTotals,
}: {
  clientId: string
  path: DrillPath
  view: ViewState
  currency: string
  onChange: (p: Partial<ViewState>) => void
  topTotals: Aggregate | undefined
}) {
  const navigate = useNavigate()
  const level = levelOf(path)
  const filters = useMemo(() => parentFilters(path), [path])
  const range = useMemo(() => ({ from: view.from, to: view.to }), [view.from, view.to])
  const page = useBreakdown({
    clientId,
    level,
    range,
    filters,
    sort: view.sort,
    order: view.order,
    limit: PAGE_SIZE,
    offset: (view.page - 1) * PAGE_SIZE,
  })
  const parentTotals = useEntityTotals(clientId, filters, view, level !== 'campaign')
  const footerTotals = level === 'campaign' ? topTotals : parentTotals.data
  const query = periodQuery(view)
  const queryClient = useQueryClient()

  /** The level below a row: its path, and the first page the drill link opens (default sort). */
  const childOf = useCallback(
    (row: BreakdownRow) => {
      const childPath: DrillPath =
        level === 'campaign' ? { campaignId: row.id } : level === 'strategy' ? { ...path, strategyId: row.id } : { ...path, placementId: row.id }
      const args = {
        clientId,
        level: levelOf(childPath),
        range: { from: view.from, to: view.to },
        filters: parentFilters(childPath),
        sort: 'spend' as const,
        order: 'desc' as const,
        limit: PAGE_SIZE,
        offset: 0,
      }
      return { childPath, args }
    },
    [level, path, clientId, view.from, view.to],
  )
  /** Hovering or focusing a row starts loading its children. */
  const prefetch = useCallback(
    (row: BreakdownRow) => {
      if (level === 'creative') return
      const { args } = childOf(row)
      void queryClient.prefetchQuery({ queryKey: breakdownKey(args), queryFn: () => fetchBreakdown(args), staleTime: 30_000 })
    },
    [childOf, level, queryClient],
  )
  /** The clicked row already is the next level's breadcrumb name and "Total" row: no request for them. */
  const seed = useCallback(
    (row: BreakdownRow) => {
      if (level === 'creative') return
      const { childPath, args } = childOf(row)
      const crumbFilters: Record<string, string> = level === 'campaign' ? {} : level === 'strategy' ? { campaign_id: path.campaignId! } : { strategy_id: path.strategyId! }
      queryClient.setQueryData(entityNameKey(clientId, level, crumbFilters, row.id, args.range), row)
      queryClient.setQueryData(entityTotalsKey(clientId, parentFilters(childPath), args.range), row)
    },
    [childOf, level, path, clientId, queryClient],
  )

  const columns = useMemo<ColumnDef<BreakdownRow>[]>(
    () => [
      {
        id: 'name',
        header: LEVEL_LABEL[level].one,
        cell: ({ row }) => {
          const href = drillHref(clientId, path, row.original.id, query)
          return href ? (
            <Link
              to={href}
              className="font-medium text-zinc-900 hover:text-indigo-700 hover:underline dark:text-zinc-100 dark:hover:text-indigo-300"
              onFocus={() => prefetch(row.original)}
              onClick={(e) => {
                e.stopPropagation()
                seed(row.original)
              }}
            >
              {row.original.name}
            </Link>
          ) : (
            <span className="font-medium">{row.original.name}</span>
          )
        },
      },
      ...METRICS.map<ColumnDef<BreakdownRow>>((m) => ({
        id: m.key,
        header: m.label,
        cell: ({ row }) => formatMetric(m.key, row.original[m.key as keyof Aggregate] as string, currency),
      })),
    ],
    [level, clientId, path, query, currency, prefetch, seed],
  )

  const table = useReactTable({
    data: page.data?.items ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    getRowId: (r) => r.id,
  })

  const total = page.data?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const sortBy = (key: SortKey) => {
    if (view.sort === key) onChange({ order: view.order === 'asc' ? 'desc' : 'asc', page: 1 })
    else onChange({ sort: key, order: key === 'name' ? 'asc' : 'desc', page: 1 })
  }

  return (
    <div className="space-y-4" data-testid="drill" data-level={level}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <Breadcrumbs clientId={clientId} path={path} view={view} />
        <p className="text-sm text-zinc-500 dark:text-zinc-400" aria-live="polite">
          {page.data ? `${formatCount(total)} ${total === 1 ? LEVEL_LABEL[level].one.toLowerCase() : LEVEL_LABEL[level].many.toLowerCase()}` : ''}
        </p>
      </div>
      {page.isError ? (
        <ErrorState error={page.error} onRetry={() => void page.refetch()} what={LEVEL_LABEL[level].many.toLowerCase()} />
      ) : page.isPending ? (
        <div className="space-y-2" role="status" aria-label="Loading rows">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-9" />
          ))}
        </div>
      ) : total === 0 ? (
        <EmptyState title={`No ${LEVEL_LABEL[level].many.toLowerCase()} with activity in this period`}>Pick a longer date range, or check back after the next daily file arrives.</EmptyState>
      ) : (
        <div tabIndex={0} role="region" aria-label="Table (scrolls sideways)" className={`scroll-shadows overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800 ${page.isPlaceholderData ? 'opacity-60' : ''}`}>
          {/* aria-busy: the rows shown are the previous view's until this level's arrive */}
          <table className="w-full min-w-[64rem] text-sm" data-testid="drill-table" aria-busy={page.isPlaceholderData || undefined}>
            <caption className="sr-only">
              {LEVEL_LABEL[level].many}, sorted by {view.sort} {view.order === 'asc' ? 'ascending' : 'descending'}. Select a name to see what it is made of.
            </caption>
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900/60 dark:text-zinc-400">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const key = h.column.id as SortKey
                    const active = view.sort === key
                    return (
                      <th
                        key={h.id}
                        scope="col"
                        aria-sort={active ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'}
                        className={`px-3 py-2.5 font-medium ${key === 'name' ? 'text-left' : 'text-right'}`}
                      >
                        <button type="button" onClick={() => sortBy(key)} className={`inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-white ${active ? 'text-zinc-900 dark:text-white' : ''}`}>
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden="true" className={active ? '' : 'invisible'}>
                            {view.order === 'asc' ? '↑' : '↓'}
                          </span>
                        </button>
                      </th>
                    )
                  })}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {table.getRowModel().rows.map((row) => {
                const href = drillHref(clientId, path, row.original.id, query)
                return (
                  <tr
                    key={row.id}
                    data-testid="drill-row"
                    data-id={row.original.id}
                    onClick={
                      href
                        ? () => {
                            seed(row.original)
                            navigate(href)
                          }
                        : undefined
                    }
                    onPointerEnter={href ? () => prefetch(row.original) : undefined}
                    className={href ? 'cursor-pointer hover:bg-indigo-50/50 dark:hover:bg-indigo-950/30' : ''}
                  >
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id} data-col={cell.column.id} className={`px-3 py-2.5 tabular-nums ${cell.column.id === 'name' ? 'max-w-[18rem] truncate text-left' : 'text-right whitespace-nowrap'}`}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    ))}
                  </tr>
                )
              })}
            </tbody>
            {footerTotals && pages === 1 && (
              <tfoot className="border-t-2 border-zinc-200 bg-zinc-50/60 font-semibold dark:border-zinc-700 dark:bg-zinc-900/40">
                <tr data-testid="drill-total">
                  <th scope="row" className="px-3 py-2.5 text-left">
                    Total
                  </th>
                  {METRICS.map((m) => (
                    <td key={m.key} data-col={m.key} className="px-3 py-2.5 text-right whitespace-nowrap tabular-nums">
                      {formatMetric(m.key as MetricKey, footerTotals[m.key as keyof Aggregate] as string, currency)}
                    </td>
                  ))}
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" className="flex items-center justify-end gap-2 text-sm">
          <button type="button" className={buttonClass} disabled={view.page <= 1} onClick={() => onChange({ page: view.page - 1 })}>
            Previous
          </button>
          <span className="px-2 text-zinc-500 dark:text-zinc-400">
            Page {view.page} of {pages}
          </span>
          <button type="button" className={buttonClass} disabled={view.page >= pages} onClick={() => onChange({ page: view.page + 1 })}>
            Next
          </button>
        </nav>
      )}
    </div>
  )
}
