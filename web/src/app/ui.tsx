/** Small shared building blocks: cards, states (loading / empty / error), buttons. */
import type { ReactNode } from 'react'
import { ApiError } from '../api/client'

export function Card({ title, actions, children, className = '', id }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; id?: string }) {
  return (
    <section
      aria-labelledby={title && id ? `${id}-title` : undefined}
      className={`min-w-0 rounded-xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900 ${className}`}
    >
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-4 py-3 sm:px-5 dark:border-zinc-800">
          {title && (
            <h2 id={id ? `${id}-title` : undefined} className="text-sm font-semibold text-zinc-800 dark:text-zinc-100">
              {title}
            </h2>
          )}
          {actions}
        </header>
      )}
      <div className="p-4 sm:p-5">{children}</div>
    </section>
  )
}

export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded-md bg-zinc-200/70 dark:bg-zinc-800 ${className}`} />
}

export function Loading({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-2 py-6 text-sm text-zinc-500 dark:text-zinc-400">
      <span className="size-4 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-500" aria-hidden="true" />
      {label}
    </div>
  )
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center dark:border-zinc-700">
      <p className="font-medium text-zinc-700 dark:text-zinc-200">{title}</p>
      {children && <div className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{children}</div>}
    </div>
  )
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  const status = error instanceof ApiError ? error.status : 0
  const advice =
    status === 400
      ? 'Check the dates in the filters above (the range may be too long or in the wrong order).'
      : status === 401 || status === 403
        ? 'Your session may have ended. Sign in again.'
        : status >= 500 || status === 0
          ? 'The server could not answer just now. Try again in a moment; if it keeps happening, contact your account manager.'
          : 'Try again, or pick another period.'
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 px-4 py-4 text-sm text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/40 dark:text-rose-100">
      <p className="font-medium">Could not load {what}.</p>
      <p className="mt-1">{error instanceof Error && status ? `${error.message}. ` : ''}{advice}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="mt-3 rounded-md bg-white px-3 py-1.5 font-medium text-rose-900 shadow-sm ring-1 ring-rose-200 hover:bg-rose-100 dark:bg-rose-900/40 dark:text-rose-50 dark:ring-rose-800">
          Try again
        </button>
      )}
    </div>
  )
}

export const buttonClass =
  'inline-flex items-center justify-center gap-1.5 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm font-medium text-zinc-800 shadow-sm hover:bg-zinc-50 disabled:cursor-not-allowed disabled:opacity-60 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800'

export const primaryButtonClass =
  'inline-flex items-center justify-center gap-1.5 rounded-lg bg-indigo-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-60'

export const inputClass =
  'rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100'
