/** One client: name, slug and status; advertiser names; branding (logo and accent colour). */
import { useEffect, useState } from 'react'
import { Link, useParams } from 'react-router'
import { buttonClass, Card, ErrorState, inputClass, Loading, primaryButtonClass } from '../app/ui'
import { formatCountOf, formatUnitCost } from '../format'
import { BudgetCard } from './BudgetCard'
import { type AdminClient, adminApi, fileToBase64, useAdminClient, useAdminMutation, useBranding, useLogo } from './api'
import { splitNames } from './ClientsPage'
import { BuyCostCard, ClosedMonthsCard } from './LedgerCards'
import { AdminPage, Badge, ConfirmDialog, errorMessage, Field, Notice } from './ui'

const MAX_LOGO = 256 * 1024

export function ClientDetailPage() {
  const { clientId = '' } = useParams()
  const client = useAdminClient(clientId)
  if (client.isPending) return <AdminPage title="Client"><Loading label="Loading the client…" /></AdminPage>
  if (client.isError) return <AdminPage title="Client"><ErrorState error={client.error} onRetry={() => void client.refetch()} what="this client" /></AdminPage>
  const c = client.data
  return (
    <AdminPage
      title={c.name}
      description={
        <span className="flex flex-wrap gap-x-3">
          <Link to="/admin/clients" className="underline">All clients</Link>
          <Link to={`/clients/${c.id}`} className="underline">Dashboard</Link>
          <Link to={`/admin/clients/${c.id}/rate-card`} className="underline">Rate card{c.current_cpm ? ` (CPM ${formatUnitCost(c.current_cpm)})` : ''}</Link>
          <Link to={`/admin/clients/${c.id}/margin`} className="underline">Margin</Link>
          <Link to={`/admin/users?client_id=${c.id}`} className="underline">Users</Link>
        </span>
      }
      actions={<Badge tone={c.status === 'active' ? 'good' : 'neutral'}>{c.status}</Badge>}
    >
      <div className="grid gap-5 lg:grid-cols-2">
        <EditClient client={c} />
        <Advertisers client={c} />
        <BrandingCard clientId={c.id} />
        <BudgetCard client={c} />
        <BuyCostCard clientId={c.id} currency={c.currency} />
        <ClosedMonthsCard clientId={c.id} />
      </div>
    </AdminPage>
  )
}

function EditClient({ client }: { client: AdminClient }) {
  const [name, setName] = useState(client.name)
  const [slug, setSlug] = useState(client.slug)
  const [confirm, setConfirm] = useState(false)
  useEffect(() => {
    setName(client.name)
    setSlug(client.slug)
  }, [client.name, client.slug])
  const save = useAdminMutation((body: { name?: string; slug?: string; status?: 'active' | 'disabled' }) => adminApi.updateClient(client.id, body))
  const disabling = client.status === 'active'
  return (
    <Card title="Client" id="client-edit">
      <form
        className="grid gap-3 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault()
          save.mutate({ name: name.trim(), slug })
        }}
      >
        <Field label="Name">{(id) => <input id={id} required className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Slug" hint="Changing it changes which clients/<slug>/ uploads resolve to this client.">
          {(id) => <input id={id} required pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?" className={inputClass} value={slug} onChange={(e) => setSlug(e.target.value)} />}
        </Field>
        <div className="flex flex-wrap gap-2 sm:col-span-2">
          <button type="submit" className={primaryButtonClass} disabled={save.isPending}>Save</button>
          <button type="button" className={buttonClass} onClick={() => setConfirm(true)}>
            {disabling ? 'Disable client' : 'Enable client'}
          </button>
        </div>
      </form>
      {save.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(save.error)}</Notice></div>}
      {save.isSuccess && <div className="mt-3"><Notice tone="good">Saved.</Notice></div>}
      <ConfirmDialog
        open={confirm}
        title={disabling ? `Disable ${client.name}?` : `Enable ${client.name}?`}
        confirmLabel={disabling ? 'Disable' : 'Enable'}
        danger={disabling}
        busy={save.isPending}
        onCancel={() => setConfirm(false)}
        onConfirm={() => save.mutate({ status: disabling ? 'disabled' : 'active' }, { onSettled: () => setConfirm(false) })}
      >
        {disabling ? (
          <p>A disabled client gets no missing-file alerts and no scheduled summaries. Its data is kept.</p>
        ) : (
          <p>The client is checked for daily files and gets its summaries again.</p>
        )}
      </ConfirmDialog>
    </Card>
  )
}

