import type { Insight } from '../../api/types'

/** A summary's insights under one heading per kind, in the order a reader asks: what was unusual,
 * what is trending, what changed on the week, who stood out. Within a group, the stored order
 * (most severe first) is kept. */
const INSIGHT_GROUPS: { title: string; kinds: string[] }[] = [
  { title: 'Unusual days', kinds: ['anomaly'] },
  { title: 'Trends', kinds: ['trend'] },
  { title: 'Week over week', kinds: ['change'] },
  { title: 'Stand-outs', kinds: ['top_performer', 'bottom_performer'] },
]

export function insightGroups(insights: Insight[]): { title: string; items: Insight[] }[] {
  const known = new Set(INSIGHT_GROUPS.flatMap((g) => g.kinds))
  return [
    ...INSIGHT_GROUPS.map((g) => ({ title: g.title, items: insights.filter((i) => g.kinds.includes(i.kind)) })),
    { title: 'Other', items: insights.filter((i) => !known.has(i.kind)) },
  ].filter((g) => g.items.length > 0)
}
