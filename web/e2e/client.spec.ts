import { expect, type Page, test } from '@playwright/test'
import { formatMetric, METRICS, type MetricKey } from '../src/format'
import { apiToken, clientUser, drillRows, login, stack, toCount, toUnits, url } from './helpers'

const COUNTS = ['impressions', 'clicks', 'conversions'] as const
const MONEY = ['spend', 'revenue'] as const

type Values = Record<(typeof COUNTS)[number] | (typeof MONEY)[number], bigint>

/** Read a table row's (or the KPI strip's) exact values from what the page shows. */
async function rowValues(row: ReturnType<Page['locator']>): Promise<Values> {
  const v = {} as Values
  for (const k of COUNTS) v[k] = toCount(await row.locator(`[data-col="${k}"]`).innerText())
  for (const k of MONEY) v[k] = toUnits(await row.locator(`[data-col="${k}"]`).innerText())
  return v
}

async function levelRows(page: Page) {
  const rows = await drillRows(page)
  const n = await rows.count()
  const all: (Values & { id: string; name: string })[] = []
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i)
    all.push({ ...(await rowValues(row)), id: (await row.getAttribute('data-id'))!, name: await row.locator('[data-col="name"]').innerText() })
  }
  return all
}

/** Counts sum exactly; money rows are each rounded to the cent, so their sum may differ by half a cent a row. */
function expectSumsTo(rows: Values[], parent: Values, what: string) {
  for (const k of COUNTS) expect(rows.reduce((s, r) => s + r[k], 0n), `${what}: ${k}`).toBe(parent[k])
  for (const k of MONEY) {
    const diff = rows.reduce((s, r) => s + r[k], 0n) - parent[k]
    expect(diff < 0n ? -diff : diff, `${what}: ${k} (cents)`).toBeLessThanOrEqual(BigInt(Math.ceil(rows.length / 2)))
  }
}

test('a client user sees its KPIs equal to the API, drills down, compares, downloads, reloads a deep link, is kept to its client and logs out', async ({ page, request }) => {
  const user = clientUser('acme-outdoor')
  const other = stack().demo_clients['northwind-coffee']!
  await page.goto(url('/'))
  await expect(page).toHaveURL(/\/login/)
  await login(page, user.email, user.password)
  await expect(page).toHaveURL(new RegExp(`/clients/${user.clientId}`))
  await expect(page.getByTestId('freshness')).toContainText('Data through')

  // ---- KPI cards equal the API's overview for the same range
  const kpis = page.getByTestId('kpis')
  const from = (await kpis.getAttribute('data-from'))!
  const to = (await kpis.getAttribute('data-to'))!
  const token = await apiToken(request, user.email, user.password)
  const res = await request.get(url(`/api/clients/${user.clientId}/overview?from=${from}&to=${to}`), { headers: { Authorization: `Bearer ${token}` } })
  expect(res.status()).toBe(200)
  const overview = await res.json()
  const currency = overview.currency ?? 'USD'
  for (const m of METRICS) {
    const card = page.getByTestId(`kpi-${m.key}`)
    await expect(card.getByTestId('kpi-value')).toHaveText(formatMetric(m.key as MetricKey, overview.totals[m.key], currency))
    await expect(card.getByTestId('kpi-previous')).toContainText(formatMetric(m.key as MetricKey, overview.previous[m.key], currency))
  }
  await expect(page.getByTestId('kpi-cpa').getByTestId('kpi-change')).toHaveAttribute('data-tone', overview.change.cpa.startsWith('-') ? 'good' : 'bad')

  // ---- drill campaign → strategy → placement → creative; each level sums to its parent
  const top: Values = {
    impressions: BigInt(overview.totals.impressions),
    clicks: BigInt(overview.totals.clicks),
    conversions: BigInt(overview.totals.conversions),
    spend: toUnits(overview.totals.spend),
    revenue: toUnits(overview.totals.revenue),
  }
  let parent = top
  let parentName = 'the KPIs'
  for (const level of ['campaign', 'strategy', 'placement', 'creative']) {
    await expect(page.getByTestId('drill')).toHaveAttribute('data-level', level)
    const rows = await levelRows(page)
    expectSumsTo(rows, parent, `${level} rows vs ${parentName}`)
    if (level === 'creative') break
    const next = rows[0]!
    await page.getByTestId('drill-row').first().locator('[data-col="name"] a').click()
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(next.name)
    parent = next
    parentName = next.name
  }
  const deepLink = page.url()
  expect(deepLink).toMatch(/\/campaigns\/[^/]+\/strategies\/[^/]+\/placements\/[^/?]+\?from=/)

  // ---- sort by a column (server-side), reflected in the URL
  await page.getByRole('button', { name: /^Clicks/ }).click()
  await expect(page).toHaveURL(/sort=clicks/)

  // ---- breadcrumbs lead back up
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'All campaigns' }).click()
  await expect(page.getByTestId('drill')).toHaveAttribute('data-level', 'campaign')

  // ---- comparison: none, then the same period last year
  await page.getByLabel('Compare to').selectOption('none')
  await expect(page).toHaveURL(/compare=none/)
  await expect(page.getByTestId('kpi-spend').getByTestId('kpi-change')).toHaveCount(0)
  const lastYear = page.waitForRequest((r) => r.url().includes('/overview') && r.url().includes('compare_from='))
  await page.getByLabel('Compare to').selectOption('last_year')
  await lastYear
  await expect(page).toHaveURL(/compare=last_year/)
  await expect(page.getByTestId('period')).toContainText(String(Number(from.slice(0, 4)) - 1))

  // ---- the trend by week: in the URL, and the table alternative lists weeks
  const weekly = page.waitForRequest((r) => r.url().includes('/timeseries') && r.url().includes('granularity=week'))
  await page.getByLabel('Granularity').selectOption('week')
  await weekly
  await expect(page).toHaveURL(/granularity=week/)
  await expect(page.locator('th', { hasText: 'Week of' })).toBeAttached() // inside the closed table alternative

  // ---- downloads, fetched with the session and saved under a clear name
  const csvDownload = page.waitForEvent('download')
  await page.getByLabel('Export level').selectOption('campaign')
  await page.getByRole('button', { name: 'Download CSV' }).click()
  const csv = await csvDownload
  expect(csv.suggestedFilename()).toBe(`acme-outdoor-campaigns-${from}_${to}.csv`)
  const csvText = (await (await csv.createReadStream()).toArray()).join('')
  expect(csvText.split('\n')[0]).toContain('campaign,impressions')
  const pdfDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'PDF report' }).click()
  const pdf = await pdfDownload
  expect(pdf.suggestedFilename()).toBe(`acme-outdoor-${from}_${to}.pdf`)
  const pdfBytes = Buffer.concat(await (await pdf.createReadStream()).toArray())
  expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-')

  // ---- a deep link survives a reload (the session is restored from the refresh cookie)
  await page.goto(deepLink)
  await page.reload()
  await expect(page.getByTestId('drill')).toHaveAttribute('data-level', 'creative')
  await expect(page.getByTestId('drill-row').first()).toBeVisible()

  // ---- another client's id: a not-found page and not a single request for its data
  const leaked: string[] = []
  page.on('request', (r) => {
    if (r.url().includes(`/api/clients/${other}`)) leaked.push(r.url())
  })
  await page.goto(url(`/clients/${other}?from=${from}&to=${to}`))
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
  await expect(page.getByTestId('kpis')).toHaveCount(0)
  expect(leaked).toEqual([])
  const direct = await request.get(url(`/api/clients/${other}/overview`), { headers: { Authorization: `Bearer ${token}` } })
  expect(direct.status()).toBe(404)

  // ---- logout ends the session: a reload stays signed out
  await page.goto(url(`/clients/${user.clientId}`))
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
  await page.goto(url(`/clients/${user.clientId}`))
  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
})

