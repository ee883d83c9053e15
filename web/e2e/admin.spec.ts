/**
 * The admin portal against the real local stack: the agency overview flags the demo's failed
 * file; a client is created with an advertiser and a CPM, then its user (who logs in, in a
 * second browser context); a CSV uploaded through the browser (presigned POST to the
 * emulated S3, then the S3-triggered ingestion) shows up on that user's dashboard; a rate
 * change is previewed (in total and per month), applied and moves spend by the previewed amount; a failed upload's
 * run shows its reason and rejected rows and is retried; disabling the user ends its open
 * session. Then every admin page: axe and the 375 px check, with screenshots.
 */
import { type Browser, expect, type Page, test } from '@playwright/test'
import { checkPage, stack, toUnits, url } from './helpers'

const NAME = `Zephyr Gear ${Date.now().toString(36)}`
const ADVERTISER = `${NAME} Co`
const USER_EMAIL = `buyer-${Date.now().toString(36)}@zephyr.example`

function day(offset: number): string {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() - offset)
  return d.toISOString().slice(0, 10)
}

const HEADER = 'Date,Advertiser,Campaign,Strategy,Placement,Creative,Impressions,Clicks,Conversions,Conversion Revenue'
/** 30,000 impressions over two days: spend at CPM 5.00 is $150.00, at 6.00 $180.00. */
const GOOD_CSV = [
  HEADER,
  `${day(2)},${ADVERTISER},Launch,Prospecting,news.example,Banner A,10000,100,10,500.00`,
  `${day(1)},${ADVERTISER},Launch,Prospecting,news.example,Banner A,20000,200,20,700.00`,
].join('\n')
/** One row of three rejected (clicks > impressions): over the 1 % threshold, so the file fails with its rejects. */
const BAD_CSV = [
  HEADER,
  `${day(1)},${ADVERTISER},Launch,Retargeting,news.example,Banner B,1000,10,1,10.00`,
  `${day(1)},${ADVERTISER},Launch,Retargeting,news.example,Banner C,1000,5000,1,10.00`,
  `${day(1)},${ADVERTISER},Launch,Retargeting,news.example,Banner D,1000,10,1,10.00`,
].join('\n')

async function adminLogin(page: Page) {
  await page.goto(url('/login'))
  await page.getByLabel('Email').fill(stack().admin_email)
  await page.getByLabel('Password').fill(stack().admin_password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Agency overview' })).toBeVisible()
}

async function upload(page: Page, name: string, body: string) {
  await page.goto(url('/admin/ingestions'))
  await page.getByLabel('CSV file (.csv or .csv.gz)').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(body) })
  await page.getByRole('button', { name: 'Upload' }).click()
  await expect(page.getByTestId('upload-result')).toBeVisible({ timeout: 30_000 })
  return page.getByTestId('upload-result')
}

async function spendOnDashboard(page: Page): Promise<bigint> {
  await page.reload()
  const value = page.getByTestId('kpi-spend').getByTestId('kpi-value')
  await expect(value).toBeVisible()
  return toUnits(await value.innerText())
}

async function clientContext(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  return { context, page: await context.newPage() }
}

test.describe.configure({ mode: 'serial' })

