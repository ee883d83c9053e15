import { useEffect, useId, useState } from 'react'
import { inputClass, primaryButtonClass } from '../app/ui'
import { COMPARES, type Compare, isIsoDate, type Preset, PRESETS, presetOf, presetRange, type ViewState } from './state'

/** Date range (presets or custom) and comparison pickers, writing to the URL. */
export function Filters({ view, anchor, onChange }: { view: ViewState; anchor: string; onChange: (p: Partial<ViewState>) => void }) {
  const id = useId()
  const preset = presetOf(view, anchor)
  const [custom, setCustom] = useState(preset === 'custom')
  const [from, setFrom] = useState(view.from)
  const [to, setTo] = useState(view.to)
  useEffect(() => {
    setFrom(view.from)
    setTo(view.to)
  }, [view.from, view.to])
  const showCustom = custom || preset === 'custom'
  const invalid = !isIsoDate(from) || !isIsoDate(to) || from > to

  return (
    <div className="grid w-full grid-cols-2 items-end gap-3 sm:flex sm:w-auto sm:flex-wrap" role="group" aria-label="Period">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-range`} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
          Date range
        </label>
        <select
          id={`${id}-range`}
          className={`${inputClass} w-full sm:w-auto`}
          value={showCustom ? 'custom' : preset}
          onChange={(e) => {
            const value = e.target.value as Preset
            if (value === 'custom') {
              setCustom(true)
              return
            }
            setCustom(false)
            onChange({ ...presetRange(value, anchor), page: 1 })
          }}
        >
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom range…</option>
        </select>
      </div>
      {showCustom && (
        <form
          className="col-span-2 flex flex-wrap items-end gap-2 sm:col-span-1"
          onSubmit={(e) => {
            e.preventDefault()
            if (!invalid) onChange({ from, to, page: 1 })
          }}
        >
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-from`} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
              From
            </label>
            <input id={`${id}-from`} type="date" className={inputClass} value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-to`} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
              To
            </label>
            <input id={`${id}-to`} type="date" className={inputClass} value={to} min={from} onChange={(e) => setTo(e.target.value)} />
          </div>
          <button type="submit" className={primaryButtonClass} disabled={invalid}>
            Apply
          </button>
        </form>
      )}
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-compare`} className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
          Compare to
        </label>
        <select id={`${id}-compare`} className={`${inputClass} w-full sm:w-auto`} value={view.compare} onChange={(e) => onChange({ compare: e.target.value as Compare })}>
          {COMPARES.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  )
}
