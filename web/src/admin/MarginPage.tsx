/**
 * A client's margin ledger (admin only): spend (what the client pays) against cost (what the
 * agency pays the partner) for a period — totals, a daily chart with a table alternative, and
 * per campaign; plus the client's target ROAS and the break-even CPM it implies.
 */
import { useState } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { useTheme } from '../app/theme'
import { Card, ErrorState, inputClass, Loading, primaryButtonClass, buttonClass } from '../app/ui'
import { formatCompact, formatCount, formatCountOf, formatMoney, formatRate, formatRoas, formatShortDate, formatUnitCost } from '../format'
import { adminApi, type MarginReport, useAdminClient, useAdminMutation, useMargin } from './api'
import { AdminPage, daysAgo, errorMessage, Field, Notice, TableFrame, td, th } from './ui'

export function MarginPage() {
  const { clientId = '' } = useParams()
  const [params, setParams] = useSearchParams()
  const to = params.get('to') ?? daysAgo(1)
  const from = params.get('from') ?? daysAgo(30)
  const client = useAdminClient(clientId)
  const margin = useMargin(clientId, from, to)
  const currency = client.data?.currency ?? 'USD'
  const set = (next: Record<string, string>) => setParams({ from, to, ...next }, { replace: true })
  return (
    <AdminPage
      title={`Margin${client.data ? ` — ${client.data.name}` : ''}`}
      description={
        <span className="flex flex-wrap gap-x-3">
          <Link to={`/admin/clients/${clientId}`} className="underline">Back to the client</Link>
          <Link to={`/admin/clients/${clientId}/rate-card`} className="underline">Rate card</Link>
          <span className="text-zinc-500 dark:text-zinc-400">Admin only: client users never see cost or margin.</span>
        </span>
      }
    >
      <Card>
        <div className="flex flex-wrap items-end gap-3">
          <Field label="From">{(id) => <input id={id} type="date" className={inputClass} value={from} max={to} onChange={(e) => e.target.value && set({ from: e.target.value })} />}</Field>
          <Field label="To">{(id) => <input id={id} type="date" className={inputClass} value={to} min={from} onChange={(e) => e.target.value && set({ to: e.target.value })} />}</Field>
        </div>
      </Card>
      {margin.isPending && <Loading label="Loading the margin…" />}
      {margin.isError && <ErrorState error={margin.error} onRetry={() => void margin.refetch()} what="the margin" />}
      {margin.data && <MarginBody report={margin.data} currency={currency} />}
      <TargetRoasCard clientId={clientId} currency={currency} />
    </AdminPage>
  )
}

function Tile({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <Card>
      <p className="text-sm text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className="text-2xl font-semibold tabular-nums" data-testid={testId}>{value}</p>
      {hint && <p className="text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
    </Card>
  )
}

function MarginBody({ report, currency }: { report: MarginReport; currency: string }) {
  const t = report.totals
  return (
    <>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="margin-totals">
        <Tile label="Spend (billed to the client)" value={formatMoney(t.spend, currency)} />
        <Tile label="Cost (paid to the partner)" value={formatMoney(t.cost, currency)} hint={report.current_buy_cpm ? `Buy CPM today ${formatUnitCost(report.current_buy_cpm, currency)}` : 'No buy cost in force today'} />
        <Tile label="Margin" value={formatMoney(t.margin, currency)} testId="margin-total" />
        <Tile label="Margin %" value={t.margin_ratio ? formatRate(t.margin_ratio) : '—'} hint={report.uncosted_days ? `${formatCountOf(report.uncosted_days, 'day')} without a buy cost ${report.uncosted_days === 1 ? 'is' : 'are'} left out` : undefined} testId="margin-ratio" />
      </div>
      <Card title="Spend, cost and margin per day" id="margin-chart">
        {report.series.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No data in this period.</p>
        ) : (
          <MarginChart report={report} currency={currency} />
        )}
      </Card>
      <Card title="Per campaign" id="margin-campaigns">
        {report.campaigns.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No campaigns with data in this period.</p>
        ) : (
          <TableFrame label="Margin per campaign">
            <thead>
              <tr>
                <th className={th}>Campaign</th>
                <th className={`${th} text-right`}>Impressions</th>
                <th className={`${th} text-right`}>Spend</th>
                <th className={`${th} text-right`}>Cost</th>
                <th className={`${th} text-right`}>Margin</th>
                <th className={`${th} text-right`}>Margin %</th>
                <th className={`${th} text-right`}>ROAS</th>
              </tr>
            </thead>
            <tbody data-testid="margin-campaign-rows">
              {report.campaigns.map((c) => (
                <tr key={c.id}>
                  <td className={td}>{c.name}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatCount(c.impressions)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatMoney(c.spend, currency)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatMoney(c.cost, currency)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatMoney(c.margin, currency)}</td>
                  <td className={`${td} text-right tabular-nums`}>{c.margin_ratio ? formatRate(c.margin_ratio) : '—'}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatRoas(c.roas)}</td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
        )}
      </Card>
    </>
  )
}

const plot = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v))

