import { describe, expect, it } from 'vitest'
import {
  changeTone,
  formatChange,
  formatCompact,
  formatCount,
  formatCountOf,
  formatDate,
  formatMetric,
  formatMoney,
  formatMoneyDifference,
  formatPoints,
  formatRange,
  formatRate,
  formatYearMonth,
  formatRoas,
  formatUnitCost,
  isBelowOne,
} from '.'

describe('money', () => {
  it('shows the currency symbol and cents', () => {
    expect(formatMoney('12345.67')).toBe('$12,345.67')
    expect(formatMoney('0.5')).toBe('$0.50')
    expect(formatMoney('-3.1')).toBe('-$3.10')
    expect(formatMoney('1000', 'EUR')).toBe('€1,000.00')
    expect(formatMoney('1000', 'GBP')).toBe('£1,000.00')
  })
  it('rounds exact decimal strings half away from zero, without float error', () => {
    // 1.005 as a float is 1.00499999…; as a decimal string it rounds up.
    expect(formatMoney('1.005')).toBe('$1.01')
    expect(formatMoney('123456789012345.675')).toBe('$123,456,789,012,345.68')
  })
  it('shows a dash for a missing value (zero denominator / unpriced)', () => {
    expect(formatMoney(null)).toBe('—')
    expect(formatMoney(undefined)).toBe('—')
    expect(formatMoney('')).toBe('—')
  })
})

describe('unit costs', () => {
  it('use 4 decimals only below 1.00', () => {
    expect(formatUnitCost('0.8123')).toBe('$0.8123')
    expect(formatUnitCost('0.0042')).toBe('$0.0042')
    expect(formatUnitCost('1.2000')).toBe('$1.20')
    expect(formatUnitCost('27.2567')).toBe('$27.26')
    expect(formatUnitCost('-0.5')).toBe('-$0.5000')
    expect(formatUnitCost(null)).toBe('—')
  })
  it('compare with 1 as text', () => {
    expect(isBelowOne('0.9999')).toBe(true)
    expect(isBelowOne('00.1')).toBe(true)
    expect(isBelowOne('1.0000')).toBe(false)
    expect(isBelowOne('10')).toBe(false)
    expect(isBelowOne('-0.2')).toBe(true)
  })
})

describe('counts, rates and ratios', () => {
  it('counts have thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
    expect(formatCountOf(1, 'row')).toBe('1 row')
    expect(formatCountOf(0, 'row')).toBe('0 rows')
    expect(formatCountOf(2400, 'day')).toBe('2,400 days')
    expect(formatCount(null)).toBe('—')
  })
  it('rates are percentages with 2 decimals', () => {
    expect(formatRate('0.004253')).toBe('0.43%')
    expect(formatRate('0.043993')).toBe('4.40%')
    expect(formatRate('1')).toBe('100.00%')
    expect(formatRate(null)).toBe('—')
  })
  it('ROAS is a multiple', () => {
    expect(formatRoas('3.1888')).toBe('3.19×')
    expect(formatRoas(null)).toBe('—')
  })
  it('changes carry a sign; points are in points', () => {
    expect(formatChange('0.272841')).toBe('+27.3%')
    expect(formatChange('-0.135562')).toBe('-13.6%')
    expect(formatChange('0')).toBe('0.0%')
    expect(formatChange(null)).toBe('—')
    expect(formatPoints('-0.096570')).toBe('-0.10 pp')
    expect(formatPoints('0.021864')).toBe('+0.02 pp')
  })
  it('compact forms are for axes only', () => {
    expect(formatCompact(1234567, 'count')).toBe('1.2M')
    expect(formatCompact(45000, 'money')).toBe('$45K')
    expect(formatCompact(0.0042, 'rate')).toBe('0.42%')
  })
  it('formatMetric picks the right form per metric', () => {
    expect(formatMetric('impressions', 31412765)).toBe('31,412,765')
    expect(formatMetric('spend', '160205.10')).toBe('$160,205.10')
    expect(formatMetric('cpc', '0.8100')).toBe('$0.8100')
    expect(formatMetric('cpa', '27.2600')).toBe('$27.26')
    expect(formatMetric('ctr', '0.004253')).toBe('0.43%')
    expect(formatMetric('roas', '3.188800')).toBe('3.19×')
    expect(formatMetric('revenue', '510868.45', 'EUR')).toBe('€510,868.45')
  })
})

describe('change tone', () => {
  it('CPA and CPC up is bad, down is good', () => {
    expect(changeTone('cpa', '0.465132')).toBe('bad')
    expect(changeTone('cpc', '-0.1')).toBe('good')
  })
  it('conversions, revenue, CTR and ROAS up is good', () => {
    expect(changeTone('conversions', '0.2')).toBe('good')
    expect(changeTone('roas', '-0.313339')).toBe('bad')
    expect(changeTone('ctr', '+0.01')).toBe('good')
  })
  it('spend is neutral; zero and missing changes are neutral', () => {
    expect(changeTone('spend', '0.27')).toBe('neutral')
    expect(changeTone('clicks', '0.000000')).toBe('neutral')
    // A change the card shows as 0.0% is not coloured, whichever way it leans.
    expect(changeTone('ctr', '-0.000300')).toBe('neutral')
    expect(changeTone('cpa', '0.000499')).toBe('neutral')
    expect(changeTone('cpa', '0.000500')).toBe('bad')
    expect(formatChange('-0.000300')).toBe('0.0%')
    expect(changeTone('clicks', null)).toBe('neutral')
  })
})

describe('dates', () => {
  it('reads ISO dates as calendar days, whatever the timezone', () => {
    expect(formatDate('2026-11-30')).toBe('Nov 30, 2026')
    expect(formatRange('2026-11-01', '2026-11-30')).toBe('Nov 1 – Nov 30, 2026')
    expect(formatRange('2025-12-01', '2026-01-31')).toBe('Dec 1, 2025 – Jan 31, 2026')
    expect(formatDate(null)).toBe('—')
  })
})

describe('money differences and months', () => {
  it('subtracts cent strings exactly, signed', () => {
    expect(formatMoneyDifference('150.00', '180.00')).toBe('+$30.00')
    expect(formatMoneyDifference('0.30', '0.10')).toBe('-$0.20')
    expect(formatMoneyDifference('9007199254740993.01', '9007199254740993.02')).toBe('+$0.01')
    expect(formatMoneyDifference('12.50', '12.50')).toBe('$0.00')
    expect(formatMoneyDifference(null, '12.5')).toBe('+$12.50')
    expect(formatMoneyDifference('1.00', null)).toBe('—')
    expect(formatMoneyDifference('abc', '1.00')).toBe('—')
    expect(formatMoneyDifference('1.00', '1.005')).toBe('—')
  })
  it('names an API month', () => {
    expect(formatYearMonth('2026-02')).toBe('February 2026')
    expect(formatYearMonth('2026-12-01')).toBe('December 2026')
  })
})
