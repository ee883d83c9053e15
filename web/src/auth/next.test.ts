import { describe, expect, it } from 'vitest'
import { safeNext } from './next'

const ORIGIN = 'https://dash.example.com'

describe('the page after login', () => {
  it('follows a path of the app, with its query and hash', () => {
    expect(safeNext('/clients/abc?from=2026-11-01&to=2026-11-30&compare=previous', ORIGIN)).toBe(
      '/clients/abc?from=2026-11-01&to=2026-11-30&compare=previous',
    )
    expect(safeNext('/admin/runs#failed', ORIGIN)).toBe('/admin/runs#failed')
  })

  it('never leaves the origin, however the path is spelled', () => {
    for (const hostile of [
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '\\\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      ' /clients',
    ]) {
      expect(safeNext(hostile, ORIGIN), hostile).toBe('/')
    }
  })

  it('goes home without a next', () => {
    expect(safeNext(null, ORIGIN)).toBe('/')
    expect(safeNext('', ORIGIN)).toBe('/')
  })
})