function MarginChart({ report, currency }: { report: MarginReport; currency: string }) {
  const theme = useTheme()
  const grid = theme === 'dark' ? '#27272a' : '#e4e4e7'
  const tick = theme === 'dark' ? '#a1a1aa' : '#71717a'
  const data = report.series.map((d) => ({ date: d.date, spend: plot(d.spend), cost: plot(d.cost), margin: plot(d.margin) }))
  return (
    <div>
      <div className="h-64 w-full" role="img" aria-label="Spend and cost bars with the margin line, per day. A table of the same values follows.">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={grid} vertical={false} />
            <XAxis dataKey="date" tickFormatter={formatShortDate} tick={{ fill: tick, fontSize: 12 }} tickLine={false} axisLine={{ stroke: grid }} minTickGap={28} />
            <YAxis tickFormatter={(v: number) => formatCompact(v, 'money', currency)} tick={{ fill: tick, fontSize: 12 }} tickLine={false} axisLine={false} width={56} />
            <Tooltip labelFormatter={(label) => formatShortDate(String(label))} formatter={(value, name) => [formatMoney(value === null || value === undefined ? null : String(value), currency), String(name)]} />
            <Bar dataKey="spend" name="Spend" fill={theme === 'dark' ? '#818cf8' : '#4f46e5'} isAnimationActive={false} />
            <Bar dataKey="cost" name="Cost" fill={theme === 'dark' ? '#71717a' : '#a1a1aa'} isAnimationActive={false} />
            <Line dataKey="margin" name="Margin" stroke={theme === 'dark' ? '#34d399' : '#047857'} strokeWidth={2.25} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="mt-3 flex flex-wrap gap-4 text-xs text-zinc-500 dark:text-zinc-400" aria-hidden="true">
        <span className="inline-flex items-center gap-1.5"><span className="size-3 rounded-sm bg-indigo-600 dark:bg-indigo-400" /> Spend</span>
        <span className="inline-flex items-center gap-1.5"><span className="size-3 rounded-sm bg-zinc-400 dark:bg-zinc-500" /> Cost</span>
        <span className="inline-flex items-center gap-1.5"><span className="h-0.5 w-5 rounded bg-emerald-700 dark:bg-emerald-400" /> Margin</span>
      </div>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-indigo-700 hover:underline dark:text-indigo-300">Show the values as a table</summary>
        <div tabIndex={0} role="region" aria-label="Daily margin values" className="mt-2 max-h-72 overflow-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm tabular-nums" data-testid="margin-series">
            <caption className="sr-only">Spend, cost and margin per day</caption>
            <thead className="sticky top-0 bg-zinc-50 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-3 py-1.5">Day</th>
                <th scope="col" className="px-3 py-1.5 text-right">Buy CPM</th>
                <th scope="col" className="px-3 py-1.5 text-right">Spend</th>
                <th scope="col" className="px-3 py-1.5 text-right">Cost</th>
                <th scope="col" className="px-3 py-1.5 text-right">Margin</th>
              </tr>
            </thead>
            <tbody>
              {report.series.map((d) => (
                <tr key={d.date} className="border-t border-zinc-100 dark:border-zinc-800">
                  <th scope="row" className="px-3 py-1 font-normal">{formatShortDate(d.date)}</th>
                  <td className="px-3 py-1 text-right">{d.buy_cpm ? formatUnitCost(d.buy_cpm, currency) : '—'}</td>
                  <td className="px-3 py-1 text-right">{formatMoney(d.spend, currency)}</td>
                  <td className="px-3 py-1 text-right">{formatMoney(d.cost, currency)}</td>
                  <td className="px-3 py-1 text-right">{formatMoney(d.margin, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  )
}

/** The client's target ROAS (editable) and the break-even CPM it implies over the last 30 days. */
export function TargetRoasCard({ clientId, currency }: { clientId: string; currency: string }) {
  const margin = useMargin(clientId)
  const [text, setText] = useState('')
  const save = useAdminMutation((value: string | null) => adminApi.setTargetRoas(clientId, value))
  const target = margin.data?.target_roas
  return (
    <Card title="Target ROAS and break-even CPM" id="target-roas">
      {margin.isError && <ErrorState error={margin.error} what="the break-even CPM" />}
      {margin.data && (
        <dl className="mb-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]" data-testid="break-even">
          <dt>Target ROAS</dt>
          <dd className="tabular-nums">{target ? formatRoas(target) : 'not set'}</dd>
          <dt>Break-even CPM (last 30 days)</dt>
          <dd className="tabular-nums" data-testid="break-even-cpm">{margin.data.break_even_cpm ? formatUnitCost(margin.data.break_even_cpm, currency) : target ? 'no impressions' : 'set a target ROAS'}</dd>
          <dt>Buy CPM today</dt>
          <dd className="tabular-nums">{margin.data.current_buy_cpm ? formatUnitCost(margin.data.current_buy_cpm, currency) : 'none'}</dd>
        </dl>
      )}
      <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">Break-even CPM = 1000 × revenue ÷ (target ROAS × impressions): the CPM at which the client's ROAS equals its target.</p>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          save.mutate(text.trim(), { onSuccess: () => setText('') })
        }}
      >
        <Field label="New target ROAS">{(id) => <input id={id} required inputMode="decimal" pattern="\d{1,6}(\.\d{1,6})?" className={inputClass} value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. 4" />}</Field>
        <button type="submit" className={primaryButtonClass} disabled={save.isPending || !text.trim()}>Save target</button>
        {target && <button type="button" className={buttonClass} onClick={() => save.mutate(null)}>Clear</button>}
      </form>
      {save.isError && <div className="mt-3"><Notice tone="bad">{errorMessage(save.error)}</Notice></div>}
    </Card>
  )
}
