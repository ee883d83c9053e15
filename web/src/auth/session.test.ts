// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { type ChannelLike, type LockManagerLike, Session, REFRESH_MARGIN_MS } from './session'

/**
 * A fake of the API's cookie-session contract, shared by every "tab" of one browser: one
 * cookie jar, refresh tokens rotated on every refresh, reuse of a rotated token revokes the
 * family (strict: no grace, so only the app's lock keeps concurrent tabs alive).
 */
class FakeApi {
  cookie: string | null = null
  family = new Set<string>()
  revoked = false
  calls: string[] = []
  validTokens = new Set<string>()
  private n = 0
  user = { id: 'u1', email: 'a@b.c', role: 'client', client_id: 'c1' }

  private tokens() {
    this.n += 1
    const access = `access-${this.n}`
    this.validTokens.add(access)
    return { access_token: access, refresh_token: null, token_type: 'Bearer', expires_in: 900, user: this.user }
  }

  fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input instanceof Request ? input : new URL(String(input), 'http://app'), init)
    const path = new URL(request.url).pathname
    this.calls.push(path)
    const cookieSent = this.cookie // read when the request leaves, like a browser
    await new Promise((r) => setTimeout(r, 5))
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    if (path === '/api/auth/login') {
      const body = await request.json()
      if (body.password !== 'right' || body.session !== 'cookie') return json(401, { message: 'invalid credentials' })
      this.revoked = false
      this.cookie = `r${this.n}`
      this.family = new Set([this.cookie])
      return json(200, this.tokens())
    }
    if (path === '/api/auth/refresh') {
      if (!cookieSent || this.revoked || !this.family.has(cookieSent)) return json(401, { message: 'no session' })
      if (cookieSent !== this.cookie) {
        this.revoked = true // reuse of a rotated token
        return json(401, { message: 'refresh token reused' })
      }
      this.cookie = `r${this.n + 1}`
      this.family.add(this.cookie)
      return json(200, this.tokens())
    }
    if (path === '/api/auth/logout') {
      this.cookie = null
      this.revoked = true
      return json(200, { message: 'logged out' })
    }
    const auth = request.headers.get('authorization')?.replace('Bearer ', '')
    if (!auth || !this.validTokens.has(auth)) return json(401, { message: 'expired' })
    return json(200, { ok: true, token: auth })
  }
}

/** navigator.locks for tabs of one browser: callbacks of one name run one at a time. */
function fakeLocks(): LockManagerLike {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(callback, callback)
      tail = run.catch(() => undefined)
      return run
    },
  }
}

/** BroadcastChannel between tabs: a message reaches every other tab, asynchronously. */
function fakeChannelHub() {
  const members: ((m: unknown) => void)[] = []
  return (): ChannelLike => {
    let listener: ((e: { data: never }) => void) | null = null
    const deliver = (m: unknown) => listener?.({ data: m as never })
    members.push(deliver)
    return {
      postMessage: (m) => members.filter((d) => d !== deliver).forEach((d) => queueMicrotask(() => d(m))),
      addEventListener: (_t, l) => {
        listener = l as never
      },
    }
  }
}

function browser({ withLock = true } = {}) {
  const api = new FakeApi()
  const locks = fakeLocks()
  const channel = fakeChannelHub()
  let clock = 1_000_000
  const timers: { fn: () => void; at: number }[] = []
  const tab = () =>
    new Session({
      fetch: api.fetch,
      locks: withLock ? locks : undefined,
      channel: channel(),
      now: () => clock,
      setTimer: (fn, ms) => {
        const t = { fn, at: clock + ms }
        timers.push(t)
        return t
      },
      clearTimer: (t) => {
        const i = timers.indexOf(t as never)
        if (i >= 0) timers.splice(i, 1)
      },
    })
  const advance = async (ms: number) => {
    clock += ms
    for (const t of timers.filter((t) => t.at <= clock)) {
      timers.splice(timers.indexOf(t), 1)
      t.fn()
    }
    await new Promise((r) => setTimeout(r, 30))
  }
  return { api, tab, advance, timers }
}