function Advertisers({ client }: { client: AdminClient }) {
  const [text, setText] = useState(client.advertisers.join('\n'))
  useEffect(() => setText(client.advertisers.join('\n')), [client.advertisers])
  const save = useAdminMutation((names: string[]) => adminApi.setAdvertisers(client.id, names))
  return (
    <Card title="Advertiser names" id="advertisers">
      <form
        onSubmit={(e) => {
          e.preventDefault()
          save.mutate(splitNames(text))
        }}
        className="space-y-3"
      >
        <Field label="Names in the partner's files (one per line)" hint="Matched ignoring case and spaces; a name can belong to one client only.">
          {(id) => <textarea id={id} rows={5} className={`${inputClass} w-full`} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit" className={primaryButtonClass} disabled={save.isPending}>Save advertisers</button>
      </form>
      {save.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(save.error)}</Notice></div>}
      {save.isSuccess && <div className="mt-3"><Notice tone="good">Saved {formatCountOf(save.data.advertisers.length, 'name')}.</Notice></div>}
    </Card>
  )
}

function BrandingCard({ clientId }: { clientId: string }) {
  const branding = useBranding(clientId)
  const logo = useLogo(branding.data?.logo_url)
  const [color, setColor] = useState('#4f46e5')
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (branding.data?.accent_color) setColor(branding.data.accent_color)
  }, [branding.data?.accent_color])
  const save = useAdminMutation((body: { accent_color?: string | null; logo_base64?: string | null }) => adminApi.updateBranding(clientId, body))
  const pick = async (file: File | undefined) => {
    setError(null)
    if (!file) return
    if (!['image/png', 'image/jpeg'].includes(file.type)) return setError('Choose a PNG or JPEG image.')
    if (file.size > MAX_LOGO) return setError('The logo may be at most 256 KiB.')
    save.mutate({ logo_base64: await fileToBase64(file) })
  }
  return (
    <Card title="Branding" id="branding">
      {branding.isPending && <Loading label="Loading branding…" />}
      {branding.isError && <ErrorState error={branding.error} what="the branding" />}
      {branding.data && (
        <div className="space-y-4">
          <div className="flex flex-wrap items-center gap-4">
            <div className="grid size-24 place-items-center rounded-lg border border-dashed border-zinc-300 bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-800">
              {logo.data ? <img src={logo.data} alt="Current logo" className="max-h-20 max-w-20 object-contain" /> : <span className="text-xs text-zinc-600 dark:text-zinc-300">No logo</span>}
            </div>
            <div className="space-y-2 text-sm">
              <Field label="Logo (PNG or JPEG, up to 256 KiB)">
                {(id) => <input id={id} type="file" accept="image/png,image/jpeg" className="max-w-full text-sm" onChange={(e) => void pick(e.target.files?.[0])} />}
              </Field>
              {branding.data.logo_url && (
                <button type="button" className={buttonClass} onClick={() => save.mutate({ logo_base64: null })}>Remove logo</button>
              )}
            </div>
          </div>
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault()
              save.mutate({ accent_color: color })
            }}
          >
            <Field label="Accent colour">{(id) => <input id={id} type="color" className="h-10 w-16 rounded border border-zinc-300 dark:border-zinc-700" value={color} onChange={(e) => setColor(e.target.value)} />}</Field>
            <code className="pb-2 text-sm">{color}</code>
            <button type="submit" className={primaryButtonClass} disabled={save.isPending}>Save colour</button>
            {branding.data.accent_color && <button type="button" className={buttonClass} onClick={() => save.mutate({ accent_color: null })}>Clear</button>}
          </form>
          {(error || save.isError) && <Notice tone="bad">{error ?? errorMessage(save.error)}</Notice>}
          {save.isSuccess && !error && <Notice tone="good">Branding saved.</Notice>}
        </div>
      )}
    </Card>
  )
}
