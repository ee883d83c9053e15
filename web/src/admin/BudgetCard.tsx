/** A client's monthly media budget (the client dashboard's pacing card measures against it):
 * set to the cent in the client's currency, or cleared. */
import { useEffect, useState } from 'react'
import { api, unwrap } from '../api/client'
import { buttonClass, Card, inputClass, primaryButtonClass } from '../app/ui'
import { formatMoney } from '../format'
import { type AdminClient, useAdminMutation } from './api'
import { errorMessage, Field, Notice } from './ui'

const AMOUNT = /^\d{1,14}(\.\d{1,2})?$/

async function saveBudget(clientId: string, monthly_budget: string | null) {
  return unwrap(await api.PATCH('/admin/clients/{client_id}', { params: { path: { client_id: clientId } }, body: { monthly_budget } }))
}

export function BudgetCard({ client }: { client: AdminClient }) {
  const current = client.monthly_budget ?? null
  const [amount, setAmount] = useState(current ?? '')
  const [invalid, setInvalid] = useState<string | null>(null)
  useEffect(() => setAmount(current ?? ''), [current])
  const save = useAdminMutation((value: string | null) => saveBudget(client.id, value))
  const currency = client.currency
  return (
    <Card title="Monthly budget" id="budget">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault()
          const text = amount.trim().replace(/,/g, '')
          if (!AMOUNT.test(text)) return setInvalid(`Enter an amount in ${currency} with at most 2 decimals, e.g. 25000.00.`)
          setInvalid(null)
          save.mutate(text)
        }}
      >
        <Field label={`Budget per calendar month (${currency})`} hint="The client's dashboard paces its spend against it.">
          {(id) => <input id={id} inputMode="decimal" className={`${inputClass} w-44`} value={amount} placeholder="25000.00" onChange={(e) => setAmount(e.target.value)} data-testid="budget-input" />}
        </Field>
        <button type="submit" className={primaryButtonClass} disabled={save.isPending}>Save budget</button>
        {current && (
          <button type="button" className={buttonClass} disabled={save.isPending} onClick={() => save.mutate(null)}>
            Clear
          </button>
        )}
      </form>
      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400" data-testid="budget-current">
        {current ? `Current budget: ${formatMoney(current, currency)} a month.` : 'No budget set.'}
      </p>
      {(invalid || save.isError) && <div className="mt-3"><Notice tone="bad">{invalid ?? errorMessage(save.error)}</Notice></div>}
      {save.isSuccess && !invalid && <div className="mt-3"><Notice tone="good">{save.data.monthly_budget ? 'Budget saved.' : 'Budget cleared.'}</Notice></div>}
    </Card>
  )
}
