/** CSV and PDF downloads: fetched with the session (no token in a URL), saved under a clear name. */
import { session } from './client'
import type { DateRange } from '../dashboard/state'

export type ExportLevel = 'campaign' | 'strategy' | 'placement' | 'creative' | 'daily'

/** "acme-outdoor-2026-11-01_2026-11-30.pdf", "acme-outdoor-campaigns-2026-11-01_2026-11-30.csv". */
export function downloadName(slug: string, range: DateRange, ext: 'csv' | 'pdf', level?: ExportLevel): string {
  const safe = slug.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '') || 'report'
  const part = level ? (level === 'daily' ? '-daily' : `-${level === 'strategy' ? 'strategies' : `${level}s`}`) : ''
  return `${safe}${part}-${range.from}_${range.to}.${ext}`
}

async function save(url: string, accept: string, filename: string): Promise<void> {
  const res = await session.fetch(url, { headers: { Accept: accept } })
  if (!res.ok) {
    const message = await res
      .json()
      .then((b: { message?: string }) => b.message)
      .catch(() => undefined)
    throw new Error(message ?? `The download failed (${res.status}). Try again in a moment.`)
  }
  const blob = await res.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

export function downloadCsv(clientId: string, slug: string, range: DateRange, level: ExportLevel) {
  const q = new URLSearchParams({ level, from: range.from, to: range.to })
  return save(`/api/clients/${encodeURIComponent(clientId)}/export.csv?${q}`, 'text/csv', downloadName(slug, range, 'csv', level))
}

export function downloadPdf(clientId: string, slug: string, range: DateRange) {
  const q = new URLSearchParams({ from: range.from, to: range.to })
  return save(`/api/clients/${encodeURIComponent(clientId)}/report.pdf?${q}`, 'application/pdf', downloadName(slug, range, 'pdf'))
}
