import { describe, expect, it } from 'vitest'
import { shortFileName } from './fileName'

describe('shortFileName', () => {
  it('is the last part of the key', () => {
    expect(shortFileName('landing/partner/daily/2026/12/02/acme-outdoor_20261202_broken.csv')).toBe('acme-outdoor_20261202_broken.csv')
    expect(shortFileName('acme.csv')).toBe('acme.csv')
  })
  it('drops the token of a browser upload, under a client or not', () => {
    expect(shortFileName('landing/uploads/2026-12-03/f2661e88df8848eea75bb70daa883272-zephyr-broken.csv')).toBe('zephyr-broken.csv')
    expect(shortFileName('landing/clients/acme/uploads/2026-12-03/0123456789abcdef0123456789abcdef-a-b.csv')).toBe('a-b.csv')
  })
  it('keeps a partner name that only looks like a token outside uploads/', () => {
    expect(shortFileName('landing/partner/0123456789abcdef0123456789abcdef-x.csv')).toBe('0123456789abcdef0123456789abcdef-x.csv')
  })
  it('keeps a key that ends in a slash whole', () => {
    expect(shortFileName('landing/odd/')).toBe('landing/odd/')
  })
})
