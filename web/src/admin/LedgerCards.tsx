/**
 * The client page's margin-ledger cards (admin only): the buy cost (partner CPM) as a
 * timeline with the rate card's preview-then-confirm, and the closed months with close and
 * reopen and the log of who did it when.
 */
import { useState } from 'react'
import { buttonClass, Card, ErrorState, inputClass, Loading, primaryButtonClass } from '../app/ui'
import { formatCount, formatCountOf, formatDate, formatMoney, formatMoneyDifference, formatUnitCost, formatYearMonth } from '../format'
import { adminApi, type BuyCostChange, useAdminMutation, useBuyCosts, useMonths } from './api'
import { CpmForm, CpmTimeline } from './CpmTimeline'
import { ConfirmDialog, errorMessage, Field, formatDateTime, isoDay, Notice } from './ui'

export function BuyCostCard({ clientId, currency }: { clientId: string; currency: string }) {
  const costs = useBuyCosts(clientId)
  const [cpm, setCpm] = useState('')
  const [date, setDate] = useState(`${isoDay(new Date()).slice(0, 8)}01`)
  const [preview, setPreview] = useState<BuyCostChange | null>(null)
  const [applied, setApplied] = useState<BuyCostChange | null>(null)
  const previewMutation = useAdminMutation(() => adminApi.setBuyCost(clientId, { cpm: cpm.trim(), effective_date: date, preview: true }))
  const apply = useAdminMutation(() => adminApi.setBuyCost(clientId, { cpm: cpm.trim(), effective_date: date, preview: false }))
  const busy = previewMutation.isPending || apply.isPending
  return (
    <Card title="Buy cost (partner CPM)" id="buy-cost">
      <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">What the agency pays the partner per 1,000 impressions. Admin only: client users never see it. Cost is computed from it when read, so a change rewrites no stored rows.</p>
      <CpmForm
        cpmLabel="Buy CPM"
        cpm={cpm}
        date={date}
        onCpm={(v) => { setCpm(v); setPreview(null) }}
        onDate={(v) => { setDate(v); setPreview(null) }}
        onPreview={() => { setApplied(null); previewMutation.mutate(undefined, { onSuccess: setPreview }) }}
        busy={busy}
        previewing={previewMutation.isPending}
      />
      {previewMutation.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(previewMutation.error)}</Notice></div>}
      {preview && (
        <div className="mt-4 space-y-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900/60 dark:bg-indigo-950/40" data-testid="buy-cost-preview">
          <p className="font-medium">
            Preview: buy CPM {formatUnitCost(preview.buy_cost.cpm, currency)} from {formatDate(preview.buy_cost.effective_date)} {preview.created ? '(a new buy cost)' : '(changes the buy cost of that date)'}
          </p>
          {preview.rows_changed === 0 ? (
            <p>No stored day changes cost.</p>
          ) : (
            <>
              <p data-testid="buy-cost-preview-cost">
                {formatCountOf(preview.rows_changed, 'row')}, {formatDate(preview.date_from)} – {formatDate(preview.date_to)}: cost {formatMoney(preview.cost_before, currency)} → {formatMoney(preview.cost_after, currency)}
              </p>
              <ul className="tabular-nums">
                {preview.months.map((m) => (
                  <li key={m.month} data-testid="buy-cost-month">
                    {formatYearMonth(m.month)}: {formatCount(m.rows)} rows, {formatMoney(m.cost_before, currency)} → {formatMoney(m.cost_after, currency)} ({formatMoneyDifference(m.cost_before, m.cost_after, currency)})
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="flex gap-2">
            <button type="button" className={primaryButtonClass} disabled={busy} onClick={() => apply.mutate(undefined, { onSuccess: (r) => { setApplied(r); setPreview(null) } })}>
              {apply.isPending ? 'Applying…' : 'Apply this buy cost'}
            </button>
            <button type="button" className={buttonClass} onClick={() => setPreview(null)}>Cancel</button>
          </div>
        </div>
      )}
      {apply.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(apply.error)}</Notice></div>}
      {applied && <div className="mt-3"><Notice tone="good"><span data-testid="buy-cost-applied">Applied: the cost of {formatCountOf(applied.rows_changed, 'row')} changed.</span></Notice></div>}
      <div className="mt-5">
        {costs.isPending && <Loading label="Loading the buy costs…" />}
        {costs.isError && <ErrorState error={costs.error} onRetry={() => void costs.refetch()} what="the buy costs" />}
        {costs.data && (
          <CpmTimeline
            items={costs.data.items}
            currency={currency}
            unitLabel="buy CPM"
            changeLabel="Change this buy cost"
            testId="buy-cost-timeline"
            empty="No buy cost yet: cost and margin are unknown until one is added."
            onChange={(r) => { setDate(r.effective_date); setCpm(''); setPreview(null) }}
          />
        )}
      </div>
    </Card>
  )
}

function lastMonth(): string {
  const d = new Date()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - 1)
  return isoDay(d).slice(0, 7)
}

export function ClosedMonthsCard({ clientId }: { clientId: string }) {
  const months = useMonths(clientId)
  const [month, setMonth] = useState(lastMonth())
  const [confirm, setConfirm] = useState(false)
  const close = useAdminMutation((m: string) => adminApi.closeMonth(clientId, m))
  const reopen = useAdminMutation((m: string) => adminApi.reopenMonth(clientId, m))
  const error = close.error ?? reopen.error
  return (
    <Card title="Closed months" id="closed-months">
      <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">Close a month after invoicing: a restated file's rows for it are rejected ("month closed"), and a rate or buy-cost change reaching into it is refused, until it is reopened.</p>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          setConfirm(true)
        }}
      >
        <Field label="Month">{(id) => <input id={id} required type="month" pattern="\d{4}-\d{2}" max={isoDay(new Date()).slice(0, 7)} className={inputClass} value={month} onChange={(e) => setMonth(e.target.value)} />}</Field>
        <button type="submit" className={primaryButtonClass} disabled={close.isPending || !month}>Close month</button>
      </form>
      {error && <div className="mt-3"><Notice tone="bad">{errorMessage(error)}</Notice></div>}
      {months.isPending && <Loading label="Loading the closed months…" />}
      {months.isError && <ErrorState error={months.error} onRetry={() => void months.refetch()} what="the closed months" />}
      {months.data && (
        <div className="mt-4 space-y-4 text-sm">
          {months.data.closed.length === 0 ? (
            <p className="text-zinc-600 dark:text-zinc-400">No month is closed.</p>
          ) : (
            <ul className="space-y-2" data-testid="closed-months">
              {months.data.closed.map((m) => (
                <li key={m.month} className="flex flex-wrap items-center gap-x-3 gap-y-1" data-month={m.month}>
                  <span className="font-medium">{formatYearMonth(m.month)}</span>
                  <span className="text-zinc-600 dark:text-zinc-400">closed {formatDateTime(m.closed_at)}{m.closed_by_email ? ` by ${m.closed_by_email}` : ''}</span>
                  <button type="button" className={buttonClass} disabled={reopen.isPending} onClick={() => reopen.mutate(m.month)}>Reopen {formatYearMonth(m.month)}</button>
                </li>
              ))}
            </ul>
          )}
          {months.data.events.length > 0 && (
            <details>
              <summary className="cursor-pointer font-medium text-indigo-700 hover:underline dark:text-indigo-300">Log ({months.data.events.length})</summary>
              <ul className="mt-2 space-y-1" data-testid="month-events">
                {months.data.events.map((e) => (
                  <li key={e.id}>{formatDateTime(e.created_at)} — {e.actor_email} {e.action === 'close' ? 'closed' : 'reopened'} {formatYearMonth(e.month)}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      <ConfirmDialog
        open={confirm}
        title={`Close ${month ? formatYearMonth(month) : 'the month'}?`}
        confirmLabel="Close month"
        busy={close.isPending}
        onCancel={() => setConfirm(false)}
        onConfirm={() => close.mutate(month, { onSettled: () => setConfirm(false) })}
      >
        <p>Restated files will not change this month, and no rate or buy-cost change may reach into it, until you reopen it.</p>
      </ConfirmDialog>
    </Card>
  )
}
