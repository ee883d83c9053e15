/** The filter state every admin list keeps in the URL (shareable, survives reload), and the
 * client picker those lists share. Changing any filter but the page goes back to page one. */
import { useSearchParams } from 'react-router'
import { inputClass } from '../app/ui'
import { useAdminClients } from './api'
import { Field } from './ui'

export type FilterChanges = Record<string, string | null | undefined>

export function useUrlFilters() {
  const [params, setParams] = useSearchParams()
  const set = (changes: FilterChanges) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined || v === '') next.delete(k)
      else next.set(k, v)
    }
    if (!('offset' in changes)) next.delete('offset')
    setParams(next, { replace: true })
  }
  const text = (key: string) => params.get(key) ?? undefined
  const offset = Number(params.get('offset') ?? 0) || 0
  const clear = () => setParams({}, { replace: true })
  return { params, text, offset, set, clear }
}

export function ClientFilter({ value, onChange }: { value: string | undefined; onChange: (clientId: string) => void }) {
  const clients = useAdminClients()
  return (
    <Field label="Client">
      {(id) => (
        <select id={id} className={inputClass} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
          <option value="">Any</option>
          {clients.data?.items.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      )}
    </Field>
  )
}
