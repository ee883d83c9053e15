/**
 * Issue 18 in the browser: the ROAS explanation under the KPI cards and the month-end pacing
 * card (with the budget the admin sets on the client page), equal to the API, light and dark,
 * desktop and 375 px, with screenshots in test-results/screenshots/.
 */
import { expect, type Page, test } from '@playwright/test'
import { formatChange, formatMoney } from '../src/format'
import { apiToken, checkPage, clientUser, login, stack, url } from './helpers'

async function api(page: Page, path: string, token: string) {
  const res = await page.request.get(url(`/api${path}`), { headers: { Authorization: `Bearer ${token}` } })
  expect(res.status(), path).toBe(200)
  return res.json()
}

test('the ROAS change is explained under the KPI cards, exactly as the API splits it', async ({ browser }) => {
  const user = clientUser('acme-outdoor')
  for (const [variant, viewport, scheme] of [
    ['desktop', { width: 1280, height: 900 }, 'light'],
    ['phone', { width: 375, height: 812 }, 'dark'],
  ] as const) {
    const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await login(page, user.email, user.password)
    const kpis = page.getByTestId('kpis')
    const from = (await kpis.getAttribute('data-from'))!
    const to = (await kpis.getAttribute('data-to'))!
    const token = await apiToken(page.request, user.email, user.password)
    const overview = await api(page, `/clients/${user.clientId}/overview?from=${from}&to=${to}`, token)
    const explained = overview.change.roas_explained
    expect(explained.available).toBe(true)

    const why = page.getByTestId('roas-why')
    await expect(why).toHaveAttribute('data-available', 'true')
    await expect(why.getByTestId('roas-why-message')).toHaveText(explained.message)
    // the sentence starts with the same ROAS change the ROAS card shows
    expect(explained.change).toBe(overview.change.roas)
    for (const d of explained.drivers) {
      const tile = page.getByTestId(`roas-driver-${d.metric}`)
      const tone = /^[-+]?0*(\.0*)?$/.test(d.contribution) ? 'neutral' : d.contribution.startsWith('-') ? 'bad' : 'good'
      await expect(tile).toHaveAttribute('data-tone', tone)
      await expect(tile).toContainText(`${formatChange(d.contribution_change)} ROAS`)
    }
    // the ROAS card links to it
    await page.getByTestId('kpi-roas').getByTestId('kpi-roas-why').click()
    await expect(page).toHaveURL(/#roas-why$/)
    await checkPage(page, `roas explanation (${variant}, ${scheme})`, { overflow: variant === 'phone' })
    // the cards and the explanation together, below the sticky header
    // (on a phone, from the ROAS card: the last of the ten)
    await page.getByTestId(variant === 'phone' ? 'kpi-roas' : 'kpis').evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80))
    await page.screenshot({ path: `test-results/screenshots/18-roas-why-${variant}-${scheme}.png`, fullPage: false })

    // without a comparison there is nothing to explain
    await page.goto(url(`/clients/${user.clientId}?from=${from}&to=${to}&compare=none`))
    await expect(page.getByTestId('kpis')).toBeVisible()
    await expect(page.getByTestId('roas-why')).toHaveCount(0)
    await context.close()
  }
})