test('the admin runs the agency from the portal', async ({ page, browser }) => {
  test.setTimeout(180_000)
  await adminLogin(page)

  // ---- the overview flags the demo's failed file, linked to its run
  const failed = page.getByTestId('failed-files')
  await expect(failed).toContainText('_broken.csv')
  await failed.getByRole('link', { name: /_broken\.csv/ }).first().click()
  await expect(page.getByTestId('run-message')).toContainText('clicks')
  // the steps its alert email gave: ask for the column, then re-run
  const steps = page.getByTestId('run-what-to-do').getByRole('listitem')
  await expect(steps.first()).toContainText("include the column 'clicks'")
  await expect(steps.last()).toContainText('Re-run the file')

  // ---- create a client with an advertiser and a CPM
  await page.goto(url('/admin/clients'))
  await page.getByLabel('Name', { exact: true }).fill(NAME)
  await expect(page.getByLabel('Slug')).toHaveValue(/^zephyr-gear-/)
  await page.getByLabel('Advertiser names').fill(ADVERTISER)
  await page.getByLabel('CPM', { exact: true }).fill('5.00')
  await page.getByLabel('CPM effective from').fill('2020-01-01')
  await page.getByRole('button', { name: 'Create client' }).click()
  await expect(page.getByRole('heading', { name: NAME })).toBeVisible()
  const clientId = page.url().split('/').pop()!

  // ---- create its user; the temporary password is shown once
  await page.goto(url('/admin/users'))
  const newUser = page.locator('#new-user-title').locator('..').locator('..')
  await newUser.getByLabel('Email').fill(USER_EMAIL)
  await newUser.getByLabel('Client').selectOption({ label: NAME })
  await page.getByRole('button', { name: 'Create user' }).click()
  const password = (await page.getByTestId('password-value').innerText()).trim()
  expect(password.length).toBeGreaterThanOrEqual(12)
  await page.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByTestId('temporary-password')).toHaveCount(0)

  // ---- ... who logs in in a second context and sees an empty dashboard
  const buyer = await clientContext(browser)
  await buyer.page.goto(url('/login'))
  await buyer.page.getByLabel('Email').fill(USER_EMAIL)
  await buyer.page.getByLabel('Password').fill(password)
  await buyer.page.getByRole('button', { name: 'Sign in' }).click()
  await expect(buyer.page).toHaveURL(new RegExp(`/clients/${clientId}`))
  // a client user never sees the admin navigation, and an admin URL is not allowed
  await expect(buyer.page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0)
  await buyer.page.goto(url('/admin'))
  await expect(buyer.page.getByTestId('not-allowed')).toBeVisible()

  // ---- upload a CSV through the browser; its run succeeds and the numbers appear
  const result = await upload(page, 'zephyr daily.csv', GOOD_CSV)
  await expect(result).toContainText('success')
  await expect(result).toContainText('2 rows loaded')
  await buyer.page.goto(url(`/clients/${clientId}`))
  expect(await spendOnDashboard(buyer.page)).toBe(15000n)
  await expect(buyer.page.getByTestId('kpi-impressions').getByTestId('kpi-value')).toHaveText('30,000')

  // ---- preview a rate change, then apply it: spend moves by the previewed amount
  await page.goto(url(`/admin/clients/${clientId}/rate-card`))
  await expect(page.getByTestId('rate-timeline')).toContainText('$5.00')
  await page.getByLabel('CPM', { exact: true }).fill('6.00')
  await page.getByLabel('Effective from').fill('2020-01-01')
  await page.getByRole('button', { name: 'Preview' }).click()
  await expect(page.getByTestId('preview-rows')).toHaveText('2')
  await expect(page.getByTestId('preview-spend')).toHaveText('$150.00 → $180.00')
  // per calendar month: day(2) is 10,000 impressions ($50 → $60), day(1) 20,000 ($100 → $120)
  const monthName = (iso: string) =>
    new Date(`${iso}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })
  const months = page.getByTestId('preview-month')
  if (day(2).slice(0, 7) === day(1).slice(0, 7)) {
    await expect(months).toHaveCount(1)
    await expect(months.first()).toHaveText([monthName(day(1)), '2', '$150.00 → $180.00', '+$30.00'].join(''))
  } else {
    await expect(months).toHaveCount(2)
    await expect(months.nth(0)).toHaveText([monthName(day(2)), '1', '$50.00 → $60.00', '+$10.00'].join(''))
    await expect(months.nth(1)).toHaveText([monthName(day(1)), '1', '$100.00 → $120.00', '+$20.00'].join(''))
  }
  expect(await spendOnDashboard(buyer.page)).toBe(15000n) // a preview changes nothing
  await page.getByRole('button', { name: 'Apply this rate' }).click()
  await expect(page.getByTestId('rate-applied')).toContainText('2 rows re-priced')
  expect(await spendOnDashboard(buyer.page)).toBe(18000n)

  // ---- a failed upload: its reason and rejected rows, then a retry
  const bad = await upload(page, 'zephyr broken.csv', BAD_CSV)
  await expect(bad).toContainText('failed')
  await bad.getByRole('link', { name: 'Open the run' }).click()
  await expect(page.getByTestId('run-message')).toContainText('reject')
  const rejected = page.getByTestId('rejected-rows')
  await expect(rejected.locator('tr')).toHaveCount(1)
  await expect(rejected).toContainText('clicks')
  await expect(rejected.locator('td').first()).toHaveText('3')
  await page.getByRole('button', { name: 'Retry this file' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Retry' }).click()
  await expect(page.getByTestId('retry-result')).toContainText('failed')
  // back on the failed run later: it names its retry, and a failed retry settles nothing
  await page.reload()
  await expect(page.getByTestId('retried-by')).toContainText('This file was retried: failed')
  await expect(page.getByTestId('run-what-to-do')).toContainText('reject threshold')

  // ---- the alert log lists the failure with its run
  await page.goto(url('/admin/alerts'))
  await expect(page.getByTestId('alerts')).toContainText('zephyr')
  // filters live in the URL; any filter but the page resets the page
  const filters = page.getByRole('form', { name: 'Filters' })
  await filters.getByLabel('Kind').selectOption('ingestion_failed')
  await expect(page).toHaveURL(/kind=ingestion_failed/)
  await expect(page.getByTestId('alerts')).toContainText('zephyr')
  await filters.getByLabel('To').fill('2001-01-01')
  await expect(page).toHaveURL(/to=2001-01-01/)
  await expect(page.getByText('No alerts match these filters.')).toBeVisible()
  await page.goto(url(`/admin/ingestions?status=failed&client_id=${clientId}`))
  await expect(filters.getByLabel('Client')).toHaveValue(clientId)
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(page).toHaveURL(/\/admin\/ingestions$/)

  // ---- disabling the user ends its open session
  await page.goto(url(`/admin/users?email=${encodeURIComponent(USER_EMAIL)}`))
  await page.getByTestId(`user-${USER_EMAIL}`).getByRole('button', { name: 'Disable' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click()
  await expect(page.getByTestId(`user-${USER_EMAIL}`)).toContainText('disabled')
  await buyer.page.goto(url(`/clients/${clientId}`))
  await expect(buyer.page).toHaveURL(/\/login/)
  await buyer.context.close()
})

const PAGES = [
  ['10-admin-overview', '/admin', 'Agency overview'],
  ['11-admin-clients', '/admin/clients', 'Clients'],
  ['13-admin-users', '/admin/users', 'Users'],
  ['14-admin-runs', '/admin/ingestions', 'Ingestion runs'],
  ['16-admin-summaries', '/admin/summaries', 'Summaries backfill'],
  ['17-admin-alerts', '/admin/alerts', 'Alert log'],
] as const

for (const variant of [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, scheme: 'light' as const },
  { name: 'phone', viewport: { width: 375, height: 812 }, scheme: 'dark' as const },
]) {
  test(`every admin page: ${variant.name}, ${variant.scheme}`, async ({ browser }) => {
    test.setTimeout(120_000)
    const context = await browser.newContext({ viewport: variant.viewport, colorScheme: variant.scheme, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await adminLogin(page)
    const acme = stack().demo_clients['acme-outdoor']!
    const shoot = async (name: string) => {
      await expect(page.locator('main [role="status"]:not([data-testid])')).toHaveCount(0)
      await checkPage(page, `${name} (${variant.name})`)
      await page.screenshot({ path: `test-results/screenshots/${name}-${variant.name}-${variant.scheme}.png`, fullPage: true })
    }
    for (const [name, path, heading] of PAGES) {
      await page.goto(url(path))
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible()
      await shoot(name)
    }
    await page.goto(url(`/admin/clients/${acme}`))
    await expect(page.getByRole('heading', { name: 'Branding' })).toBeVisible()
    await shoot('12-admin-client')
    await page.goto(url(`/admin/clients/${acme}/rate-card`))
    await expect(page.getByTestId('rate-timeline')).toBeVisible()
    await shoot('12b-admin-rate-card')
    await page.goto(url('/admin/ingestions?status=failed'))
    await page.getByTestId('runs').getByRole('link').first().click()
    await expect(page.getByTestId('run-message')).toBeVisible()
    await shoot('15-admin-run')
    await context.close()
  })
}
