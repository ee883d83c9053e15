/** TanStack Query hooks: one per API read the screens make, keyed by everything they send. */
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { DateRange, Compare, Granularity, Level, SortKey, SortOrder } from '../dashboard/state'
import { compareParams } from '../dashboard/state'
import { api, type Aggregate, type Client, unwrap } from './client'
import type { InsightsOut, OverviewData, SummaryDetail, SummaryList } from './types'

export function useClients() {
  return useQuery({
    queryKey: ['clients'],
    queryFn: async () =>
      unwrap(await api.GET('/clients', { params: { query: { limit: '500' } } })).items as Client[],
    staleTime: 5 * 60_000,
  })
}

export function useOverview(clientId: string, range: DateRange, compare: Compare) {
  return useQuery({
    queryKey: ['overview', clientId, range.from, range.to, compare],
    queryFn: async () => {
      // compare / compare_from / compare_to are the overview's comparison options.
      const query = { from: range.from, to: range.to, ...compareParams(compare, range) }
      const result = await api.GET('/clients/{client_id}/overview', {
        params: { path: { client_id: clientId }, query: query as { from: string; to: string } },
      })
      return unwrap(result) as unknown as OverviewData
    },
    placeholderData: keepPreviousData,
  })
}

export function useInsights(clientId: string, range: DateRange) {
  return useQuery({
    queryKey: ['insights', clientId, range.from, range.to],
    queryFn: async () =>
      unwrap(
        await api.GET('/clients/{client_id}/insights', {
          params: { path: { client_id: clientId }, query: { from: range.from, to: range.to } },
        }),
      ) as unknown as InsightsOut,
  })
}

export interface BreakdownRow extends Aggregate {
  id: string
  name: string
  campaign_id?: string
  strategy_id?: string
  placement_id?: string
}

export interface BreakdownPage {
  items: BreakdownRow[]
  total: number
}

const LEVEL_PATH = {
  campaign: '/clients/{client_id}/campaigns',
  strategy: '/clients/{client_id}/strategies',
  placement: '/clients/{client_id}/placements',
  creative: '/clients/{client_id}/creatives',
} as const

export interface BreakdownArgs {
  clientId: string
  level: Level
  range: DateRange
  filters: Record<string, string>
  sort: SortKey
  order: SortOrder
  limit: number
  offset: number
}

export async function fetchBreakdown(a: BreakdownArgs): Promise<BreakdownPage> {
  const query = {
    from: a.range.from,
    to: a.range.to,
    sort: a.sort,
    order: a.order,
    limit: String(a.limit),
    offset: String(a.offset),
    ...a.filters,
  }
  const result = await api.GET(LEVEL_PATH[a.level], { params: { path: { client_id: a.clientId }, query } })
  return unwrap(result) as unknown as BreakdownPage
}

export const breakdownKey = (a: BreakdownArgs) => ['breakdown', a] as const

export function useBreakdown(a: BreakdownArgs) {
  return useQuery({
    queryKey: breakdownKey(a),
    queryFn: () => fetchBreakdown(a),
    placeholderData: keepPreviousData,
  })
}

/** The name of one entity of a drill path (for breadcrumbs after a reload). */
export const entityNameKey = (clientId: string, level: Level, filters: Record<string, string>, id: string | undefined, range: DateRange) =>
  ['entity-name', clientId, level, filters, id, range.from, range.to] as const

export function useEntityName(clientId: string, level: Level, filters: Record<string, string>, id: string | undefined, range: DateRange) {
  return useQuery({
    queryKey: entityNameKey(clientId, level, filters, id, range),
    enabled: Boolean(id),
    queryFn: async () => {
      const page = await fetchBreakdown({ clientId, level, range, filters, sort: 'name', order: 'asc', limit: 500, offset: 0 })
      return page.items.find((r) => r.id === id) ?? null
    },
    staleTime: 5 * 60_000,
  })
}

/** Totals of one entity (the parent of a drilled level) over the range. */
export const entityTotalsKey = (clientId: string, filters: Record<string, string>, range: DateRange) =>
  ['entity-totals', clientId, filters, range.from, range.to] as const

export function useEntityTotals(clientId: string, filters: Record<string, string>, range: DateRange, enabled: boolean) {
  return useQuery({
    queryKey: entityTotalsKey(clientId, filters, range),
    enabled,
    queryFn: async () => {
      const result = await api.GET('/clients/{client_id}/timeseries', {
        params: { path: { client_id: clientId }, query: { from: range.from, to: range.to, granularity: 'month', ...filters } },
      })
      return unwrap(result).totals
    },
  })
}

export type SummaryKind = 'weekly' | 'monthly'

export function useSummaries(clientId: string, kind: SummaryKind, page: number) {
  return useQuery({
    queryKey: ['summaries', clientId, kind, page],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const path = kind === 'weekly' ? '/clients/{client_id}/summaries/weekly' : '/clients/{client_id}/summaries/monthly'
      const result = await api.GET(path, {
        params: { path: { client_id: clientId }, query: { limit: '20', offset: String((page - 1) * 20) } },
      })
      return unwrap(result) as unknown as SummaryList
    },
  })
}

export function useSummary(clientId: string, kind: SummaryKind, periodStart: string) {
  return useQuery({
    queryKey: ['summary', clientId, kind, periodStart],
    queryFn: async () => {
      const result =
        kind === 'weekly'
          ? await api.GET('/clients/{client_id}/summaries/weekly/{week_start}', {
              params: { path: { client_id: clientId, week_start: periodStart } },
            })
          : await api.GET('/clients/{client_id}/summaries/monthly/{month_start}', {
              params: { path: { client_id: clientId, month_start: periodStart } },
            })
      return unwrap(result) as unknown as SummaryDetail
    },
  })
}

/** The trend by ISO week or month (the daily trend comes with the overview). */
export function useTimeseries(clientId: string, range: DateRange | null, granularity: Granularity) {
  return useQuery({
    queryKey: ['timeseries', clientId, range?.from, range?.to, granularity],
    enabled: range !== null && granularity !== 'day',
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const result = await api.GET('/clients/{client_id}/timeseries', {
        params: { path: { client_id: clientId }, query: { from: range!.from, to: range!.to, granularity } },
      })
      return unwrap(result).series as unknown as (Aggregate & { date: string })[]
    },
  })
}

/** Month-end pacing of the current month (the API's default: the reporting timezone's month). */
export function usePacing(clientId: string, month?: string) {
  return useQuery({
    queryKey: ['pacing', clientId, month ?? 'current'],
    queryFn: async () =>
      unwrap(
        await api.GET('/clients/{client_id}/pacing', {
          params: { path: { client_id: clientId }, query: month ? { month } : {} },
        }),
      ),
  })
}
