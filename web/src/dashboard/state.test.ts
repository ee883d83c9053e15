import { describe, expect, it } from 'vitest'
import {
  compareParams,
  daysInRange,
  drillHref,
  isIsoDate,
  levelOf,
  parentFilters,
  parseView,
  presetOf,
  presetRange,
  sameRangeLastYear,
  serializeView,
} from './state'

const anchor = '2026-11-30'

describe('date presets', () => {
  it('end at the anchor day', () => {
    expect(presetRange('last_7', anchor)).toEqual({ from: '2026-11-24', to: '2026-11-30' })
    expect(presetRange('last_30', anchor)).toEqual({ from: '2026-11-01', to: '2026-11-30' })
    expect(presetRange('last_90', anchor)).toEqual({ from: '2026-09-02', to: '2026-11-30' })
    expect(presetRange('month_to_date', '2026-11-17')).toEqual({ from: '2026-11-01', to: '2026-11-17' })
  })
  it('last month is the whole previous calendar month, across a year end', () => {
    expect(presetRange('last_month', anchor)).toEqual({ from: '2026-10-01', to: '2026-10-31' })
    expect(presetRange('last_month', '2026-01-05')).toEqual({ from: '2025-12-01', to: '2025-12-31' })
    expect(presetRange('last_month', '2024-03-31')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
  })
  it('are recognised back from a range, else custom', () => {
    expect(presetOf({ from: '2026-11-24', to: '2026-11-30' }, anchor)).toBe('last_7')
    expect(presetOf({ from: '2026-11-02', to: '2026-11-30' }, anchor)).toBe('custom')
  })
  it('count days inclusively', () => {
    expect(daysInRange({ from: '2026-11-01', to: '2026-11-30' })).toBe(30)
    expect(daysInRange({ from: '2026-03-01', to: '2026-03-31' })).toBe(31)
  })
})

describe('comparison', () => {
  it('previous period sends nothing (the API default); none and last year send documented params', () => {
    const r = { from: '2026-11-01', to: '2026-11-30' }
    expect(compareParams('previous', r)).toEqual({})
    expect(compareParams('none', r)).toEqual({ compare: 'none' })
    expect(compareParams('last_year', r)).toEqual({ compare_from: '2025-11-01', compare_to: '2025-11-30' })
  })
  it('last year maps Feb 29 to Feb 28', () => {
    expect(sameRangeLastYear({ from: '2024-02-01', to: '2024-02-29' })).toEqual({ from: '2023-02-01', to: '2023-02-28' })
  })
})

describe('URL ↔ state', () => {
  it('round-trips a full state', () => {
    const view = { from: '2026-10-01', to: '2026-10-31', compare: 'last_year', sort: 'cpa', order: 'asc', page: 3, metric: 'roas', granularity: 'week' } as const
    const back = parseView(serializeView(view), anchor)
    expect(back).toEqual(view)
  })
  it('leaves defaults out of the URL', () => {
    const view = parseView(new URLSearchParams('from=2026-11-01&to=2026-11-30'), anchor)
    expect(serializeView(view).toString()).toBe('from=2026-11-01&to=2026-11-30&compare=previous')
  })
  it('falls back to the last 30 days for a missing, malformed, impossible or reversed range', () => {
    for (const q of ['', 'from=2026-11-01', 'from=2026-13-01&to=2026-13-05', 'from=2026-02-30&to=2026-03-01', 'from=2026-11-30&to=2026-11-01', 'from=%00&to=x']) {
      const v = parseView(new URLSearchParams(q), anchor)
      expect([v.from, v.to]).toEqual(['2026-11-01', '2026-11-30'])
    }
  })
  it('ignores unknown comparison, sort, order, page and metric values', () => {
    const v = parseView(new URLSearchParams('compare=bogus&sort=DROP&order=sideways&page=-2&metric=profit&granularity=hour'), anchor)
    expect(v).toMatchObject({ compare: 'previous', sort: 'spend', order: 'desc', page: 1, metric: 'spend', granularity: 'day' })
    expect(parseView(new URLSearchParams('page=1.5'), anchor).page).toBe(1)
    expect(parseView(new URLSearchParams('sort=name'), anchor).order).toBe('asc')
  })
  it('validates ISO dates strictly', () => {
    expect(isIsoDate('2026-11-30')).toBe(true)
    expect(isIsoDate('2026-11-31')).toBe(false)
    expect(isIsoDate('26-11-30')).toBe(false)
    expect(isIsoDate('２０２６-11-30')).toBe(false)
  })
})

describe('drill path', () => {
  it('lists the next level down', () => {
    expect(levelOf({})).toBe('campaign')
    expect(levelOf({ campaignId: 'c' })).toBe('strategy')
    expect(levelOf({ campaignId: 'c', strategyId: 's' })).toBe('placement')
    expect(levelOf({ campaignId: 'c', strategyId: 's', placementId: 'p' })).toBe('creative')
  })
  it('builds the URL one level down, keeping the period', () => {
    const q = 'from=2026-11-01&to=2026-11-30&compare=previous'
    expect(drillHref('k', {}, 'c1', q)).toBe(`/clients/k/campaigns/c1?${q}`)
    expect(drillHref('k', { campaignId: 'c1' }, 's1', q)).toBe(`/clients/k/campaigns/c1/strategies/s1?${q}`)
    expect(drillHref('k', { campaignId: 'c1', strategyId: 's1' }, 'p1', '')).toBe('/clients/k/campaigns/c1/strategies/s1/placements/p1')
    expect(drillHref('k', { campaignId: 'c1', strategyId: 's1', placementId: 'p1' }, 'x', q)).toBeNull()
    expect(drillHref('a/b', {}, 'c?1', '')).toBe('/clients/a%2Fb/campaigns/c%3F1')
  })
  it('sends the parent filters of the path', () => {
    expect(parentFilters({ campaignId: 'c', strategyId: 's' })).toEqual({ campaign_id: 'c', strategy_id: 's' })
    expect(parentFilters({})).toEqual({})
  })
})
