/** Clients: the list, and one form that creates a client with its advertisers and first CPM. */
import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { Card, ErrorState, inputClass, Loading, primaryButtonClass } from '../app/ui'
import { formatUnitCost } from '../format'
import { adminApi, useAdminClients, useAdminMutation } from './api'
import { AdminPage, Badge, errorMessage, Field, isoDay, Notice, slugify, TableFrame, td, th } from './ui'

export function splitNames(text: string): string[] {
  return [...new Set(text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean))]
}

export function ClientsPage() {
  const clients = useAdminClients()
  return (
    <AdminPage title="Clients" description="Create clients, then manage their advertisers, rate card, branding and status.">
      <CreateClient />
      {clients.isPending && <Loading label="Loading clients…" />}
      {clients.isError && <ErrorState error={clients.error} onRetry={() => void clients.refetch()} what="the clients" />}
      {clients.data && (
        <Card title={`All clients (${clients.data.total})`} id="all-clients">
          <TableFrame label="Clients">
            <thead>
              <tr>
                <th className={th}>Name</th>
                <th className={th}>Slug</th>
                <th className={th}>Status</th>
                <th className={th}>Advertisers</th>
                <th className={`${th} text-right`}>CPM today</th>
              </tr>
            </thead>
            <tbody data-testid="clients">
              {clients.data.items.map((c) => (
                <tr key={c.id}>
                  <td className={td}><Link to={`/admin/clients/${c.id}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">{c.name}</Link></td>
                  <td className={td}><code>{c.slug}</code></td>
                  <td className={td}><Badge tone={c.status === 'active' ? 'good' : 'neutral'}>{c.status}</Badge></td>
                  <td className={`${td} max-w-xs`}>{c.advertisers.join(', ') || '—'}</td>
                  <td className={`${td} text-right tabular-nums`}>{c.current_cpm ? formatUnitCost(c.current_cpm) : <Link className="text-rose-800 underline dark:text-rose-300" to={`/admin/clients/${c.id}/rate-card`}>none</Link>}</td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
        </Card>
      )}
    </AdminPage>
  )
}

function CreateClient() {
  const navigate = useNavigate()
  const [name, setName] = useState('')
  const [slug, setSlug] = useState('')
  const [slugEdited, setSlugEdited] = useState(false)
  const [advertisers, setAdvertisers] = useState('')
  const [cpm, setCpm] = useState('')
  const [currency, setCurrency] = useState('USD')
  const [effective, setEffective] = useState(`${isoDay(new Date()).slice(0, 8)}01`)
  const create = useAdminMutation(async () => {
    // One request creates the client with its advertiser names and currency; the first rate follows.
    const client = await adminApi.createClient({ name: name.trim(), slug, currency: currency.trim().toUpperCase(), advertisers: splitNames(advertisers) })
    if (cpm.trim()) await adminApi.setRate(client.id, { cpm: cpm.trim(), effective_date: effective, preview: false })
    return client
  })
  const shownSlug = slugEdited ? slug : slugify(name)
  return (
    <Card title="New client" id="new-client">
      <form
        className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault()
          if (!slugEdited) setSlug(shownSlug)
          create.mutate(undefined, { onSuccess: (client) => navigate(`/admin/clients/${client.id}`) })
        }}
      >
        <Field label="Name">{(id) => <input id={id} required maxLength={255} className={inputClass} value={name} onChange={(e) => { setName(e.target.value); if (!slugEdited) setSlug(slugify(e.target.value)) }} />}</Field>
        <Field label="Slug" hint="Derived from the name; files under clients/<slug>/ belong to this client.">
          {(id) => <input id={id} required pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?" maxLength={63} className={inputClass} value={shownSlug} onChange={(e) => { setSlugEdited(true); setSlug(e.target.value) }} />}
        </Field>
        <Field label="Advertiser names" hint="One per line or comma-separated, as they appear in the partner's files.">
          {(id) => <textarea id={id} rows={2} className={inputClass} value={advertisers} onChange={(e) => setAdvertisers(e.target.value)} />}
        </Field>
        <Field label="Currency" hint="ISO 4217 code, e.g. USD, EUR, GBP.">{(id) => <input id={id} required pattern="[A-Za-z]{3}" maxLength={3} className={inputClass} value={currency} onChange={(e) => setCurrency(e.target.value)} />}</Field>
        <Field label="CPM" hint="Optional; a decimal such as 4.25.">{(id) => <input id={id} inputMode="decimal" pattern="\d{1,6}(\.\d{1,4})?" className={inputClass} value={cpm} onChange={(e) => setCpm(e.target.value)} />}</Field>
        <Field label="CPM effective from">{(id) => <input id={id} type="date" className={inputClass} value={effective} onChange={(e) => setEffective(e.target.value)} />}</Field>
        <div className="flex items-end">
          <button type="submit" className={primaryButtonClass} disabled={create.isPending || !name.trim()}>
            {create.isPending ? 'Creating…' : 'Create client'}
          </button>
        </div>
      </form>
      {create.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(create.error)}</Notice></div>}
    </Card>
  )
}
