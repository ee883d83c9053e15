/** Ingestion runs: filters in the URL, the list, and a browser upload straight into the landing bucket. */
import { useState } from 'react'
import { Link } from 'react-router'
import { buttonClass, Card, ErrorState, inputClass, Loading, primaryButtonClass } from '../app/ui'
import { formatCount } from '../format'
import { adminApi, PAGE, postToBucket, type Run, type RunFilters, useAdminClients, useRuns } from './api'
import { AdminPage, errorMessage, Field, formatDateTime, Notice, Pager, RunStatus, TableFrame, td, th } from './ui'
import { ClientFilter, useUrlFilters } from './filters'

const STATUSES: Run['status'][] = ['running', 'success', 'partial', 'failed', 'duplicate']

export function RunsPage() {
  const { params, text, offset, set, clear } = useUrlFilters()
  const filters: RunFilters = {
    status: (params.get('status') as Run['status'] | null) ?? undefined,
    client_id: text('client_id'),
    from: text('from'),
    to: text('to'),
    file_name: text('file_name'),
    offset,
  }
  const [watching, setWatching] = useState<string | null>(null)
  const runs = useRuns(filters, watching ? 2000 : false)
  const clients = useAdminClients()
  const clientName = (id: string) => clients.data?.items.find((c) => c.id === id)?.name ?? id.slice(0, 8)

  return (
    <AdminPage title="Ingestion runs" description="Every file that landed, newest first. Open a run for its rejected rows or to retry it.">
      <UploadPanel
        initialSlug={params.get('upload') ?? ''}
        onUploaded={(key) => {
          setWatching(key)
          set({ file_name: key.split('/').pop()?.slice(0, 32) ?? key, status: null, client_id: null, from: null, to: null, upload: null })
        }}
      />
      <Card>
        <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <Field label="Status">
            {(id) => (
              <select id={id} className={inputClass} value={filters.status ?? ''} onChange={(e) => set({ status: e.target.value })}>
                <option value="">Any</option>
                {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            )}
          </Field>
          <ClientFilter value={filters.client_id} onChange={(client_id) => set({ client_id })} />
          <Field label="Started from">{(id) => <input id={id} type="date" className={inputClass} value={filters.from ?? ''} onChange={(e) => set({ from: e.target.value })} />}</Field>
          <Field label="Started to">{(id) => <input id={id} type="date" className={inputClass} value={filters.to ?? ''} onChange={(e) => set({ to: e.target.value })} />}</Field>
          <Field label="File name contains">
            {(id) => <input id={id} type="search" className={inputClass} defaultValue={filters.file_name ?? ''} key={filters.file_name ?? ''} onKeyDown={(e) => e.key === 'Enter' && set({ file_name: e.currentTarget.value })} onBlur={(e) => set({ file_name: e.target.value })} />}
          </Field>
          <button type="button" className={buttonClass} onClick={clear}>Clear</button>
        </form>
      </Card>
      {runs.isPending && <Loading label="Loading runs…" />}
      {runs.isError && <ErrorState error={runs.error} onRetry={() => void runs.refetch()} what="the ingestion runs" />}
      {runs.data && (
        <Card>
          {watching && (
            <div className="mb-3">
              <WatchNotice runs={runs.data.items} watching={watching} onDone={() => setWatching(null)} />
            </div>
          )}
          {runs.data.items.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No runs match these filters.</p>
          ) : (
            <TableFrame label="Ingestion runs">
              <thead>
                <tr>
                  <th className={th}>Started</th>
                  <th className={th}>File</th>
                  <th className={th}>Status</th>
                  <th className={`${th} text-right`}>Loaded</th>
                  <th className={`${th} text-right`}>Rejected</th>
                  <th className={th}>Clients</th>
                  <th className={th}>Message</th>
                </tr>
              </thead>
              <tbody data-testid="runs">
                {runs.data.items.map((run) => (
                  <tr key={run.id}>
                    <td className={`${td} whitespace-nowrap`}>{formatDateTime(run.started_at)}</td>
                    <td className={td}>
                      <Link to={`/admin/ingestions/${run.id}`} className="break-all text-indigo-700 underline dark:text-indigo-300">{run.object_key}</Link>
                    </td>
                    <td className={td}><RunStatus status={run.status} /></td>
                    <td className={`${td} text-right tabular-nums`}>{formatCount(run.records_loaded)}</td>
                    <td className={`${td} text-right tabular-nums`}>{formatCount(run.records_failed)}</td>
                    <td className={td}>{run.client_ids.map(clientName).join(', ') || '—'}</td>
                    <td className={`${td} max-w-md truncate`} title={run.message ?? ''}>{run.message ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </TableFrame>
          )}
          <div className="mt-3">
            <Pager offset={filters.offset} total={runs.data.total} page={PAGE} onChange={(offset) => set({ offset: String(offset) })} />
          </div>
        </Card>
      )}
    </AdminPage>
  )
}

function WatchNotice({ runs, watching, onDone }: { runs: Run[]; watching: string; onDone: () => void }) {
  const run = runs.find((r) => r.object_key === watching)
  if (!run || run.status === 'running')
    return <Notice tone="info"><span data-testid="upload-waiting">Uploaded. Waiting for its ingestion run…</span></Notice>
  return (
    <Notice tone={run.status === 'failed' ? 'bad' : 'good'}>
      <span data-testid="upload-result">
        The upload's run finished: <strong>{run.status}</strong>, {formatCount(run.records_loaded)} rows loaded.{' '}
        <Link to={`/admin/ingestions/${run.id}`} className="underline" onClick={onDone}>Open the run</Link>
      </span>
    </Notice>
  )
}

function UploadPanel({ initialSlug, onUploaded }: { initialSlug: string; onUploaded: (key: string) => void }) {
  const clients = useAdminClients()
  const [file, setFile] = useState<File | null>(null)
  const [slug, setSlug] = useState(initialSlug)
  const [state, setState] = useState<{ busy: boolean; error?: string; done?: string }>({ busy: false })
  const upload = async () => {
    if (!file) return
    setState({ busy: true })
    try {
      const presigned = await adminApi.createUpload({ file_name: file.name, client_slug: slug || null })
      if (file.size > presigned.max_bytes) throw new Error(`The file is larger than the ${Math.round(presigned.max_bytes / 1048576)} MiB limit.`)
      await postToBucket(presigned, file)
      setState({ busy: false, done: presigned.key })
      onUploaded(presigned.key)
    } catch (e) {
      setState({ busy: false, error: errorMessage(e) })
    }
  }
  return (
    <Card title="Upload a file" id="upload">
      <div className="flex flex-wrap items-end gap-3">
        <Field label="CSV file (.csv or .csv.gz)">
          {(id) => <input id={id} type="file" accept=".csv,.gz,text/csv,application/gzip" className="max-w-full text-sm" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
        </Field>
        <Field label="Client (for files without an advertiser column)">
          {(id) => (
            <select id={id} className={inputClass} value={slug} onChange={(e) => setSlug(e.target.value)}>
              <option value="">Resolve by advertiser name</option>
              {clients.data?.items.map((c) => <option key={c.id} value={c.slug}>{c.name}</option>)}
            </select>
          )}
        </Field>
        <button type="button" className={primaryButtonClass} disabled={!file || state.busy} onClick={() => void upload()}>
          {state.busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">The file goes straight to the landing bucket and is ingested like a partner file.</p>
      {state.error && <div className="mt-3"><Notice tone="bad">{state.error}</Notice></div>}
    </Card>
  )
}
