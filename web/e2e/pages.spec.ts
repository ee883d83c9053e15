/**
 * Every page, light and dark, desktop and phone: axe (no serious/critical violation) in both
 * themes and widths, no horizontal overflow at 375 px, and a full-page screenshot in test-results/screenshots/.
 */
import { expect, type Page, test } from '@playwright/test'
import { checkPage, clientUser, drillRows, login, stack, url } from './helpers'

const VARIANTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 812 } },
] as const
const SCHEMES = ['light', 'dark'] as const

/** axe on desktop-light and phone-dark (so every page is checked in both themes and at both widths); overflow at 375 px. */
async function shoot(page: Page, name: string, variant: string, scheme: string) {
  // Loading states are gone (the chart's tooltip is a status region too: not ours).
  await expect(page.locator('main [role="status"]:not(.recharts-default-tooltip)')).toHaveCount(0)
  const axe = (variant === 'desktop') === (scheme === 'light')
  await checkPage(page, `${name} (${variant}, ${scheme})`, { axe, overflow: variant === 'phone' })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: `test-results/screenshots/${name}-${variant}-${scheme}.png`, fullPage: true })
}

for (const v of VARIANTS) {
  for (const scheme of SCHEMES) {
    test(`every client page: ${v.name}, ${scheme}`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: v.viewport, colorScheme: scheme, deviceScaleFactor: 1 })
      const page = await context.newPage()
      const user = clientUser('acme-outdoor')

      await page.goto(url('/login'))
      await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
      await shoot(page, '01-login', v.name, scheme)

      await login(page, user.email, user.password)
      await drillRows(page)
      await expect(page.locator('.recharts-surface')).toBeVisible()
      await shoot(page, '02-dashboard', v.name, scheme)

      await (await drillRows(page)).first().locator('[data-col="name"] a').click()
      await expect(page.getByTestId('drill')).toHaveAttribute('data-level', 'strategy')
      await drillRows(page)
      await shoot(page, '03-strategies', v.name, scheme)

      for (const level of ['placement', 'creative']) {
        await (await drillRows(page)).first().locator('[data-col="name"] a').click()
        await expect(page.getByTestId('drill')).toHaveAttribute('data-level', level)
      }
      await drillRows(page)
      await shoot(page, '04-creatives', v.name, scheme)

      for (const kind of ['weekly', 'monthly']) {
        await page.getByRole('link', { name: kind === 'weekly' ? 'Weekly summaries' : 'Monthly summaries' }).click()
        await expect(page.getByTestId('summary-list')).toBeVisible()
        await shoot(page, `05-${kind}-list`, v.name, scheme)
        await page.getByTestId('summary-list').getByRole('link').first().click()
        await expect(page.getByRole('heading', { name: 'Top campaigns' })).toBeVisible()
        // Creative names repeat across strategies and placements: each row gives its path.
        await expect(page.getByRole('table', { name: 'Top creatives' }).getByRole('rowheader').first()).toContainText(/ › .+ › /)
        // The rankings say who qualifies; only a weekly summary has under-performers.
        await expect(page.getByText(/^Campaigns with at least [\d,]+ impressions, by conversions/)).toBeVisible()
        await expect(page.getByRole('heading', { name: 'Under-performers' })).toHaveCount(kind === 'weekly' ? 1 : 0)
        // A monthly summary shows its three months of spend, conversions and ROAS.
        const trend = page.getByRole('table', { name: 'Spend, conversions and ROAS over the last three months' })
        await expect(trend).toHaveCount(kind === 'monthly' ? 1 : 0)
        if (kind === 'monthly') {
          await expect(trend.getByRole('columnheader')).toHaveCount(6)
          await expect(trend.getByRole('rowheader')).toHaveText(['Spend', 'Conversions', 'ROAS'])
        }
        await shoot(page, `06-${kind}-detail`, v.name, scheme)
      }

      await page.goto(url(`/clients/${stack().demo_clients['northwind-coffee']}`))
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
      await shoot(page, '07-not-found', v.name, scheme)
      await context.close()
    })
  }
}

test('the admin picks the client from the switcher (desktop and phone)', async ({ browser }) => {
  for (const v of VARIANTS) {
    const context = await browser.newContext({ viewport: v.viewport, colorScheme: 'light' })
    const page = await context.newPage()
    await login(page, stack().admin_email, stack().admin_password, `/clients/${stack().demo_clients['acme-outdoor']}`)
    const switcher = page.getByLabel('Client')
    await expect(switcher).toBeVisible()
    await switcher.selectOption(stack().demo_clients['northwind-coffee']!)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northwind Coffee')
    await expect(page.getByTestId('drill-row').first()).toBeVisible()
    await shoot(page, '08-admin-dashboard', v.name, 'light')
    await context.close()
  }
})
