/**
 * Users: list and filter; create (the temporary password is shown once, with a copy
 * button); reset password, disable/enable, change role or client — each confirmed, since
 * each ends the user's sessions.
 */
import { useState } from 'react'
import { buttonClass, Card, ErrorState, inputClass, Loading, primaryButtonClass } from '../app/ui'
import { type AdminUser, adminApi, PAGE, type UserFilters, useAdminClients, useAdminMutation, useUsers } from './api'
import { AdminPage, Badge, ConfirmDialog, errorMessage, Field, Notice, Pager, TableFrame, td, th } from './ui'
import { ClientFilter, useUrlFilters } from './filters'

type Action =
  | { kind: 'reset'; user: AdminUser }
  | { kind: 'disable'; user: AdminUser; disabled: boolean }
  | { kind: 'change'; user: AdminUser; role: 'admin' | 'client'; client_id: string | null }

export function UsersPage() {
  const { params, text, offset, set } = useUrlFilters()
  const filters: UserFilters = {
    role: (params.get('role') as UserFilters['role'] | null) ?? undefined,
    client_id: text('client_id'),
    disabled: params.get('disabled') === null ? undefined : params.get('disabled') === 'true',
    email: text('email'),
    offset,
  }
  const users = useUsers(filters)
  const clients = useAdminClients()
  const [action, setAction] = useState<Action | null>(null)
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null)
  const run = useAdminMutation(async (a: Action) => {
    if (a.kind === 'reset') return { password: (await adminApi.resetPassword(a.user.id)).temporary_password }
    if (a.kind === 'disable') return adminApi.updateUser(a.user.id, { disabled: a.disabled })
    return adminApi.updateUser(a.user.id, { role: a.role, client_id: a.role === 'admin' ? null : a.client_id })
  })
  const clientName = (id: string | null) => (id ? (clients.data?.items.find((c) => c.id === id)?.name ?? id.slice(0, 8)) : '—')

  return (
    <AdminPage title="Users" description="Accounts are created here only; there is no self sign-up.">
      <CreateUser onCreated={setSecret} />
      {secret && <OneTimePassword {...secret} onDismiss={() => setSecret(null)} />}
      <Card>
        <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <Field label="Role">
            {(id) => (
              <select id={id} className={inputClass} value={filters.role ?? ''} onChange={(e) => set({ role: e.target.value })}>
                <option value="">Any</option>
                <option value="admin">admin</option>
                <option value="client">client</option>
              </select>
            )}
          </Field>
          <ClientFilter value={filters.client_id} onChange={(client_id) => set({ client_id })} />
          <Field label="State">
            {(id) => (
              <select id={id} className={inputClass} value={filters.disabled === undefined ? '' : String(filters.disabled)} onChange={(e) => set({ disabled: e.target.value })}>
                <option value="">Any</option>
                <option value="false">Enabled</option>
                <option value="true">Disabled</option>
              </select>
            )}
          </Field>
          <Field label="Email contains">
            {(id) => <input id={id} type="search" className={inputClass} defaultValue={filters.email ?? ''} onKeyDown={(e) => e.key === 'Enter' && set({ email: e.currentTarget.value })} onBlur={(e) => set({ email: e.target.value })} />}
          </Field>
        </form>
      </Card>
      {run.isError && <Notice tone="bad">{errorMessage(run.error)}</Notice>}
      {users.isPending && <Loading label="Loading users…" />}
      {users.isError && <ErrorState error={users.error} onRetry={() => void users.refetch()} what="the users" />}
      {users.data && (
        <Card>
          <TableFrame label="Users">
            <thead>
              <tr>
                <th className={th}>Email</th>
                <th className={th}>Role</th>
                <th className={th}>Client</th>
                <th className={th}>State</th>
                <th className={th}>Actions</th>
              </tr>
            </thead>
            <tbody data-testid="users">
              {users.data.items.map((u) => (
                <tr key={u.id} data-testid={`user-${u.email}`}>
                  <td className={`${td} break-all`}>{u.email}</td>
                  <td className={td}>
                    <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.email}</label>
                    <select
                      id={`role-${u.id}`}
                      className={inputClass}
                      value={u.role}
                      onChange={(e) => {
                        const role = e.target.value as 'admin' | 'client'
                        const first = clients.data?.items[0]?.id ?? null
                        setAction({ kind: 'change', user: u, role, client_id: role === 'client' ? (u.client_id ?? first) : null })
                      }}
                    >
                      <option value="admin">admin</option>
                      <option value="client">client</option>
                    </select>
                  </td>
                  <td className={td}>
                    {u.role === 'client' ? (
                      <>
                        <label className="sr-only" htmlFor={`client-${u.id}`}>Client of {u.email}</label>
                        <select id={`client-${u.id}`} className={inputClass} value={u.client_id ?? ''} onChange={(e) => setAction({ kind: 'change', user: u, role: 'client', client_id: e.target.value })}>
                          {clients.data?.items.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                        </select>
                      </>
                    ) : (
                      clientName(u.client_id)
                    )}
                  </td>
                  <td className={td}><Badge tone={u.disabled ? 'bad' : 'good'}>{u.disabled ? 'disabled' : 'enabled'}</Badge></td>
                  <td className={td}>
                    <span className="flex flex-wrap gap-2">
                      <button type="button" className={buttonClass} onClick={() => setAction({ kind: 'reset', user: u })}>Reset password</button>
                      <button type="button" className={buttonClass} onClick={() => setAction({ kind: 'disable', user: u, disabled: !u.disabled })}>{u.disabled ? 'Enable' : 'Disable'}</button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
          <div className="mt-3"><Pager offset={filters.offset} total={users.data.total} page={PAGE} onChange={(offset) => set({ offset: String(offset) })} /></div>
        </Card>
      )}
      <ConfirmDialog
        open={action !== null}
        title={action ? titleOf(action, clientName) : ''}
        confirmLabel={action?.kind === 'reset' ? 'Reset password' : action?.kind === 'disable' ? (action.disabled ? 'Disable' : 'Enable') : 'Change'}
        danger={action?.kind === 'disable' && action.disabled}
        busy={run.isPending}
        onCancel={() => setAction(null)}
        onConfirm={() =>
          action &&
          run.mutate(action, {
            onSettled: () => setAction(null),
            onSuccess: (result) => {
              if (action.kind === 'reset' && 'password' in result) setSecret({ email: action.user.email, password: result.password })
            },
          })
        }
      >
        {action && action.kind === 'disable' && !action.disabled ? (
          <p>{action.user.email} can sign in again.</p>
        ) : (
          <p>This ends every open session of {action?.user.email}: they are signed out everywhere.</p>
        )}
      </ConfirmDialog>
    </AdminPage>
  )
}

function titleOf(action: Action, clientName: (id: string | null) => string): string {
  if (action.kind === 'reset') return `Reset the password of ${action.user.email}?`
  if (action.kind === 'disable') return `${action.disabled ? 'Disable' : 'Enable'} ${action.user.email}?`
  return action.role === 'admin' ? `Make ${action.user.email} an admin?` : `Make ${action.user.email} a user of ${clientName(action.client_id)}?`
}

function CreateUser({ onCreated }: { onCreated: (s: { email: string; password: string }) => void }) {
  const clients = useAdminClients()
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<'admin' | 'client'>('client')
  const [clientId, setClientId] = useState('')
  const create = useAdminMutation(() => adminApi.createUser({ email: email.trim(), role, client_id: role === 'client' ? clientId || null : null }))
  const chosen = clientId || clients.data?.items[0]?.id || ''
  return (
    <Card title="New user" id="new-user">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          if (role === 'client' && !clientId) setClientId(chosen)
          create.mutate(undefined, {
            onSuccess: (user) => {
              if (user.temporary_password) onCreated({ email: user.email, password: user.temporary_password })
              setEmail('')
            },
          })
        }}
      >
        <Field label="Email">{(id) => <input id={id} type="email" required className={inputClass} value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Field label="Role">
          {(id) => (
            <select id={id} className={inputClass} value={role} onChange={(e) => setRole(e.target.value as 'admin' | 'client')}>
              <option value="client">Client user</option>
              <option value="admin">Admin</option>
            </select>
          )}
        </Field>
        {role === 'client' && (
          <Field label="Client">
            {(id) => (
              <select id={id} required className={inputClass} value={chosen} onChange={(e) => setClientId(e.target.value)}>
                {clients.data?.items.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            )}
          </Field>
        )}
        <button type="submit" className={primaryButtonClass} disabled={create.isPending || (role === 'client' && !chosen)}>
          {create.isPending ? 'Creating…' : 'Create user'}
        </button>
      </form>
      {create.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(create.error)}</Notice></div>}
    </Card>
  )
}

function OneTimePassword({ email, password, onDismiss }: { email: string; password: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false)
  return (
    <Notice tone="info">
      <div className="space-y-2" data-testid="temporary-password">
        <p>
          Temporary password for <strong className="break-all">{email}</strong> — shown once, it cannot be displayed again:
        </p>
        <p className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-white px-2 py-1 text-base break-all text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100" data-testid="password-value">{password}</code>
          <button
            type="button"
            className={buttonClass}
            onClick={() => {
              void navigator.clipboard?.writeText(password).then(() => setCopied(true))
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" className={buttonClass} onClick={onDismiss}>Done</button>
        </p>
      </div>
    </Notice>
  )
}