describe('login and restore', () => {
  it('logs in with a cookie session and keeps the token in memory', async () => {
    const { api, tab } = browser()
    const s = tab()
    const user = await s.login('a@b.c', 'right')
    expect(user.client_id).toBe('c1')
    expect(s.getSnapshot().status).toBe('signed_in')
    const res = await s.fetch('http://app/api/clients')
    expect(await res.json()).toMatchObject({ ok: true })
    expect(api.cookie).not.toBeNull()
  })

  it('a wrong password is a clear error and no session', async () => {
    const { tab } = browser()
    const s = tab()
    await expect(s.login('a@b.c', 'wrong')).rejects.toThrow(/do not match/)
    expect(s.getSnapshot().status).toBe('unknown')
  })

  it('a reload restores the session from the cookie; without a cookie it is signed out', async () => {
    const { api, tab } = browser()
    await tab().login('a@b.c', 'right')
    const reloaded = tab()
    expect((await reloaded.restore()).status).toBe('signed_in')
    api.cookie = null
    const fresh = tab()
    expect((await fresh.restore()).status).toBe('signed_out')
  })
})

describe('refresh', () => {
  it('two tabs refreshing at once call the API once and both stay signed in', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    const b = tab()
    await b.restore()
    api.calls = []
    const [ra, rb] = await Promise.all([a.refresh(), b.refresh()])
    expect([ra, rb]).toEqual([true, true])
    expect(api.calls.filter((c) => c === '/api/auth/refresh')).toHaveLength(1)
    expect(a.getSnapshot().status).toBe('signed_in')
    expect(b.getSnapshot().status).toBe('signed_in')
    expect(api.revoked).toBe(false)
    // both can still call the API, and a later refresh still works
    expect((await b.fetch('http://app/api/x')).status).toBe(200)
    expect(await a.refresh()).toBe(true)
  })

  it('without the lock the same race spends the rotated cookie twice and ends the session (why the lock exists)', async () => {
    const { api, tab } = browser({ withLock: false })
    const a = tab()
    await a.login('a@b.c', 'right')
    const b = tab()
    await b.restore()
    await Promise.all([a.refresh(), b.refresh()])
    expect(api.revoked).toBe(true)
  })

  it('one tab refreshes concurrent callers once', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    api.calls = []
    await Promise.all([a.refresh(), a.refresh(), a.refresh()])
    expect(api.calls.filter((c) => c === '/api/auth/refresh')).toHaveLength(1)
  })

  it('refreshes silently before the access token expires', async () => {
    const { api, tab, advance } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    api.calls = []
    await advance(900_000 - REFRESH_MARGIN_MS - 1_000)
    expect(api.calls).toEqual([])
    await advance(2_000)
    expect(api.calls).toEqual(['/api/auth/refresh'])
    expect(a.getSnapshot().status).toBe('signed_in')
  })

  it('on a 401 refreshes once and retries the request once', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    api.validTokens.clear() // the server no longer accepts the current access token
    api.calls = []
    const res = await a.fetch('http://app/api/clients')
    expect(res.status).toBe(200)
    expect(api.calls).toEqual(['/api/clients', '/api/auth/refresh', '/api/clients'])
  })

  it('a 401 that survives the refresh is returned, not retried forever', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    api.validTokens = new Set<string>()
    const original = api.fetch
    api.fetch = async (input, init) => {
      const res = await original(input, init)
      api.validTokens.clear()
      return res
    }
    const s = new Session({ fetch: api.fetch })
    await s.login('a@b.c', 'right')
    api.calls = []
    const res = await s.fetch('http://app/api/clients')
    expect(res.status).toBe(401)
    expect(api.calls).toEqual(['/api/clients', '/api/auth/refresh', '/api/clients'])
  })

  it('an expired refresh cookie signs every tab out', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    const b = tab()
    await b.restore()
    api.cookie = null
    api.validTokens.clear()
    const res = await a.fetch('http://app/api/clients')
    expect(res.status).toBe(401)
    await new Promise((r) => setTimeout(r, 10))
    expect(a.getSnapshot().status).toBe('signed_out')
    expect(b.getSnapshot().status).toBe('signed_out')
  })
})

describe('logout', () => {
  it('clears the cookie and signs out every tab', async () => {
    const { api, tab } = browser()
    const a = tab()
    await a.login('a@b.c', 'right')
    const b = tab()
    await b.restore()
    await a.logout()
    await new Promise((r) => setTimeout(r, 10))
    expect(api.cookie).toBeNull()
    expect(a.getSnapshot().status).toBe('signed_out')
    expect(b.getSnapshot().status).toBe('signed_out')
    expect((await tab().restore()).status).toBe('signed_out')
  })
})
