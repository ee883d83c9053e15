/** (Re)generate the weekly or monthly summaries of a period, for one client or all. */
import { useState } from 'react'
import { Card, inputClass, primaryButtonClass } from '../app/ui'
import { formatCount } from '../format'
import { adminApi, useAdminClients, useAdminMutation } from './api'
import { AdminPage, errorMessage, Field, Notice } from './ui'

/** The Monday on or before a day, or the 1st of its month (what the API accepts). */
export function periodStart(kind: 'weekly' | 'monthly', day: string): string {
  if (!day) return day
  if (kind === 'monthly') return `${day.slice(0, 8)}01`
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  return d.toISOString().slice(0, 10)
}

export function SummariesBackfillPage() {
  const clients = useAdminClients()
  const [kind, setKind] = useState<'weekly' | 'monthly'>('weekly')
  const [day, setDay] = useState('')
  const [clientId, setClientId] = useState('')
  const start = periodStart(kind, day)
  const run = useAdminMutation(() => adminApi.backfill({ kind, period_start: start, client_id: clientId || null }))
  return (
    <AdminPage title="Summaries backfill" description="Build (or rebuild) the summaries of a past period. Re-running a period replaces its summary.">
      <Card>
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault()
            run.mutate(undefined)
          }}
        >
          <Field label="Kind">
            {(id) => (
              <select id={id} className={inputClass} value={kind} onChange={(e) => setKind(e.target.value as 'weekly' | 'monthly')}>
                <option value="weekly">Weekly (Monday–Sunday)</option>
                <option value="monthly">Monthly</option>
              </select>
            )}
          </Field>
          <Field label="A day in the period" hint={start ? `Period starts ${start}` : undefined}>
            {(id) => <input id={id} type="date" required className={inputClass} value={day} onChange={(e) => setDay(e.target.value)} />}
          </Field>
          <Field label="Client">
            {(id) => (
              <select id={id} className={inputClass} value={clientId} onChange={(e) => setClientId(e.target.value)}>
                <option value="">Every active client</option>
                {clients.data?.items.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            )}
          </Field>
          <button type="submit" className={primaryButtonClass} disabled={run.isPending || !day}>{run.isPending ? 'Building…' : 'Build summaries'}</button>
        </form>
      </Card>
      {run.isError && <Notice tone="bad">{errorMessage(run.error)}</Notice>}
      {run.data && <Notice tone="good"><span data-testid="backfill-result">Built {formatCount(run.data.total)} summar{run.data.total === 1 ? 'y' : 'ies'} for the period starting {start}.</span></Notice>}
    </AdminPage>
  )
}
