/**
 * The admin portal's reads and writes: TanStack Query hooks over the one typed API client.
 * Every action is a real API call; the API is the security boundary (role admin).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, session, unwrap } from '../api/client'
import type { components, paths } from '../api/schema'

type Json<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'put'> = paths[P][M] extends {
  responses: infer R
}
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : R extends { 202: { content: { 'application/json': infer T } } }
        ? T
        : never
  : never

export type AgencyOverview = components['schemas']['AgencyOverviewOut']
export type OverviewClient = components['schemas']['OverviewClientOut']
export type Problem = components['schemas']['ProblemOut']
export type AdminClient = Json<'/admin/clients/{client_id}', 'get'>
export type Rate = components['schemas']['RateOut']
export type Repricing = components['schemas']['RepricingOut']
export type WhatIfMonth = components['schemas']['WhatIfMonthOut']
export type BuyCost = components['schemas']['BuyCostOut']
export type BuyCostChange = components['schemas']['BuyCostChangeOut']
export type MarginReport = components['schemas']['MarginReportOut']
export type Months = components['schemas']['MonthsOut']
export type AdminUser = components['schemas']['AdminUserOut']
export type CreatedUser = components['schemas']['CreatedUserOut']
export type Run = components['schemas']['RunOut']
export type RunDetail = components['schemas']['RunDetailOut']
export type RejectedRow = components['schemas']['RejectedRowOut']
export type Alert = components['schemas']['AlertOut']
export type Branding = components['schemas']['BrandingOut']
export type Upload = components['schemas']['UploadOut']
export type ClientPage = Json<'/admin/clients', 'get'>
export type UserPage = Json<'/admin/users', 'get'>
export type RunPage = Json<'/admin/ingestions', 'get'>
export type AlertPage = Json<'/admin/alerts', 'get'>

/** Query parameters without the empty ones (an empty filter means "any"). */
export function clean<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>
}

// ---------------------------------------------------------------- reads

export function useAgencyOverview(from: string, to: string) {
  return useQuery({
    queryKey: ['admin', 'overview', from, to],
    queryFn: async () => unwrap(await api.GET('/admin/overview', { params: { query: { from, to } } })),
    placeholderData: keepPreviousData,
  })
}

export function useAdminClients() {
  return useQuery({
    queryKey: ['admin', 'clients'],
    queryFn: async () => unwrap(await api.GET('/admin/clients', { params: { query: { limit: 500 } } })),
  })
}

export function useAdminClient(clientId: string) {
  return useQuery({
    queryKey: ['admin', 'client', clientId],
    queryFn: async () => unwrap(await api.GET('/admin/clients/{client_id}', { params: { path: { client_id: clientId } } })),
  })
}

export function useRates(clientId: string) {
  return useQuery({
    queryKey: ['admin', 'rates', clientId],
    queryFn: async () =>
      unwrap(await api.GET('/admin/clients/{client_id}/cpm', { params: { path: { client_id: clientId }, query: { limit: 500 } } })),
  })
}

export function useBuyCosts(clientId: string) {
  return useQuery({
    queryKey: ['admin', 'buy-costs', clientId],
    queryFn: async () =>
      unwrap(await api.GET('/admin/clients/{client_id}/buy-cost', { params: { path: { client_id: clientId }, query: { limit: 500 } } })),
  })
}

/** The margin ledger of a client for a period (admin only); omitted dates: the API's default (last 30 days). */
export function useMargin(clientId: string, from?: string, to?: string) {
  return useQuery({
    queryKey: ['admin', 'margin', clientId, from, to],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(await api.GET('/admin/clients/{client_id}/margin', { params: { path: { client_id: clientId }, query: clean({ from, to }) } })),
  })
}

export function useMonths(clientId: string) {
  return useQuery({
    queryKey: ['admin', 'months', clientId],
    queryFn: async () => unwrap(await api.GET('/admin/clients/{client_id}/months', { params: { path: { client_id: clientId } } })),
  })
}

export function useBranding(clientId: string) {
  return useQuery({
    queryKey: ['admin', 'branding', clientId],
    queryFn: async () =>
      unwrap(await api.GET('/admin/clients/{client_id}/branding', { params: { path: { client_id: clientId } } })),
  })
}

/** The logo as a blob URL: the image route needs the bearer token, which an <img> cannot send. */
export function useLogo(logoUrl: string | null | undefined) {
  return useQuery({
    queryKey: ['admin', 'logo', logoUrl],
    enabled: Boolean(logoUrl),
    staleTime: Infinity,
    queryFn: async () => {
      const res = await session.fetch(`/api${logoUrl}`, { headers: { Accept: 'image/png' } })
      if (!res.ok) throw new Error(`The logo could not be loaded (${res.status})`)
      return URL.createObjectURL(await res.blob())
    },
  })
}

export interface UserFilters {
  role?: 'admin' | 'client'
  client_id?: string
  disabled?: boolean
  email?: string
  offset: number
}

export function useUsers(filters: UserFilters) {
  return useQuery({
    queryKey: ['admin', 'users', filters],
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/admin/users', { params: { query: { ...clean(filters), limit: PAGE } } })),
  })
}

export interface RunFilters {
  status?: Run['status']
  client_id?: string
  from?: string
  to?: string
  file_name?: string
  offset: number
}

export const PAGE = 50

