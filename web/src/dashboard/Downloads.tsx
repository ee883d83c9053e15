import { useId, useState } from 'react'
import { downloadCsv, downloadPdf, type ExportLevel } from '../api/download'
import { buttonClass, inputClass } from '../app/ui'
import type { DateRange } from './state'

const LEVELS: { id: ExportLevel; label: string }[] = [
  { id: 'campaign', label: 'Campaigns' },
  { id: 'strategy', label: 'Strategies' },
  { id: 'placement', label: 'Placements' },
  { id: 'creative', label: 'Creatives' },
  { id: 'daily', label: 'Daily totals' },
]

export function Downloads({ clientId, slug, range }: { clientId: string; slug: string; range: DateRange }) {
  const id = useId()
  const [level, setLevel] = useState<ExportLevel>('campaign')
  const [busy, setBusy] = useState<'csv' | 'pdf' | null>(null)
  const [error, setError] = useState<string | null>(null)
  const run = async (kind: 'csv' | 'pdf') => {
    setBusy(kind)
    setError(null)
    try {
      await (kind === 'csv' ? downloadCsv(clientId, slug, range, level) : downloadPdf(clientId, slug, range))
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The download failed. Try again.')
    } finally {
      setBusy(null)
    }
  }
  return (
    <div className="flex flex-col items-start gap-1 sm:items-end">
      <div className="flex flex-wrap items-end gap-2" role="group" aria-label="Downloads">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-level`} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
            Export level
          </label>
          <select id={`${id}-level`} className={inputClass} value={level} onChange={(e) => setLevel(e.target.value as ExportLevel)}>
            {LEVELS.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className={buttonClass} onClick={() => void run('csv')} disabled={busy !== null}>
          {busy === 'csv' ? 'Preparing…' : 'Download CSV'}
        </button>
        <button type="button" className={buttonClass} onClick={() => void run('pdf')} disabled={busy !== null}>
          {busy === 'pdf' ? 'Preparing…' : 'PDF report'}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {error}
        </p>
      )}
    </div>
  )
}