test('a next that the URL parser would take off-site lands on the dashboard here', async ({ page }) => {
  const user = clientUser()
  const origin = new URL(stack().web_url).origin
  for (const next of ['/\\evil.example/', '/\t/evil.example/']) {
    await login(page, user.email, user.password, next)
    expect(new URL(page.url()).origin, next).toBe(origin)
    await expect(page).toHaveURL(new RegExp(`/clients/${user.clientId}`))
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(/\/login/)
  }
})

test('a wrong password says so and signs nobody in', async ({ page }) => {
  await page.goto(url('/login'))
  await page.getByLabel('Email').fill(clientUser().email)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('do not match')
  await expect(page).toHaveURL(/\/login/)
})

test('two tabs refreshing at once both stay signed in', async ({ browser }) => {
  const user = clientUser('northwind-coffee')
  const context = await browser.newContext()
  const a = await context.newPage()
  await login(a, user.email, user.password)
  const b = await context.newPage()
  await b.goto(url(`/clients/${user.clientId}`))
  await expect(b.getByTestId('kpis')).toBeVisible()
  // Both tabs reload at once: each restores its session with the same refresh cookie.
  let refreshes = 0
  context.on('request', (r) => {
    if (r.url().endsWith('/api/auth/refresh')) refreshes += 1
  })
  await Promise.all([a.reload(), b.reload()])
  await expect(a.getByTestId('kpis')).toBeVisible()
  await expect(b.getByTestId('kpis')).toBeVisible()
  expect(refreshes).toBeGreaterThanOrEqual(1)
  // The session family is intact: a third tab still gets in, and the first can still navigate.
  const c = await context.newPage()
  await c.goto(url(`/clients/${user.clientId}/summaries/weekly`))
  await expect(c.getByTestId('summary-list')).toBeVisible()
  await a.reload()
  await expect(a.getByTestId('kpis')).toBeVisible()
  await context.close()
})
