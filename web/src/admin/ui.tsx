/** Building blocks of the admin pages: page frame, badges, pager, confirmation dialog, fields. */
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { buttonClass, primaryButtonClass } from '../app/ui'

export function AdminPage({ title, description, actions, children }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="mx-auto max-w-7xl space-y-5 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
          {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
        </div>
        {actions}
      </div>
      {children}
    </main>
  )
}

const TONES = {
  good: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-100',
  bad: 'bg-rose-100 text-rose-900 dark:bg-rose-900/40 dark:text-rose-100',
  warn: 'bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100',
  neutral: 'bg-zinc-100 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-100',
} as const

export function Badge({ tone = 'neutral', children }: { tone?: keyof typeof TONES; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${TONES[tone]}`}>{children}</span>
}

export function RunStatus({ status }: { status: string }) {
  const tone = status === 'success' ? 'good' : status === 'failed' ? 'bad' : status === 'partial' ? 'warn' : 'neutral'
  return <Badge tone={tone}>{status}</Badge>
}

/** A horizontally scrollable table frame: wide tables never widen the page (375 px check).
 * `relative` so absolutely positioned children (sr-only labels) are clipped by it too. */
export function TableFrame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="scroll-shadows relative -mx-4 overflow-x-auto sm:mx-0" role="region" aria-label={label} tabIndex={0}>
      <table className="w-full min-w-max border-collapse text-sm">{children}</table>
    </div>
  )
}

export const th = 'border-b border-zinc-200 px-3 py-2 text-left font-medium text-zinc-600 dark:border-zinc-800 dark:text-zinc-300'
export const td = 'border-b border-zinc-100 px-3 py-2 align-top dark:border-zinc-800'

export function Pager({ offset, total, page, onChange }: { offset: number; total: number; page: number; onChange: (offset: number) => void }) {
  if (total <= page) return <p className="text-xs text-zinc-500 dark:text-zinc-400">{total} in all</p>
  const last = Math.min(offset + page, total)
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400">
        {offset + 1}–{last} of {total}
      </span>
      <span className="flex gap-2">
        <button type="button" className={buttonClass} disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - page))}>
          Previous
        </button>
        <button type="button" className={buttonClass} disabled={last >= total} onClick={() => onChange(offset + page)}>
          Next
        </button>
      </span>
    </nav>
  )
}

/** A modal confirmation (native <dialog>: focus trapped, Escape cancels). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault()
        onCancel()
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-5 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <h2 id={`${id}-title`} className="text-base font-semibold">
        {title}
      </h2>
      <div className="mt-2 space-y-2 text-sm text-zinc-700 dark:text-zinc-300">{children}</div>
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" className={buttonClass} onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          disabled={busy}
          className={danger ? `${primaryButtonClass} bg-rose-600 hover:bg-rose-500` : primaryButtonClass}
          onClick={onConfirm}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  )
}

export function Field({ label, hint, children, className = '' }: { label: string; hint?: ReactNode; children: (id: string) => ReactNode; className?: string }) {
  const id = useId()
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
        {label}
      </label>
      {children(id)}
      {hint && <p className="text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
    </div>
  )
}

export function Notice({ tone, children }: { tone: 'good' | 'bad' | 'info'; children: ReactNode }) {
  const cls =
    tone === 'good'
      ? 'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900/60 dark:bg-emerald-950/40 dark:text-emerald-100'
      : tone === 'bad'
        ? 'border-rose-200 bg-rose-50 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-100'
        : 'border-indigo-200 bg-indigo-50 text-indigo-900 dark:border-indigo-900/60 dark:bg-indigo-950/40 dark:text-indigo-100'
  return (
    <div role={tone === 'bad' ? 'alert' : 'status'} className={`rounded-lg border px-4 py-3 text-sm ${cls}`}>
      {children}
    </div>
  )
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong. Try again.'
}

/** "Acme Outdoor & Co." → "acme-outdoor-co" (what the API accepts as a slug). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '')
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

export function daysAgo(n: number): string {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() - n)
  return isoDay(d)
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—'
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(value)) + ' UTC'
}
