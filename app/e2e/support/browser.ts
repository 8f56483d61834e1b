/**
 * A Chromium driven by playwright-core: the one the e2e globalSetup found (tools/chromium/find-chromium.ts,
 * never a browser downloaded by a test tool). Every page records what would be a silent failure in a
 * person's browser: console errors, uncaught exceptions, CSP violations.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { repoRoot } from './build-renderer'


export const screenshotDir = join(repoRoot, 'test-results', 'screenshots')

export function launchBrowser(): Promise<Browser> {
  const found = inject('chromium')
  return chromium.launch({ executablePath: found.executablePath, args: [...found.args], env: { ...process.env, ...found.env } })
}

export interface WatchedPage {
  readonly page: Page
  /** Console errors, page errors and CSP violations seen so far. */
  readonly problems: string[]
  /** Every URL the page requested (documents, scripts, sockets). */
  readonly requests: string[]
  /** Writes `test-results/screenshots/<name>.png`. */
  screenshot(name: string): Promise<void>
}

/** A new page (1280x800, like the desktop window) in a fresh context. */
export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('request', (request) => requests.push(request.url()))
  page.on('websocket', (socket) => requests.push(socket.url()))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`))
  })
  await page.goto(url)
  return {
    page,
    problems,
    requests,
    async screenshot(name) {
      mkdirSync(screenshotDir, { recursive: true })
      // From the top: a full-page capture keeps the scroll position, and sticky parts would stick there.
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled' })
    },
  }
}
