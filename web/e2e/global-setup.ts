/**
 * Starts the real local stack (`python -m local.demo`, demo data) on free ports with its own
 * state directory, waits for its stack.json to list the web origin and the demo users, and
 * returns the teardown that stops it (SIGINT: the demo stops everything it started).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CHROMIUM } from '../playwright.config'

const REPO = resolve(import.meta.dirname, '..', '..')
const PYTHON = join(REPO, '.venv', 'bin', 'python')

export interface Stack {
  web_url: string
  api_url: string
  admin_email: string
  admin_password: string
  demo_clients: Record<string, string>
  demo_users: { email: string; password: string; client: string }[]
}

function checkBrowser() {
  if (existsSync(CHROMIUM)) return
  const how = 'apt-get update && apt-get install -y chromium   (Debian/Ubuntu, as root; ~80 s)'
  if (process.env.CI === 'true') throw new Error(`CI: Chromium is missing at ${CHROMIUM}. .ci/run must install it: ${how}`)
  throw new Error(`The browser tests need Chromium at ${CHROMIUM} (Playwright must not download its own). Install it with:\n  ${how}\nor point CHROMIUM_PATH at another Chromium.`)
}

async function waitForStack(file: string, child: ChildProcess, log: () => string): Promise<Stack> {
  const deadline = Date.now() + 240_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`local.demo exited with ${child.exitCode}:\n${log()}`)
    if (existsSync(file)) {
      try {
        const stack = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stack>
        if (stack.web_url && stack.demo_users?.length) return stack as Stack
      } catch {
        // being written
      }
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`local.demo did not publish web_url and demo users within 240 s:\n${log()}`)
}

export default async function globalSetup() {
  checkBrowser()
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'index.html'))) throw new Error('web/dist is not built: run `make web` first (make web-e2e does)')
  const state = mkdtempSync(join(tmpdir(), 'web-e2e-stack-'))
  let output = ''
  const child = spawn(PYTHON, ['-m', 'local.demo'], {
    cwd: REPO,
    env: { ...process.env, PYTHONPATH: REPO, LOCAL_STATE_DIR: state, API_PORT: '0', WEB_PORT: '0', S3_PORT: '0', BCRYPT_ROUNDS: '4' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT')
      await new Promise<void>((done) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL')
          done()
        }, 30_000)
        child.once('exit', () => {
          clearTimeout(t)
          done()
        })
      })
    }
    rmSync(state, { recursive: true, force: true })
  }
  try {
    const stack = await waitForStack(join(state, 'stack.json'), child, () => output.slice(-4000))
    process.env.WEB_URL = stack.web_url
    process.env.STACK_JSON = JSON.stringify(stack)
  } catch (e) {
    await stop()
    throw e
  }
  return stop
}
