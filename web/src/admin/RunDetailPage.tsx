/** One ingestion run: its message, checksum, counts, the rejected rows (paged) and retry. */
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Card, ErrorState, Loading, primaryButtonClass } from '../app/ui'
import { formatCount, formatDate } from '../format'
import { adminApi, PAGE, useAdminClients, useAdminMutation, useRejectedRows, useRun } from './api'
import { AdminPage, ConfirmDialog, errorMessage, formatDateTime, Notice, Pager, RunStatus, TableFrame, td, th } from './ui'

export function RunDetailPage() {
  const { runId = '' } = useParams()
  const run = useRun(runId)
  const clients = useAdminClients()
  const [offset, setOffset] = useState(0)
  const rejected = useRejectedRows(runId, offset)
  const [confirming, setConfirming] = useState(false)
  const navigate = useNavigate()
  const retry = useAdminMutation(() => adminApi.retryRun(runId))

  if (run.isPending) return <AdminPage title="Ingestion run"><Loading label="Loading the run…" /></AdminPage>
  if (run.isError) return <AdminPage title="Ingestion run"><ErrorState error={run.error} onRetry={() => void run.refetch()} what="this run" /></AdminPage>
  const r = run.data
  const names = r.client_ids.map((id) => clients.data?.items.find((c) => c.id === id)?.name ?? id)
  const facts: [string, React.ReactNode][] = [
    ['Status', <RunStatus key="s" status={r.status} />],
    ['File', <span key="f" className="break-all">{r.file_name}</span>],
    ['Checksum (SHA-256)', <code key="c" className="break-all text-xs">{r.checksum ?? '—'}</code>],
    ['Size', r.file_size === null ? '—' : `${formatCount(r.file_size)} bytes`],
    ['Rows loaded', formatCount(r.records_loaded)],
    ['Rows rejected', formatCount(r.records_failed)],
    ['Stale days (a newer upload holds them)', formatCount(r.stale_days)],
    ['Uploaded', r.uploaded_at ? formatDateTime(r.uploaded_at) : '—'],
    ['Days', r.date_from ? `${formatDate(r.date_from)} – ${formatDate(r.date_to)}` : '—'],
    ['Clients', names.join(', ') || '—'],
    ['Started', formatDateTime(r.started_at)],
    ['Finished', formatDateTime(r.finished_at)],
    ['Retry of', r.retry_of ? <Link key="r" to={`/admin/ingestions/${r.retry_of}`} className="underline">{r.retry_of}</Link> : '—'],
    ['Retried by', r.retried_by ? <Link key="b" to={`/admin/ingestions/${r.retried_by}`} className="underline">{r.retried_by}</Link> : '—'],
  ]
  // A retry that loaded (or found the data already there) settles this run: its steps are done.
  const settled = r.retried_by_status !== null && r.retried_by_status !== 'failed' && r.retried_by_status !== 'running'

  return (
    <AdminPage
      title="Ingestion run"
      description={<Link to="/admin/ingestions" className="underline">All runs</Link>}
      actions={
        r.status === 'failed' ? (
          <button type="button" className={primaryButtonClass} onClick={() => setConfirming(true)}>
            Retry this file
          </button>
        ) : undefined
      }
    >
      {retry.isError && <Notice tone="bad">{errorMessage(retry.error)}</Notice>}
      {retry.data && (
        <Notice tone={retry.data.run?.status === 'failed' ? 'bad' : 'good'}>
          <span data-testid="retry-result">
            {retry.data.run ? (
              <>
                The retry ran: <strong>{retry.data.run.status}</strong>.{' '}
                <Link className="underline" to={`/admin/ingestions/${retry.data.run.id}`}>Open the new run</Link>
              </>
            ) : (
              'The retry was dispatched; its run appears in the list when it finishes.'
            )}
          </span>
        </Notice>
      )}
      {r.retried_by && !retry.data && (
        <Notice tone={settled ? 'good' : 'bad'}>
          <span data-testid="retried-by">
            This file was retried: <strong>{r.retried_by_status}</strong>.{' '}
            <Link className="underline" to={`/admin/ingestions/${r.retried_by}`}>Open the retry</Link>
          </span>
        </Notice>
      )}
      <Card title="Message" id="message">
        <p className="break-words text-sm" data-testid="run-message">{r.message ?? '—'}</p>
      </Card>
      {r.what_to_do.length > 0 && !settled && (
        // The steps the run's alert email gave, stored with the run (the retry is the button above).
        <Card title="What to do" id="what-to-do">
          <ol className="list-decimal space-y-2 pl-5 text-sm leading-6 break-words" data-testid="run-what-to-do">
            {r.what_to_do.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ol>
        </Card>
      )}
      <Card title="Details" id="details">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {facts.map(([label, v]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-zinc-600 dark:text-zinc-400">{label}</dt>
              <dd className="min-w-0">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Rejected rows" id="rejected">
        {rejected.isPending && <Loading label="Loading rejected rows…" />}
        {rejected.isError && <ErrorState error={rejected.error} onRetry={() => void rejected.refetch()} what="the rejected rows" />}
        {rejected.data && rejected.data.total === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No rows were rejected.</p>}
        {rejected.data && rejected.data.total > 0 && (
          <>
            <TableFrame label="Rejected rows">
              <thead>
                <tr>
                  <th className={`${th} text-right`}>Line</th>
                  <th className={th}>Column</th>
                  <th className={th}>Value</th>
                  <th className={th}>Reason</th>
                </tr>
              </thead>
              <tbody data-testid="rejected-rows">
                {rejected.data.items.map((row) => (
                  <tr key={`${row.line_number}-${row.column_name}`}>
                    <td className={`${td} text-right tabular-nums`}>{row.line_number}</td>
                    <td className={td}>{row.column_name ?? '—'}</td>
                    <td className={`${td} max-w-xs break-all`}><code>{row.value ?? ''}</code></td>
                    <td className={td}>{row.reason}</td>
                  </tr>
                ))}
              </tbody>
            </TableFrame>
            <div className="mt-3"><Pager offset={offset} total={rejected.data.total} page={PAGE} onChange={setOffset} /></div>
          </>
        )}
      </Card>
      <ConfirmDialog
        open={confirming}
        title="Retry this file?"
        confirmLabel="Retry"
        busy={retry.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() =>
          retry.mutate(undefined, {
            onSettled: () => setConfirming(false),
            onSuccess: (result) => result.run && navigate(`/admin/ingestions/${runId}`, { replace: true }),
          })
        }
      >
        <p>The file <strong className="break-all">{r.object_key}</strong> is ingested again as a new run, linked to this one.</p>
      </ConfirmDialog>
    </AdminPage>
  )
}
