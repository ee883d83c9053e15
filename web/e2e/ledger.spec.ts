/**
 * The margin ledger in the admin portal (issue 18), against the real local stack with demo
 * data (the seed gives each client a buy cost at 72% of its CPM and a target ROAS of 3):
 * the overview's margin column; the margin page (totals, daily chart, per campaign); the
 * buy-cost card's preview then apply; the rate card's target ROAS, break-even CPM and the
 * what-if per month in its preview; closing a month refuses a rate change inside it and
 * reopening lifts it. Each page: axe, the 375 px check and a screenshot.
 */
import { expect, type Page, test } from '@playwright/test'
import { checkPage, stack, url } from './helpers'

function monthsAgo(n: number): string {
  const d = new Date()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - n)
  return d.toISOString().slice(0, 7)
}

async function adminLogin(page: Page) {
  await page.goto(url('/login'))
  await page.getByLabel('Email').fill(stack().admin_email)
  await page.getByLabel('Password').fill(stack().admin_password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Agency overview' })).toBeVisible()
}

async function shoot(page: Page, name: string) {
  // no loading state left (the chart's own live region, Recharts', is not one)
  await expect(page.locator('main [role="status"]:not([data-testid])', { hasText: 'Loading' })).toHaveCount(0)
  await checkPage(page, name)
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true })
}

test.describe.configure({ mode: 'serial' })

test('the admin reads and steers the margin ledger', async ({ page }) => {
  test.setTimeout(180_000)
  await adminLogin(page)
  const acme = stack().demo_clients['acme-outdoor']!

  // ---- the overview has a margin column: the demo's 28% margin
  const row = page.getByTestId('overview-acme-outdoor')
  await expect(row.getByTestId('overview-margin')).toContainText('28.00%')
  await shoot(page, '40-ledger-overview')

  // ---- the margin page: totals, chart, campaigns
  await page.goto(url(`/admin/clients/${acme}/margin`))
  await expect(page.getByTestId('margin-ratio')).toHaveText('28.00%')
  await expect(page.getByTestId('margin-total')).toContainText('$')
  await expect(page.getByTestId('margin-campaign-rows').getByRole('row')).not.toHaveCount(0)
  await expect(page.getByTestId('break-even-cpm')).toContainText('$')
  await shoot(page, '41-ledger-margin')

  // ---- the buy cost: preview, then apply, on the client page
  await page.goto(url(`/admin/clients/${acme}`))
  const card = page.getByRole('region', { name: 'Buy cost (partner CPM)' })
  await expect(card.getByTestId('buy-cost-timeline')).toBeVisible()
  const from = `${monthsAgo(0)}-01`
  await card.getByLabel('Buy CPM').fill('3.3333')
  await card.getByLabel('Effective from').fill(from)
  await card.getByRole('button', { name: 'Preview' }).click()
  await expect(card.getByTestId('buy-cost-preview')).toContainText('$3.33')
  await expect(card.getByTestId('buy-cost-month').first()).toBeVisible()
  await shoot(page, '42-ledger-buy-cost-preview')
  await card.getByRole('button', { name: 'Apply this buy cost' }).click()
  await expect(card.getByTestId('buy-cost-applied')).toBeVisible()
  await expect(card.getByTestId('buy-cost-timeline')).toContainText('$3.33')

  // ---- closed months: close last month
  const months = page.getByRole('region', { name: 'Closed months' })
  const last = monthsAgo(1)
  await months.getByLabel('Month').fill(last)
  await months.getByRole('button', { name: 'Close month' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Close month' }).click()
  await expect(months.getByTestId('closed-months')).toContainText('closed')
  await shoot(page, '43-ledger-client-page')

  // ---- the rate card: target ROAS, break-even, what-if; a rate inside the closed month is refused
  await page.goto(url(`/admin/clients/${acme}/rate-card`))
  await expect(page.getByTestId('break-even')).toContainText('3.00×')
  await page.getByLabel('CPM', { exact: true }).fill('9')
  await page.getByLabel('Effective from').fill(`${last}-15`)
  await page.getByRole('button', { name: 'Preview' }).click()
  await expect(page.getByRole('region', { name: 'Add or change a rate' }).getByRole('alert')).toContainText(`month ${last} is closed`)
  await page.getByLabel('Effective from').fill(`${monthsAgo(0)}-01`)
  await page.getByRole('button', { name: 'Preview' }).click()
  const whatIf = page.getByTestId('preview-what-if')
  await expect(whatIf).toBeVisible()
  await expect(whatIf.getByTestId('what-if-month').first()).toContainText('×')
  await shoot(page, '44-ledger-rate-what-if')
  await page.getByRole('button', { name: 'Cancel' }).click()

  // ---- reopening lifts it (and is logged)
  await page.goto(url(`/admin/clients/${acme}`))
  await months.getByRole('button', { name: /^Reopen/ }).click()
  await expect(months.getByText('No month is closed.')).toBeVisible()
  await months.getByText(/^Log/).click()
  await expect(months.getByTestId('month-events')).toContainText('reopened')
  await page.goto(url(`/admin/clients/${acme}/rate-card`))
  await page.getByLabel('CPM', { exact: true }).fill('9')
  await page.getByLabel('Effective from').fill(`${last}-15`)
  await page.getByRole('button', { name: 'Preview' }).click()
  await expect(page.getByTestId('rate-preview')).toBeVisible()
})

test('the margin page on a phone in dark mode', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, colorScheme: 'dark', deviceScaleFactor: 1 })
  const page = await context.newPage()
  await adminLogin(page)
  await page.goto(url(`/admin/clients/${stack().demo_clients['acme-outdoor']!}/margin`))
  await expect(page.getByTestId('margin-totals')).toBeVisible()
  await shoot(page, '45-ledger-margin-phone-dark')
  await context.close()
})
