/**
 * A client's CPM rate card as a timeline. A new or changed rate is previewed first (rows
 * affected, spend before → after, in total and per calendar month with its difference) and applied only when the admin confirms; the applied
 * row count is shown afterwards.
 */
import { useState } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { buttonClass, Card, ErrorState, Loading, primaryButtonClass } from '../app/ui'
import { formatCount, formatCountOf, formatDate, formatMoney, formatMoneyDifference, formatRate, formatRoas, formatUnitCost, formatYearMonth } from '../format'
import { adminApi, type Repricing, useAdminClient, useAdminMutation, useRates, type WhatIfMonth } from './api'
import { CpmForm, CpmTimeline } from './CpmTimeline'
import { TargetRoasCard } from './MarginPage'
import { AdminPage, errorMessage, isoDay, Notice } from './ui'

export function RateCardPage() {
  const { clientId = '' } = useParams()
  const [params] = useSearchParams()
  const client = useAdminClient(clientId)
  const rates = useRates(clientId)
  const [cpm, setCpm] = useState('')
  const [date, setDate] = useState(params.get('from') ?? `${isoDay(new Date()).slice(0, 8)}01`)
  const [preview, setPreview] = useState<Repricing | null>(null)
  const [applied, setApplied] = useState<Repricing | null>(null)
  const previewMutation = useAdminMutation(() => adminApi.setRate(clientId, { cpm: cpm.trim(), effective_date: date, preview: true }))
  const apply = useAdminMutation(() => adminApi.setRate(clientId, { cpm: cpm.trim(), effective_date: date, preview: false }))
  const busy = previewMutation.isPending || apply.isPending
  const currency = (client.data as { currency?: string } | undefined)?.currency ?? 'USD'

  return (
    <AdminPage
      title={`Rate card${client.data ? ` — ${client.data.name}` : ''}`}
      description={<Link to={`/admin/clients/${clientId}`} className="underline">Back to the client</Link>}
    >
      <Card title="Add or change a rate" id="new-rate">
        <CpmForm
          cpm={cpm}
          date={date}
          onCpm={(v) => { setCpm(v); setPreview(null) }}
          onDate={(v) => { setDate(v); setPreview(null) }}
          onPreview={() => { setApplied(null); previewMutation.mutate(undefined, { onSuccess: setPreview }) }}
          busy={busy}
          previewing={previewMutation.isPending}
        />
        <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">The rate applies from its date until the next rate's date. The same date again changes that rate.</p>
        {previewMutation.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(previewMutation.error)}</Notice></div>}
        {preview && (
          <div className="mt-4 space-y-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900/60 dark:bg-indigo-950/40" data-testid="rate-preview">
            <p className="font-medium">
              Preview: CPM {formatUnitCost(preview.rate.cpm, currency)} from {formatDate(preview.rate.effective_date)} {preview.created ? '(a new rate)' : '(changes the rate of that date)'}
            </p>
            {preview.rows_changed === 0 ? (
              <p>No stored rows change.</p>
            ) : (
              <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-[max-content_1fr]">
                <dt>Rows affected</dt>
                <dd data-testid="preview-rows">{formatCount(preview.rows_changed)}</dd>
                <dt>Days</dt>
                <dd>{formatDate(preview.date_from)} – {formatDate(preview.date_to)}</dd>
                <dt>Spend</dt>
                <dd data-testid="preview-spend">{formatMoney(preview.spend_before, currency)} → {formatMoney(preview.spend_after, currency)}</dd>
                <dt>Summaries to rebuild</dt>
                <dd>{preview.summaries_refreshed}</dd>
              </dl>
            )}
            {preview.months.length > 0 && (
              <table className="w-full text-left tabular-nums" data-testid="preview-months">
                <caption className="mb-1 text-left font-medium">Impact per month</caption>
                <thead className="text-xs text-zinc-700 dark:text-zinc-300">
                  <tr>
                    <th scope="col" className="py-1 pr-4 font-medium">Month</th>
                    <th scope="col" className="py-1 pr-4 text-right font-medium">Rows</th>
                    <th scope="col" className="py-1 pr-4 font-medium">Spend before → after</th>
                    <th scope="col" className="py-1 text-right font-medium">Difference</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.months.map((m) => (
                    <tr key={m.month} data-testid="preview-month" data-month={m.month} className="border-t border-indigo-200 dark:border-indigo-900/60">
                      <th scope="row" className="py-1 pr-4 font-normal">{formatYearMonth(m.month)}</th>
                      <td className="py-1 pr-4 text-right">{formatCount(m.rows)}</td>
                      <td className="py-1 pr-4">{formatMoney(m.spend_before, currency)} → {formatMoney(m.spend_after, currency)}</td>
                      <td className="py-1 text-right">{formatMoneyDifference(m.spend_before, m.spend_after, currency)}</td>
                    </tr>
                  ))}
                </tbody>
                {preview.months.length > 1 && (
                  <tfoot className="font-medium">
                    <tr className="border-t border-indigo-300 dark:border-indigo-800">
                      <th scope="row" className="py-1 pr-4">Total</th>
                      <td className="py-1 pr-4 text-right">{formatCount(preview.rows_changed)}</td>
                      <td className="py-1 pr-4">{formatMoney(preview.spend_before, currency)} → {formatMoney(preview.spend_after, currency)}</td>
                      <td className="py-1 text-right">{formatMoneyDifference(preview.spend_before, preview.spend_after, currency)}</td>
                    </tr>
                  </tfoot>
                )}
              </table>
            )}
            {preview.what_if.length > 0 && <WhatIfTable months={preview.what_if} currency={currency} />}
            <div className="flex gap-2">
              <button
                type="button"
                className={primaryButtonClass}
                disabled={busy}
                onClick={() => apply.mutate(undefined, { onSuccess: (r) => { setApplied(r); setPreview(null) } })}
              >
                {apply.isPending ? 'Applying…' : 'Apply this rate'}
              </button>
              <button type="button" className={buttonClass} onClick={() => setPreview(null)}>Cancel</button>
            </div>
          </div>
        )}
        {apply.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(apply.error)}</Notice></div>}
        {applied && (
          <div className="mt-3">
            <Notice tone="good">
              <span data-testid="rate-applied">
                Applied: {formatCountOf(applied.rows_changed, 'row')} re-priced
                {applied.rows_changed > 0 && <> (spend {formatMoney(applied.spend_before, currency)} → {formatMoney(applied.spend_after, currency)})</>}; {applied.summaries_refreshed} summaries rebuilt.
              </span>
            </Notice>
          </div>
        )}
      </Card>

      <TargetRoasCard clientId={clientId} currency={currency} />

      <Card title="Timeline" id="timeline">
        {rates.isPending && <Loading label="Loading the rate card…" />}
        {rates.isError && <ErrorState error={rates.error} onRetry={() => void rates.refetch()} what="the rate card" />}
        {rates.data && (
          <CpmTimeline
            items={rates.data.items}
            currency={currency}
            unitLabel="CPM"
            changeLabel="Change this rate"
            testId="rate-timeline"
            empty="No rate yet: rows load without spend until one is added."
            onChange={(r) => { setDate(r.effective_date); setCpm(''); setPreview(null) }}
          />
        )}
      </Card>
    </AdminPage>
  )
}

