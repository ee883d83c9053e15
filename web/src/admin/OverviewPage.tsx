/** The admin's home: every client with its KPIs for the period and its health, problems first. */
import { useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { Card, ErrorState, inputClass, Loading } from '../app/ui'
import { formatCount, formatDate, formatMoney, formatRate, formatRoas } from '../format'
import { type OverviewClient, type Problem, useAgencyOverview } from './api'
import { shortFileName } from './fileName'
import { AdminPage, Badge, daysAgo, Field, formatDateTime, TableFrame, td, th } from './ui'

type SortKey = 'problems' | 'name' | 'impressions' | 'clicks' | 'ctr' | 'conversions' | 'revenue' | 'spend' | 'roas' | 'margin' | 'missing' | 'unpriced' | 'failed' | 'last_load'

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Client' },
  { key: 'problems', label: 'Health' },
  { key: 'impressions', label: 'Impressions', numeric: true },
  { key: 'clicks', label: 'Clicks', numeric: true },
  { key: 'ctr', label: 'CTR', numeric: true },
  { key: 'conversions', label: 'Conversions', numeric: true },
  { key: 'revenue', label: 'Revenue', numeric: true },
  { key: 'spend', label: 'Spend', numeric: true },
  { key: 'roas', label: 'ROAS', numeric: true },
  { key: 'margin', label: 'Margin', numeric: true },
  { key: 'last_load', label: 'Last file loaded' },
  { key: 'missing', label: 'Missing days', numeric: true },
  { key: 'unpriced', label: 'Unpriced rows', numeric: true },
  { key: 'failed', label: 'Failed runs (7 d)', numeric: true },
]

/** Sort keys compare exact decimal strings as numbers only for ordering (display stays exact). */
function value(client: OverviewClient, key: SortKey): string | number {
  const k = client.kpis
  switch (key) {
    case 'problems':
      return client.problems.length
    case 'name':
      return client.name.toLowerCase()
    case 'impressions':
    case 'clicks':
    case 'conversions':
      return k[key]
    case 'ctr':
    case 'revenue':
    case 'spend':
    case 'roas':
      return k[key] === null || k[key] === undefined ? -1 : Number(k[key])
    case 'margin':
      return client.margin.margin_ratio === null || client.margin.margin_ratio === undefined ? -Infinity : Number(client.margin.margin_ratio)
    case 'missing':
      return client.health.missing_days
    case 'unpriced':
      return client.health.unpriced_rows
    case 'failed':
      return client.health.failed_runs
    case 'last_load':
      return client.health.last_load?.finished_at ?? ''
  }
}

/** Where each problem is fixed. */
export function problemLink(client: OverviewClient, problem: Problem): string {
  switch (problem.fix) {
    case 'ingestion':
      return problem.run_id ? `/admin/ingestions/${problem.run_id}` : `/admin/ingestions?status=failed&client_id=${client.id}`
    case 'uploads':
      return `/admin/ingestions?upload=${encodeURIComponent(client.slug)}`
    case 'rate_card':
      return `/admin/clients/${client.id}/rate-card${problem.day ? `?from=${problem.day}` : ''}`
  }
}