test('the admin sets a monthly budget and the client paces against it', async ({ browser }) => {
  const user = clientUser('northwind-coffee')
  const s = stack()

  // ---- the admin's client page: a bad amount is refused in the form, a good one is saved
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  await admin.goto(url('/login'))
  await admin.getByLabel('Email').fill(s.admin_email)
  await admin.getByLabel('Password').fill(s.admin_password)
  await admin.getByRole('button', { name: 'Sign in' }).click()
  // signed in before navigating: a goto while the login request is in flight aborts it
  await expect(admin.getByRole('heading', { name: 'Agency overview' })).toBeVisible()
  await admin.goto(url(`/admin/clients/${user.clientId}`))
  const card = admin.locator('section', { has: admin.getByRole('heading', { name: 'Monthly budget' }) })
  await card.getByTestId('budget-input').fill('12.345')
  await card.getByRole('button', { name: 'Save budget' }).click()
  await expect(card.getByRole('alert')).toContainText('at most 2 decimals')
  await card.getByTestId('budget-input').fill('90000.00')
  await card.getByRole('button', { name: 'Save budget' }).click()
  await expect(card.getByText('Budget saved.')).toBeVisible()
  await expect(card.getByTestId('budget-current')).toHaveText('Current budget: $90,000.00 a month.')
  await checkPage(admin, 'admin client page with the budget card')
  await admin.screenshot({ path: 'test-results/screenshots/18-admin-budget-desktop-light.png', fullPage: true })

  // ---- the client's pacing card equals the API, in both themes, at 375 px too
  for (const [variant, viewport, scheme] of [
    ['desktop', { width: 1280, height: 900 }, 'light'],
    ['phone', { width: 375, height: 812 }, 'dark'],
  ] as const) {
    const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await login(page, user.email, user.password)
    const token = await apiToken(page.request, user.email, user.password)
    const pacing = await api(page, `/clients/${user.clientId}/pacing`, token)
    expect(pacing.budget).toBe('90000.00')
    const currency = pacing.currency
    const body = page.getByTestId('pacing')
    await expect(body).toBeVisible()
    await expect(body).toHaveAttribute('data-status', pacing.status)
    await expect(page.getByTestId('pacing-spent').getByTestId('pacing-value')).toHaveText(formatMoney(pacing.month_to_date.spend, currency))
    await expect(page.getByTestId('pacing-forecast').getByTestId('pacing-value')).toHaveText(formatMoney(pacing.forecast_month.spend, currency))
    await expect(page.getByTestId('pacing-budget').getByTestId('pacing-value')).toHaveText('$90,000.00')
    const verdict = page.getByTestId('pacing-verdict')
    await expect(verdict).toHaveAttribute('data-tone', pacing.status === 'over' ? 'bad' : 'good')
    const size = formatMoney(pacing.over_under.replace(/^-/, ''), currency)
    await expect(verdict).toContainText(pacing.status === 'on_budget' ? 'On budget' : `${size} ${pacing.status} budget`)
    await expect(page.getByTestId('pacing-bar-budget')).toBeVisible()
    await expect(page.getByTestId('pacing-days').locator('rect')).toHaveCount(pacing.days_in_month)
    await checkPage(page, `pacing card (${variant}, ${scheme})`, { overflow: variant === 'phone' })
    await page.locator('#pacing-title').evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80))
    await page.screenshot({ path: `test-results/screenshots/18-pacing-${variant}-${scheme}.png`, fullPage: false })
    await context.close()
  }

  // ---- a budget far below the forecast reads as over, in the bad colour; clearing it removes the marker
  const adminToken = await apiToken(admin.request, s.admin_email, s.admin_password)
  const patch = (monthly_budget: string | null) =>
    admin.request.patch(url(`/api/admin/clients/${user.clientId}`), { headers: { Authorization: `Bearer ${adminToken}` }, data: { monthly_budget } })
  expect((await patch('1000.00')).status()).toBe(200)
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })).newPage()
  await login(page, user.email, user.password)
  await expect(page.getByTestId('pacing')).toHaveAttribute('data-status', 'over')
  await expect(page.getByTestId('pacing-verdict')).toHaveAttribute('data-tone', 'bad')
  await page.locator('#pacing-title').evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80))
  await page.screenshot({ path: 'test-results/screenshots/18-pacing-over-desktop-dark.png', fullPage: false })
  expect((await patch(null)).status()).toBe(200)
  await page.reload()
  await expect(page.getByTestId('pacing')).toHaveAttribute('data-status', 'none')
  await expect(page.getByTestId('pacing-budget').getByTestId('pacing-value')).toHaveText('Not set')
  await expect(page.getByTestId('pacing-bar-budget')).toHaveCount(0)
  // the demo's own budget back, for the other suites
  expect((await patch('60000.00')).status()).toBe(200)
})
