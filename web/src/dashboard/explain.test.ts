import { describe, expect, it } from 'vitest'
import { driverBars, pacingGeometry, pacingTone, type RoasExplained } from './explain'

const driver = (metric: 'ctr' | 'cvr' | 'aov' | 'cpm', change: string, contribution: string, effect: string) => ({
  metric,
  previous: '1.000000',
  value: '1.000000',
  change,
  log_change: metric === 'cpm' ? String(-Number(contribution)) : contribution,
  contribution,
  contribution_change: effect,
})

// The spec's example: CVR -24% (ln 0.76), AOV -9% (ln 0.91), CTR and CPM flat.
const EXAMPLE: RoasExplained = {
  available: true,
  reason: null,
  log_change: '-0.368748',
  change: '-0.308400',
  drivers: [
    driver('ctr', '0.000000', '0.000000', '0.000000'),
    driver('cvr', '-0.240000', '-0.274437', '-0.240000'),
    driver('aov', '-0.090000', '-0.094311', '-0.090000'),
    driver('cpm', '0.000000', '0.000000', '0.000000'),
  ],
  largest: ['cvr', 'aov', 'cpm'],
  message: 'ROAS −31%: CVR −24%, AOV −9.0%, CPM unchanged',
}

describe('ROAS driver bars', () => {
  it('sizes each bar by its log contribution, the largest full width', () => {
    const bars = driverBars(EXAMPLE)
    expect(bars.map((b) => b.metric)).toEqual(['ctr', 'cvr', 'aov', 'cpm'])
    expect(bars.map((b) => b.width)).toEqual([0, 100, 34.4, 0])
    expect(bars.map((b) => b.tone)).toEqual(['neutral', 'bad', 'bad', 'neutral'])
  })

  it('a dearer CPM is a bad contribution though its own change is a rise', () => {
    const bars = driverBars({ ...EXAMPLE, drivers: [driver('cpm', '0.250000', '-0.223144', '-0.200000')] })
    expect(bars[0]).toMatchObject({ label: 'CPM', change: '0.250000', effect: '-0.200000', width: 100, tone: 'bad' })
  })

  it('nothing moved: no bar, no tone', () => {
    const flat = { ...EXAMPLE, drivers: EXAMPLE.drivers.map((d) => ({ ...d, contribution: '0.000000' })) }
    expect(driverBars(flat).every((b) => b.width === 0 && b.tone === 'neutral')).toBe(true)
  })
})

describe('pacing bar', () => {
  it('scales to the budget when the forecast is under it', () => {
    expect(pacingGeometry('250.00', '400.00', '500.00')).toEqual({ spent: 50, forecast: 30, budget: 100 })
  })

  it('scales to the forecast when it is over the budget', () => {
    expect(pacingGeometry('178.50', '548.25', '500.00')).toEqual({ spent: 32.6, forecast: 67.4, budget: 91.2 })
  })

  it('without a budget, or without data', () => {
    expect(pacingGeometry('100.00', '200.00', null)).toEqual({ spent: 50, forecast: 50, budget: null })
    expect(pacingGeometry('0.00', null, null)).toEqual({ spent: 0, forecast: 0, budget: null })
    expect(pacingGeometry('0.00', null, '500.00')).toEqual({ spent: 0, forecast: 0, budget: 100 })
  })

  it('over budget is bad; under or on budget good', () => {
    expect(pacingTone('over')).toBe('bad')
    expect(pacingTone('under')).toBe('good')
    expect(pacingTone('on_budget')).toBe('good')
    expect(pacingTone(null)).toBe('neutral')
  })
})
