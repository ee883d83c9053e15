/**
 * The two effective-dated CPM lists — the client's rate card (sell CPM) and the agency's buy
 * cost (partner CPM) — share one shape: a form that proposes a CPM from a date (previewed
 * first, applied on confirm) and a timeline of the CPMs with the days each applies to.
 */
import type { ReactNode } from 'react'
import { buttonClass, inputClass } from '../app/ui'
import { formatDate, formatUnitCost } from '../format'
import { Field } from './ui'

export interface CpmEntry {
  id: string
  cpm: string
  effective_date: string
  effective_until?: string | null
}

export function CpmForm({
  cpm,
  date,
  onCpm,
  onDate,
  onPreview,
  busy,
  previewing,
  cpmLabel = 'CPM',
}: {
  cpm: string
  date: string
  onCpm: (value: string) => void
  onDate: (value: string) => void
  onPreview: () => void
  busy: boolean
  previewing: boolean
  cpmLabel?: string
}) {
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault()
        onPreview()
      }}
    >
      <Field label={cpmLabel}>{(id) => <input id={id} required inputMode="decimal" pattern="\d{1,6}(\.\d{1,4})?" className={inputClass} value={cpm} onChange={(e) => onCpm(e.target.value)} />}</Field>
      <Field label="Effective from">{(id) => <input id={id} required type="date" className={inputClass} value={date} onChange={(e) => onDate(e.target.value)} />}</Field>
      <button type="submit" className={buttonClass} disabled={busy || !cpm.trim()}>{previewing ? 'Previewing…' : 'Preview'}</button>
    </form>
  )
}

export function CpmTimeline({
  items,
  currency,
  unitLabel,
  changeLabel,
  onChange,
  testId,
  empty,
}: {
  items: CpmEntry[]
  currency: string
  unitLabel: string
  changeLabel: string
  onChange: (entry: CpmEntry) => void
  testId: string
  empty: ReactNode
}) {
  if (items.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">{empty}</p>
  return (
    <ol className="relative space-y-4 border-l-2 border-indigo-200 pl-5 dark:border-indigo-900" data-testid={testId}>
      {items.map((r) => (
        <li key={r.id} className="relative">
          <span aria-hidden="true" className="absolute top-1.5 -left-[27px] size-3 rounded-full bg-indigo-600" />
          <p className="font-medium tabular-nums">{formatUnitCost(r.cpm, currency)} {unitLabel}</p>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {formatDate(r.effective_date)} – {r.effective_until ? formatDate(r.effective_until) : 'open-ended'}
          </p>
          <button type="button" className="mt-1 text-xs text-indigo-700 underline dark:text-indigo-300" onClick={() => onChange(r)}>
            {changeLabel}
          </button>
        </li>
      ))}
    </ol>
  )
}
