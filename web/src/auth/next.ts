/**
 * Where to go after login: the `next` parameter, only when it is a path of this app.
 *
 * Checked by resolving it the way the browser will (the URL parser turns `/\evil.com` and
 * `/<tab>/evil.com` into `//evil.com`), so a prefix test cannot be fooled: anything that
 * lands on another origin, or is not a path at all, goes to the home page.
 */
export function safeNext(next: string | null, origin: string = window.location.origin): string {
  if (!next || !next.startsWith('/')) return '/'
  let target: URL
  try {
    target = new URL(next, origin)
  } catch {
    return '/'
  }
  return target.origin === origin ? `${target.pathname}${target.search}${target.hash}` : '/'
}
