// The web benchmark's browser half (run by bench/web.py against a running local stack).
// Prints one JSON object: navigation → KPI cards and drill-down click → new rows in the real
// browser, each beside the API calls alone measured in the same run, and the first screen's
// gzipped JavaScript.
import { chromium } from '@playwright/test'
import { gzipSync } from 'node:zlib'

const stack = JSON.parse(process.env.STACK_JSON)
const repeat = Number(process.env.BENCH_WEB_REPEAT ?? 7)
const web = stack.web_url
const user = stack.demo_users[0]
const clientId = Object.values(stack.demo_clients)[0]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const now = () => performance.now()

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
})
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
const page = await context.newPage()

// First screen's JavaScript: every script the dashboard loads on a cold cache, gzipped here.
const scripts = new Map()
page.on('response', async (r) => {
  if (r.request().resourceType() === 'script' && r.ok()) scripts.set(r.url(), await r.body().catch(() => Buffer.alloc(0)))
})
await page.goto(`${web}/login`)
await page.getByLabel('Email').fill(user.email)
await page.getByLabel('Password').fill(user.password)
await page.getByRole('button', { name: 'Sign in' }).click()
await page.getByTestId('kpis').waitFor()
await page.locator('.recharts-surface').waitFor()
await page.getByTestId('drill-row').first().waitFor()
const kpis = page.getByTestId('kpis')
const from = await kpis.getAttribute('data-from')
const to = await kpis.getAttribute('data-to')
const js = [...scripts].map(([url, body]) => ({ file: new URL(url).pathname, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }))
const chartChunks = js.filter((s) => /TrendChart/.test(s.file))
const gzipAll = js.reduce((s, x) => s + x.gzip, 0)
const gzipBeforeChart = gzipAll - chartChunks.reduce((s, x) => s + x.gzip, 0)

const period = `from=${from}&to=${to}&compare=previous`
const dashboard = `${web}/clients/${clientId}?${period}`

// 1. Navigation (full page load, session restored from the cookie) → KPI values on screen.
const nav = []
for (let i = 0; i < repeat + 1; i++) {
  const t0 = now()
  await page.goto(dashboard)
  await page.getByTestId('kpi-spend').getByTestId('kpi-value').waitFor()
  await page.waitForFunction(() => !document.querySelector('[data-testid="kpis"]')?.className.includes('opacity'))
  if (i > 0) nav.push(now() - t0) // the first is a warm-up
}

// The API calls the first screen waits for, alone, from the same browser: refresh, clients, overview.
const apiNav = []
for (let i = 0; i < repeat + 1; i++) {
  const ms = await page.evaluate(async ({ clientId, from, to }) => {
    const t0 = performance.now()
    const r = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    const { access_token } = await r.json()
    const h = { Authorization: `Bearer ${access_token}` }
    await (await fetch('/api/clients?limit=500', { headers: h })).json()
    await (await fetch(`/api/clients/${clientId}/overview?from=${from}&to=${to}`, { headers: h })).json()
    return performance.now() - t0
  }, { clientId, from, to })
  if (i > 0) apiNav.push(ms)
}

// 2. Drill-down click → the strategies of the campaign on screen (back to the top level between clicks).
const drill = []
let campaignId = null
let requestsAfterClick = []
page.on('request', (r) => requestsAfterClick.push(new URL(r.url()).pathname))
for (let i = 0; i < repeat + 1; i++) {
  await page.goto(dashboard)
  const first = page.getByTestId('drill-row').first()
  await first.waitFor()
  campaignId = await first.getAttribute('data-id')
  await page.waitForLoadState('networkidle') // a settled page: the user reads before clicking
  requestsAfterClick = []
  const t0 = now()
  await first.locator('[data-col="name"] a').click()
  await page.locator('[data-testid="drill"][data-level="strategy"] [data-testid="drill-row"]').first().waitFor()
  if (i > 0) drill.push(now() - t0)
}
await page.goto(dashboard)
await page.getByTestId('drill-row').first().waitFor()
const apiDrill = []
for (let i = 0; i < repeat + 1; i++) {
  const ms = await page.evaluate(async ({ clientId, from, to, campaignId }) => {
    const r = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    const { access_token } = await r.json()
    const t0 = performance.now()
    const q = new URLSearchParams({ from, to, sort: 'spend', order: 'desc', limit: '25', offset: '0', campaign_id: campaignId })
    await (await fetch(`/api/clients/${clientId}/strategies?${q}`, { headers: { Authorization: `Bearer ${access_token}` } })).json()
    return performance.now() - t0
  }, { clientId, from, to, campaignId })
  if (i > 0) apiDrill.push(ms)
}
await browser.close()

console.log(
  JSON.stringify({
    repeat,
    navigation_to_kpis_ms: Math.round(median(nav)),
    navigation_api_alone_ms: Math.round(median(apiNav)),
    drilldown_click_to_rows_ms: Math.round(median(drill)),
    drilldown_api_alone_ms: Math.round(median(apiDrill)),
    first_screen_js_gzip_bytes: gzipAll,
    first_screen_js_gzip_without_chart_bytes: gzipBeforeChart,
    requests_after_drill_click: requestsAfterClick,
    scripts: js,
  }),
)
