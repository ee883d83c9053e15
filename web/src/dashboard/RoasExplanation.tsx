/** "Why ROAS moved": the overview's exact split of the ROAS change into CTR, CVR, AOV and CPM,
 * as the API's sentence and one bar per driver (its effect on ROAS). Shown under the KPI cards. */
import { formatChange } from '../format'
import { driverBars, type RoasExplained } from './explain'
import { TONE as TONE_CLASSES } from './KpiCards'

const BAR = { good: 'bg-emerald-500 dark:bg-emerald-400', bad: 'bg-rose-500 dark:bg-rose-400', neutral: 'bg-zinc-300 dark:bg-zinc-600' } as const

export function RoasExplanation({ explained }: { explained: RoasExplained }) {
  if (!explained.available) {
    return (
      <section id="roas-why" aria-labelledby="roas-why-title" data-testid="roas-why" data-available="false" className="scroll-mt-20 rounded-xl border border-zinc-200 bg-white px-4 py-3 text-sm shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="roas-why-title" className="font-semibold text-zinc-800 dark:text-zinc-100">Why ROAS moved</h2>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400" data-testid="roas-why-reason">
          Not broken down: {explained.reason}.
        </p>
      </section>
    )
  }
  const bars = driverBars(explained)
  return (
    <section id="roas-why" aria-labelledby="roas-why-title" data-testid="roas-why" data-available="true" className="scroll-mt-20 rounded-xl border border-zinc-200 bg-white p-4 shadow-sm sm:p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="roas-why-title" className="text-sm font-semibold text-zinc-800 dark:text-zinc-100">Why ROAS moved</h2>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">ROAS = CTR × CVR × AOV ÷ CPM: the four effects multiply to the ROAS change</p>
      </div>
      <p className="mt-2 text-base font-medium text-zinc-900 dark:text-zinc-50" data-testid="roas-why-message">{explained.message}</p>
      <ul className="mt-3 grid gap-x-6 gap-y-2 sm:grid-cols-2" aria-label="Effect of each driver on ROAS">
        {bars.map((b) => (
          <li key={b.metric} data-testid={`roas-driver-${b.metric}`} data-tone={b.tone} className="min-w-0">
            <div className="flex items-baseline justify-between gap-2 text-xs">
              <span className="truncate text-zinc-700 dark:text-zinc-300">
                <abbr title={b.name} className="font-semibold no-underline">{b.label}</abbr> {formatChange(b.change) === '0.0%' ? 'unchanged' : formatChange(b.change)}
              </span>
              <span className={`shrink-0 rounded-full px-1.5 py-0.5 font-medium tabular-nums ${TONE_CLASSES[b.tone]}`}>
                {formatChange(b.effect)} ROAS
              </span>
            </div>
            <div className="mt-1 h-2 rounded-full bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
              <div className={`h-2 rounded-full ${BAR[b.tone]}`} style={{ width: `${b.width}%` }} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
