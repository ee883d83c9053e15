/**
 * The browser session (SPEC §11): the access token in memory only; the refresh token is an
 * httpOnly cookie scoped to /api/auth that JavaScript never sees.
 *
 * - Refreshes are serialised across tabs with a Web Lock; the tab that refreshed shares the
 *   new access token on a BroadcastChannel, so a tab that waited for the lock adopts it
 *   instead of spending the (already rotated) cookie a second time.
 * - Refresh silently shortly before expiry, and once on a 401 (then retry the request once).
 * - A reload restores the session by calling refresh (the cookie is still there).
 *
 * Everything the logic touches (fetch, locks, channel, clock, timers) is passed in, so the
 * unit tests drive two "tabs" against one fake API.
 */

export interface SessionUser {
  id: string
  email: string
  role: 'admin' | 'client' | string
  client_id: string | null
}

export type SessionStatus = 'unknown' | 'signed_in' | 'signed_out'

export interface SessionSnapshot {
  status: SessionStatus
  user: SessionUser | null
}

interface TokenBody {
  access_token: string
  expires_in: number
  user: SessionUser
}

type Message =
  | { type: 'token'; accessToken: string; expiresAt: number; user: SessionUser }
  | { type: 'logout' }

export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

export interface ChannelLike {
  postMessage(message: Message): void
  addEventListener(type: 'message', listener: (event: { data: Message }) => void): void
  close?(): void
}

export interface SessionDeps {
  fetch: typeof fetch
  locks?: LockManagerLike
  channel?: ChannelLike
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  /** Where the API answers; '/api' on the web app's origin. */
  apiBase?: string
}

export class LoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000
const LOCK_NAME = 'pmd-session-refresh'

export class Session {
  private accessToken: string | null = null
  private expiresAt = 0
  private snapshot: SessionSnapshot = { status: 'unknown', user: null }
  private listeners = new Set<() => void>()
  private inflight: Promise<boolean> | null = null
  private timer: unknown = null
  private readonly deps: Required<Omit<SessionDeps, 'locks' | 'channel'>> & Pick<SessionDeps, 'locks' | 'channel'>

  constructor(deps: SessionDeps) {
    this.deps = {
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      apiBase: '/api',
      ...deps,
    }
    this.deps.channel?.addEventListener('message', (event) => this.onMessage(event.data))
  }

  // ------------------------------------------------------------------ observable state
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getSnapshot = (): SessionSnapshot => this.snapshot

  private setSnapshot(status: SessionStatus, user: SessionUser | null) {
    if (this.snapshot.status === status && this.snapshot.user?.id === user?.id) return
    this.snapshot = { status, user }
    this.listeners.forEach((l) => l())
  }

  // ------------------------------------------------------------------ token handling
  private adopt(accessToken: string, expiresAt: number, user: SessionUser) {
    this.accessToken = accessToken
    this.expiresAt = expiresAt
    this.schedule()
    this.setSnapshot('signed_in', user)
  }

  private clear() {
    this.accessToken = null
    this.expiresAt = 0
    if (this.timer !== null) this.deps.clearTimer(this.timer)
    this.timer = null
    this.setSnapshot('signed_out', null)
  }

  private schedule() {
    if (this.timer !== null) this.deps.clearTimer(this.timer)
    const delay = Math.max(5_000, this.expiresAt - this.deps.now() - REFRESH_MARGIN_MS)
    this.timer = this.deps.setTimer(() => {
      this.timer = null
      void this.refresh()
    }, delay)
  }

  private fromBody(body: TokenBody) {
    const expiresAt = this.deps.now() + body.expires_in * 1000
    this.adopt(body.access_token, expiresAt, body.user)
    this.deps.channel?.postMessage({ type: 'token', accessToken: body.access_token, expiresAt, user: body.user })
  }

  private onMessage(message: Message) {
    if (message.type === 'logout') this.clear()
    else if (message.type === 'token' && message.expiresAt >= this.expiresAt) {
      this.adopt(message.accessToken, message.expiresAt, message.user)
    }
  }

  private fresh(): boolean {
    return this.accessToken !== null && this.expiresAt - this.deps.now() > REFRESH_MARGIN_MS / 2
  }

  private post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.deps.fetch(`${this.deps.apiBase}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  }

  // ------------------------------------------------------------------ public API
  async login(email: string, password: string): Promise<SessionUser> {
    const res = await this.post('/auth/login', { email, password, session: 'cookie' })
    if (!res.ok) {
      const message = await res
        .json()
        .then((b: { message?: string }) => b.message)
        .catch(() => undefined)
      throw new LoginError(
        res.status === 401
          ? 'That email and password do not match an account.'
          : res.status === 429
            ? 'Too many attempts. Wait a few minutes, then try again.'
            : (message ?? `Sign-in failed (${res.status}). Try again.`),
        res.status,
      )
    }
    const body = (await res.json()) as TokenBody
    this.fromBody(body)
    return body.user
  }

  /**
   * Get a new access token with the refresh cookie. One at a time per tab (shared promise)
   * and across tabs (Web Lock); a tab that waited adopts the token the other one fetched.
   */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      const tokenBefore = this.accessToken
      const run = async () => {
        // Another tab refreshed while we waited for the lock: its token reached us already.
        if (this.accessToken !== tokenBefore && this.fresh()) return true
        const res = await this.post('/auth/refresh', {})
        if (!res.ok) {
          if (res.status === 401) {
            this.clear()
            this.deps.channel?.postMessage({ type: 'logout' })
          }
          return false
        }
        this.fromBody((await res.json()) as TokenBody)
        return true
      }
      const locked = this.deps.locks ? this.deps.locks.request(LOCK_NAME, run) : run()
      this.inflight = locked
        .catch(() => {
          // A network failure: keep what we have; the next request or timer tries again.
          if (this.snapshot.status === 'unknown') this.setSnapshot('signed_out', null)
          return false
        })
        .finally(() => {
          this.inflight = null
        })
    }
    return this.inflight
  }

  /** On page load: restore the session from the refresh cookie, or know there is none. */
  async restore(): Promise<SessionSnapshot> {
    if (this.snapshot.status === 'unknown') await this.refresh()
    return this.snapshot
  }

  async logout(): Promise<void> {
    const token = this.accessToken
    try {
      if (token) await this.post('/auth/logout', {}, { Authorization: `Bearer ${token}` })
    } finally {
      this.clear()
      this.deps.channel?.postMessage({ type: 'logout' })
    }
  }

  /** fetch with the access token; on a 401, refresh once and retry once. */
  fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    if (!this.fresh() && this.accessToken !== null) await this.refresh()
    const send = (token: string | null) => {
      const request = new Request(input instanceof Request ? input.clone() : input, init)
      if (token) request.headers.set('Authorization', `Bearer ${token}`)
      return this.deps.fetch(request)
    }
    const used = this.accessToken
    const res = await send(used)
    if (res.status !== 401) return res
    // Another request may have refreshed meanwhile; only refresh if our token is still current.
    const ok = this.accessToken !== used ? true : await this.refresh()
    if (!ok || !this.accessToken) return res
    return send(this.accessToken)
  }
}

/** The one session of this page, wired to the browser's fetch, Web Locks and BroadcastChannel. */
export function browserSession(): Session {
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('pmd-session')
  const locks = typeof navigator !== 'undefined' && 'locks' in navigator ? (navigator.locks as LockManagerLike) : undefined
  return new Session({
    fetch: (...args) => fetch(...args),
    locks,
    channel: channel as unknown as ChannelLike | undefined,
  })
}
