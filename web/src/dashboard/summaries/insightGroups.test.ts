import { describe, expect, it } from 'vitest'
import type { Insight } from '../../api/types'
import { insightGroups } from './insightGroups'

const insight = (kind: string, message: string, severity = 'medium'): Insight => ({ kind, message, severity })

describe('insightGroups', () => {
  it('puts each kind under its heading, in reading order, keeping the stored order inside a group', () => {
    const stored = [
      insight('trend', 'CTR declined', 'medium'),
      insight('anomaly', 'Impressions fell on Monday', 'high'),
      insight('bottom_performer', 'Campaign B was the weakest'),
      insight('trend', 'ROAS declined'),
      insight('top_performer', 'Campaign A was the top performer', 'low'),
      insight('change', 'CTR fell week over week'),
    ]
    expect(insightGroups(stored).map((g) => [g.title, g.items.map((i) => i.message)])).toEqual([
      ['Unusual days', ['Impressions fell on Monday']],
      ['Trends', ['CTR declined', 'ROAS declined']],
      ['Week over week', ['CTR fell week over week']],
      ['Stand-outs', ['Campaign B was the weakest', 'Campaign A was the top performer']],
    ])
  })

  it('leaves out empty groups and keeps a kind it does not know under Other', () => {
    const groups = insightGroups([insight('forecast', 'Spend will pass the budget'), insight('change', 'CVR rose')])
    expect(groups.map((g) => g.title)).toEqual(['Week over week', 'Other'])
    expect(groups[1]!.items[0]!.message).toBe('Spend will pass the budget')
  })

  it('has no group at all without insights', () => {
    expect(insightGroups([])).toEqual([])
  })
})