export function OverviewPage() {
  const [params, setParams] = useSearchParams()
  const from = params.get('from') ?? daysAgo(30)
  const to = params.get('to') ?? daysAgo(1)
  const sort = (params.get('sort') as SortKey | null) ?? 'problems'
  const order = params.get('order') === 'asc' ? 'asc' : params.get('order') === 'desc' ? 'desc' : sort === 'name' ? 'asc' : 'desc'
  const overview = useAgencyOverview(from, to)
  const [filter, setFilter] = useState('')

  const rows = useMemo(() => {
    const clients = overview.data?.clients ?? []
    const shown = clients.filter((c) => !filter || c.name.toLowerCase().includes(filter.toLowerCase()))
    // "problems" keeps the API's order (most urgent first); other keys sort in the browser.
    if (sort === 'problems' && order === 'desc') return shown
    const sorted = [...shown].sort((a, b) => {
      const x = value(a, sort)
      const y = value(b, sort)
      return x < y ? -1 : x > y ? 1 : 0
    })
    return order === 'desc' ? sorted.reverse() : sorted
  }, [overview.data, filter, sort, order])

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k)
      else next.set(k, v)
    }
    setParams(next, { replace: true })
  }

  return (
    <AdminPage title="Agency overview" description="Every client for the period, the ones that need attention first.">
      <Card>
        <div className="flex flex-wrap items-end gap-3">
          <Field label="From">{(id) => <input id={id} type="date" className={inputClass} value={from} max={to} onChange={(e) => e.target.value && set({ from: e.target.value })} />}</Field>
          <Field label="To">{(id) => <input id={id} type="date" className={inputClass} value={to} min={from} onChange={(e) => e.target.value && set({ to: e.target.value })} />}</Field>
          <Field label="Find a client">{(id) => <input id={id} type="search" className={inputClass} value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name" />}</Field>
        </div>
      </Card>

      {overview.isPending && <Loading label="Loading the agency overview…" />}
      {overview.isError && <ErrorState error={overview.error} onRetry={() => void overview.refetch()} what="the agency overview" />}
      {overview.data && (
        <>
          <div className="grid gap-3 sm:grid-cols-3" data-testid="overview-totals">
            <Card><p className="text-sm text-zinc-500 dark:text-zinc-400">Clients</p><p className="text-2xl font-semibold">{overview.data.totals.clients}</p></Card>
            <Card><p className="text-sm text-zinc-500 dark:text-zinc-400">Clients needing attention</p><p className="text-2xl font-semibold">{overview.data.totals.clients_with_problems}</p></Card>
            <Card><p className="text-sm text-zinc-500 dark:text-zinc-400">Failed files (last 7 days)</p><p className="text-2xl font-semibold">{overview.data.totals.failed_runs}</p></Card>
          </div>

          {overview.data.failed_runs.length > 0 && (
            <Card title="Failed files in the last 7 days" id="failed-files">
              <ul className="space-y-3 text-sm" data-testid="failed-files">
                {overview.data.failed_runs.map((run) => (
                  <li key={run.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                    <Badge tone="bad">failed</Badge>
                    <Link to={`/admin/ingestions/${run.id}`} className="font-medium break-all text-indigo-700 underline dark:text-indigo-300" title={run.file_name}>
                      {shortFileName(run.file_name)}
                    </Link>
                    <span className="text-zinc-600 dark:text-zinc-400">{formatDateTime(run.started_at)}</span>
                    {run.message && <span className="w-full break-words text-zinc-700 dark:text-zinc-300">{run.message}</span>}
                    <span className="w-full text-xs break-all text-zinc-500 dark:text-zinc-400">{run.file_name}</span>
                  </li>
                ))}
              </ul>
            </Card>
          )}

          <Card title="Clients" id="clients">
            {rows.length === 0 ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                No clients{filter ? ' match' : ' yet'}. <Link className="text-indigo-700 underline dark:text-indigo-300" to="/admin/clients">Create a client</Link>.
              </p>
            ) : (
              <TableFrame label="Clients with KPIs and health">
                <thead>
                  <tr>
                    {COLUMNS.map((c) => {
                      const active = sort === c.key
                      return (
                        <th key={c.key} className={`${th} ${c.numeric ? 'text-right' : ''}`} aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                          <button
                            type="button"
                            className="inline-flex items-center gap-1 hover:underline"
                            onClick={() => set({ sort: c.key, order: active && order === 'desc' ? 'asc' : active ? 'desc' : c.key === 'name' ? 'asc' : 'desc' })}
                          >
                            {c.label}
                            <span aria-hidden="true">{active ? (order === 'asc' ? '▲' : '▼') : ''}</span>
                          </button>
                        </th>
                      )
                    })}
                  </tr>
                </thead>
                <tbody data-testid="overview-rows">
                  {rows.map((c) => (
                    <tr key={c.id} data-testid={`overview-${c.slug}`}>
                      <td className={td}>
                        <Link to={`/clients/${c.id}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">{c.name}</Link>
                        {c.status === 'disabled' && <span className="ml-2"><Badge>disabled</Badge></span>}
                        <div className="text-xs text-zinc-500 dark:text-zinc-400"><Link to={`/admin/clients/${c.id}`} className="underline">Manage</Link></div>
                      </td>
                      <td className={td}>
                        {c.problems.length === 0 ? (
                          <Badge tone="good">OK</Badge>
                        ) : (
                          <ul className="w-52 space-y-1">
                            {c.problems.map((p) => (
                              <li key={p.code}>
                                <Link to={problemLink(c, p)} className="text-rose-800 underline dark:text-rose-300">{p.message}</Link>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td className={`${td} text-right tabular-nums`}>{formatCount(c.kpis.impressions)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatCount(c.kpis.clicks)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatRate(c.kpis.ctr)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatCount(c.kpis.conversions)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatMoney(c.kpis.revenue, currencyOf(c))}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatMoney(c.kpis.spend, currencyOf(c))}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatRoas(c.kpis.roas)}</td>
                      <td className={`${td} text-right tabular-nums`} data-testid="overview-margin">
                        {formatMoney(c.margin.margin, currencyOf(c))}
                        <div className="text-xs text-zinc-500 dark:text-zinc-400">{c.margin.margin_ratio ? formatRate(c.margin.margin_ratio) : 'no buy cost'}</div>
                      </td>
                      <td className={td}>
                        {c.health.last_load ? (
                          <Link to={`/admin/ingestions/${c.health.last_load.run_id}`} className="underline">{formatDateTime(c.health.last_load.finished_at)}</Link>
                        ) : (
                          <span className="text-zinc-600 dark:text-zinc-400">never</span>
                        )}
                        <div className="text-xs text-zinc-500 dark:text-zinc-400">data through {formatDate(c.health.data_through)}</div>
                      </td>
                      <td className={`${td} text-right tabular-nums`}>{c.health.missing_days}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatCount(c.health.unpriced_rows)}</td>
                      <td className={`${td} text-right tabular-nums`}>{c.health.failed_runs}</td>
                    </tr>
                  ))}
                </tbody>
              </TableFrame>
            )}
          </Card>
        </>
      )}
    </AdminPage>
  )
}

function currencyOf(client: OverviewClient): string {
  return client.currency
}