/** What the proposed CPM gives, per month: the client's ROAS, the agency's margin, and the break-even CPM. */
function WhatIfTable({ months, currency }: { months: WhatIfMonth[]; currency: string }) {
  return (
    <table className="w-full text-left tabular-nums" data-testid="preview-what-if">
      <caption className="mb-1 text-left font-medium">What this CPM gives (admin only)</caption>
      <thead className="text-xs text-zinc-700 dark:text-zinc-300">
        <tr>
          <th scope="col" className="py-1 pr-4 font-medium">Month</th>
          <th scope="col" className="py-1 pr-4 text-right font-medium">Client ROAS</th>
          <th scope="col" className="py-1 pr-4 text-right font-medium">Spend</th>
          <th scope="col" className="py-1 pr-4 text-right font-medium">Agency margin</th>
          <th scope="col" className="py-1 text-right font-medium">Break-even CPM</th>
        </tr>
      </thead>
      <tbody>
        {months.map((m) => (
          <tr key={m.month} data-testid="what-if-month" data-month={m.month} className="border-t border-indigo-200 dark:border-indigo-900/60">
            <th scope="row" className="py-1 pr-4 font-normal">{formatYearMonth(m.month)}</th>
            <td className="py-1 pr-4 text-right">{formatRoas(m.roas)}</td>
            <td className="py-1 pr-4 text-right">{formatMoney(m.spend, currency)}</td>
            <td className="py-1 pr-4 text-right">{formatMoney(m.margin, currency)}{m.margin_ratio ? ` (${formatRate(m.margin_ratio)})` : ''}</td>
            <td className="py-1 text-right">{m.break_even_cpm ? formatUnitCost(m.break_even_cpm, currency) : 'set a target ROAS'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
