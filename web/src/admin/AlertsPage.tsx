/** The alert log: every alert the system sent or failed to send, with the run it concerns. */
import { Link } from 'react-router'
import { Card, ErrorState, inputClass, Loading } from '../app/ui'
import { type AlertFilters, PAGE, useAlerts } from './api'
import { AdminPage, Badge, Field, formatDateTime, Pager, TableFrame, td, th } from './ui'
import { ClientFilter, useUrlFilters } from './filters'

const KINDS = ['ingestion_failed', 'ingestion_partial', 'missing_cpm', 'missing_file', 's3_access_denied', 'database_failure', 'ingestion_interrupted']

export function AlertsPage() {
  const { params, text, offset, set } = useUrlFilters()
  const filters: AlertFilters = {
    kind: text('kind'),
    status: (params.get('status') as AlertFilters['status'] | null) ?? undefined,
    client_id: text('client_id'),
    run_id: text('run_id'),
    from: text('from'),
    to: text('to'),
    offset,
  }
  const alerts = useAlerts(filters)
  return (
    <AdminPage title="Alert log" description="Every alert email, sent or not, newest first.">
      <Card>
        <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <Field label="Kind">
            {(id) => (
              <select id={id} className={inputClass} value={filters.kind ?? ''} onChange={(e) => set({ kind: e.target.value })}>
                <option value="">Any</option>
                {KINDS.map((k) => <option key={k} value={k}>{k.replace(/_/g, ' ')}</option>)}
              </select>
            )}
          </Field>
          <Field label="Status">
            {(id) => (
              <select id={id} className={inputClass} value={filters.status ?? ''} onChange={(e) => set({ status: e.target.value })}>
                <option value="">Any</option>
                <option value="sent">sent</option>
                <option value="failed">failed</option>
              </select>
            )}
          </Field>
          <ClientFilter value={filters.client_id} onChange={(client_id) => set({ client_id })} />
          <Field label="From">{(id) => <input id={id} type="date" className={inputClass} value={filters.from ?? ''} onChange={(e) => set({ from: e.target.value })} />}</Field>
          <Field label="To">{(id) => <input id={id} type="date" className={inputClass} value={filters.to ?? ''} onChange={(e) => set({ to: e.target.value })} />}</Field>
        </form>
      </Card>
      {alerts.isPending && <Loading label="Loading alerts…" />}
      {alerts.isError && <ErrorState error={alerts.error} onRetry={() => void alerts.refetch()} what="the alert log" />}
      {alerts.data && (
        <Card>
          {alerts.data.items.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No alerts match these filters.</p>
          ) : (
            <TableFrame label="Alerts">
              <thead>
                <tr>
                  <th className={th}>Time</th>
                  <th className={th}>Kind</th>
                  <th className={th}>Subject</th>
                  <th className={th}>Status</th>
                  <th className={th}>Recipients</th>
                  <th className={th}>Run</th>
                </tr>
              </thead>
              <tbody data-testid="alerts">
                {alerts.data.items.map((a) => (
                  <tr key={a.id}>
                    <td className={`${td} whitespace-nowrap`}>{formatDateTime(a.created_at)}</td>
                    <td className={td}>{a.kind.replace(/_/g, ' ')}</td>
                    <td className={`${td} max-w-md break-words`}>{a.subject}</td>
                    <td className={td}>
                      <Badge tone={a.status === 'sent' ? 'good' : 'bad'}>{a.status}</Badge>
                      {a.error && <div className="text-xs text-zinc-500 dark:text-zinc-400">{a.error}</div>}
                    </td>
                    <td className={`${td} text-right tabular-nums`}>{a.recipients_count}</td>
                    <td className={td}>{a.run_id ? <Link to={`/admin/ingestions/${a.run_id}`} className="underline">Open run</Link> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </TableFrame>
          )}
          <div className="mt-3"><Pager offset={filters.offset} total={alerts.data.total} page={PAGE} onChange={(offset) => set({ offset: String(offset) })} /></div>
        </Card>
      )}
    </AdminPage>
  )
}
