/**
 * The one typed API client (openapi-fetch over the generated `schema.d.ts`), sending every
 * request through the session so it carries the access token and survives a 401.
 */
import createClient from 'openapi-fetch'
import { browserSession } from '../auth/session'
import type { components, paths } from './schema'

export const session = browserSession()

export const api = createClient<paths>({ baseUrl: '/api', fetch: (request: Request) => session.fetch(request) })

export type Aggregate = components['schemas']['AggregateOut']
export type Change = components['schemas']['ChangeOut']
type ClientList = paths['/clients']['get']['responses'][200]['content']['application/json']
export type Client = ClientList['items'][number] & {
  /** Added by the API hardening work; optional until every deployment has it. */
  currency?: string
  data_through?: string | null
}

/** An API answer that is not a success, with the message the API gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Unwrap an openapi-fetch result: the data, or an ApiError with the API's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const body = result.error as { message?: string } | undefined
    throw new ApiError(result.response.status, body?.message ?? `The server answered ${result.response.status}`)
  }
  return result.data
}