export function useRuns(filters: RunFilters, refetchInterval?: number | false) {
  return useQuery({
    queryKey: ['admin', 'runs', filters],
    placeholderData: keepPreviousData,
    refetchInterval,
    queryFn: async () => unwrap(await api.GET('/admin/ingestions', { params: { query: { ...clean(filters), limit: PAGE } } })),
  })
}

export function useRun(runId: string) {
  return useQuery({
    queryKey: ['admin', 'run', runId],
    queryFn: async () => unwrap(await api.GET('/admin/ingestions/{run_id}', { params: { path: { run_id: runId } } })),
  })
}

export function useRejectedRows(runId: string, offset: number) {
  return useQuery({
    queryKey: ['admin', 'rejected', runId, offset],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/admin/ingestions/{run_id}/rejected-rows', {
          params: { path: { run_id: runId }, query: { limit: PAGE, offset } },
        }),
      ),
  })
}

export interface AlertFilters {
  kind?: string
  status?: 'sent' | 'failed'
  client_id?: string
  run_id?: string
  from?: string
  to?: string
  offset: number
}

export function useAlerts(filters: AlertFilters) {
  return useQuery({
    queryKey: ['admin', 'alerts', filters],
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/admin/alerts', { params: { query: { ...clean(filters), limit: PAGE } } })),
  })
}

// ---------------------------------------------------------------- writes

/** A mutation that refreshes every admin read (and the client list of the switcher) when done. */
export function useAdminMutation<A, R>(fn: (args: A) => Promise<R>) {
  const queries = useQueryClient()
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['admin'] })
      await queries.invalidateQueries({ queryKey: ['clients'] })
    },
  })
}

export const adminApi = {
  createClient: async (body: { name: string; slug: string; currency: string; advertisers: string[] }) => unwrap(await api.POST('/admin/clients', { body })),
  updateClient: async (clientId: string, body: { name?: string; slug?: string; status?: 'active' | 'disabled' }) =>
    unwrap(await api.PATCH('/admin/clients/{client_id}', { params: { path: { client_id: clientId } }, body })),
  setAdvertisers: async (clientId: string, advertisers: string[]) =>
    unwrap(await api.PUT('/admin/clients/{client_id}/advertisers', { params: { path: { client_id: clientId } }, body: { advertisers } })),
  setRate: async (clientId: string, body: { cpm: string; effective_date: string; preview: boolean }) =>
    unwrap(await api.POST('/admin/clients/{client_id}/cpm', { params: { path: { client_id: clientId } }, body })),
  setBuyCost: async (clientId: string, body: { cpm: string; effective_date: string; preview: boolean }) =>
    unwrap(await api.POST('/admin/clients/{client_id}/buy-cost', { params: { path: { client_id: clientId } }, body })),
  setTargetRoas: async (clientId: string, target_roas: string | null) =>
    unwrap(await api.PUT('/admin/clients/{client_id}/target-roas', { params: { path: { client_id: clientId } }, body: { target_roas } })),
  closeMonth: async (clientId: string, month: string) =>
    unwrap(await api.POST('/admin/clients/{client_id}/months/{month}/close', { params: { path: { client_id: clientId, month } } })),
  reopenMonth: async (clientId: string, month: string) =>
    unwrap(await api.POST('/admin/clients/{client_id}/months/{month}/reopen', { params: { path: { client_id: clientId, month } } })),
  updateBranding: async (clientId: string, body: { accent_color?: string | null; logo_base64?: string | null }) =>
    unwrap(await api.PATCH('/admin/clients/{client_id}/branding', { params: { path: { client_id: clientId } }, body })),
  createUser: async (body: { email: string; role: 'admin' | 'client'; client_id?: string | null }) =>
    unwrap(await api.POST('/admin/users', { body })),
  updateUser: async (userId: string, body: { role?: 'admin' | 'client'; client_id?: string | null; disabled?: boolean }) =>
    unwrap(await api.PATCH('/admin/users/{user_id}', { params: { path: { user_id: userId } }, body })),
  resetPassword: async (userId: string) =>
    unwrap(await api.POST('/admin/users/{user_id}/reset-password', { params: { path: { user_id: userId } } })),
  retryRun: async (runId: string) =>
    unwrap(await api.POST('/admin/ingestions/{run_id}/retry', { params: { path: { run_id: runId } } })),
  backfill: async (body: { kind: 'weekly' | 'monthly'; period_start: string; client_id?: string | null }) =>
    unwrap(await api.POST('/admin/summaries', { body })),
  createUpload: async (body: { file_name: string; client_slug?: string | null }) =>
    unwrap(await api.POST('/admin/uploads', { body })),
}

/**
 * Post a file straight to the landing bucket with the presigned form: every field the API
 * returned, then the file last (S3 ignores fields after it). No token goes to S3.
 */
export async function postToBucket(upload: Upload, file: File): Promise<void> {
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value)
  form.append('file', file)
  let res: Response
  try {
    res = await fetch(upload.url, { method: 'POST', body: form })
  } catch {
    throw new Error('The upload could not reach the storage bucket. Check your connection and try again.')
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '')
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1]
    throw new Error(
      code === 'EntityTooLarge'
        ? `The file is larger than the ${Math.round(upload.max_bytes / 1048576)} MiB limit.`
        : `The storage bucket refused the upload (${code ?? res.status}).`,
    )
  }
}

/** A file's bytes as base64 (for the logo), without going through a data: URL string split. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
