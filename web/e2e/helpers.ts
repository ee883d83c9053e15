import AxeBuilder from '@axe-core/playwright'
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import type { Stack } from './global-setup'

export function stack(): Stack {
  return JSON.parse(process.env.STACK_JSON ?? '{}') as Stack
}

export const url = (path: string) => new URL(path, stack().web_url).toString()

export function clientUser(slug = 'acme-outdoor') {
  const name = slug === 'acme-outdoor' ? 'Acme Outdoor' : 'Northwind Coffee'
  const user = stack().demo_users.find((u) => u.client === name)
  if (!user) throw new Error(`no demo user for ${slug}`)
  return { ...user, clientId: stack().demo_clients[slug]! }
}

/** Sign in and wait for a dashboard's KPIs (`next`: the page to land on; the admin's home is the overview). */
export async function login(page: Page, email: string, password: string, next?: string) {
  await page.goto(url(next ? `/login?next=${encodeURIComponent(next)}` : '/login'))
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByTestId('kpis')).toBeVisible()
}

/** The drill-down's rows once they are this level's own: while the next level loads, the
 * table keeps the previous rows, dimmed and `aria-busy`, under the new level. */
export async function drillRows(page: Page) {
  await expect(page.getByTestId('drill-row').first()).toBeVisible()
  await expect(page.getByTestId('drill-table')).not.toHaveAttribute('aria-busy', 'true')
  return page.getByTestId('drill-row')
}

/** The test's own session, for reading the API directly (bearer mode, as a script would). */
export async function apiToken(request: APIRequestContext, email: string, password: string): Promise<string> {
  const res = await request.post(url('/api/auth/login'), { data: { email, password } })
  expect(res.status()).toBe(200)
  return (await res.json()).access_token
}

/** "$12,345.67" → 1234567n cents; "1,234" → 1234n. Exact, no floats. */
export function toUnits(text: string): bigint {
  const t = text.replace(/[^0-9.-]/g, '')
  const [whole, frac = ''] = t.split('.')
  return BigInt(`${whole}${frac.padEnd(2, '0').slice(0, 2)}`)
}
export const toCount = (text: string) => BigInt(text.replace(/[^0-9-]/g, ''))

/** axe: no serious or critical violation; and no horizontal page overflow at the current width. */
export async function checkPage(page: Page, name: string, { axe = true, overflow = true } = {}) {
  if (axe) await checkAxe(page, name)
  if (overflow) {
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(over, `horizontal overflow on ${name}`).toBeLessThanOrEqual(0)
  }
}

async function checkAxe(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`), `axe on ${name}`).toEqual([])
}
