import type { ReactNode } from 'react'
import { NavLink, useLocation, useParams } from 'react-router'
import type { Client } from '../api/client'
import { useClients } from '../api/queries'
import { NotFoundPage } from '../app/NotFoundPage'
import { ErrorState, Skeleton } from '../app/ui'
import { formatDate } from '../format'
import { addDays, toIso } from './state'

/** The last day with data, else yesterday: where date presets end. */
export function anchorOf(client: Client): string {
  return client.data_through ?? addDays(toIso(new Date()), -1)
}

/**
 * Everything under /clients/<id>: resolves the client from the caller's own list (a client
 * user's list holds only its client), so another client's id renders the not-found page and
 * no data request is ever made for it.
 */
export function ClientFrame({ children, actions }: { children: (client: Client) => ReactNode; actions?: (client: Client) => ReactNode }) {
  const { clientId = '' } = useParams()
  const clients = useClients()
  const location = useLocation()
  if (clients.isPending)
    return (
      <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
        <Skeleton className="h-8 w-56" />
        <Skeleton className="h-4 w-40" />
        <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
          {Array.from({ length: 10 }, (_, i) => (
            <Skeleton key={i} className="h-24" />
          ))}
        </div>
      </main>
    )
  if (clients.isError)
    return (
      <main id="main" className="mx-auto max-w-3xl px-4 py-10">
        <h1 className="sr-only">Dashboard</h1>
        <ErrorState error={clients.error} onRetry={() => void clients.refetch()} what="your account's clients" />
      </main>
    )
  const client = clients.data.find((c) => c.id === clientId)
  if (!client) return <NotFoundPage />
  const period = new URLSearchParams(location.search)
  const keep = new URLSearchParams()
  for (const k of ['from', 'to', 'compare']) if (period.get(k)) keep.set(k, period.get(k)!)
  const q = keep.size ? `?${keep}` : ''
  const tab = ({ isActive }: { isActive: boolean }) =>
    `-mb-px border-b-2 px-1 pb-2.5 text-sm font-medium whitespace-nowrap ${isActive ? 'border-indigo-600 text-zinc-900 dark:border-indigo-400 dark:text-white' : 'border-transparent text-zinc-500 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200'}`
  const base = `/clients/${client.id}`
  const onOverview = !location.pathname.startsWith(`${base}/summaries`)
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 pb-16 pt-6 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight">{client.name}</h1>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400" data-testid="freshness">
            {client.data_through ? <>Data through {formatDate(client.data_through)}</> : 'No data loaded yet'}
            {client.status !== 'active' && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-800 dark:bg-amber-900/40 dark:text-amber-200">disabled</span>}
          </p>
        </div>
        {actions?.(client)}
      </div>
      <nav aria-label="Dashboard sections" className="mt-5 flex gap-5 overflow-x-auto border-b sm:gap-6 border-zinc-200 dark:border-zinc-800">
        <NavLink to={`${base}${q}`} className={() => tab({ isActive: onOverview })} end>
          Overview
        </NavLink>
        <NavLink to={`${base}/summaries/weekly${q}`} className={tab} aria-label="Weekly summaries">
          Weekly<span className="hidden sm:inline"> summaries</span>
        </NavLink>
        <NavLink to={`${base}/summaries/monthly${q}`} className={tab} aria-label="Monthly summaries">
          Monthly<span className="hidden sm:inline"> summaries</span>
        </NavLink>
      </nav>
      <div className="mt-6">{children(client)}</div>
    </main>
  )
}
