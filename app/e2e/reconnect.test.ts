// A tab open across a restart of the server: it stops retrying, says the server stopped or restarted and
// how to reconnect, marks what it shows as not live; the new address brings it back with fresh data.
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { openView, WAIT } from './support/ui'

const session = useSession()

describe('a tab across a server restart', { timeout: 60_000 }, () => {
  it('says the server restarted and how to reconnect, instead of retrying for ever over stale data', async () => {
    const { page, screenshot, problems } = await session.open()
    await openView(page, 'system')
    await page.locator('[data-testid="live"]').waitFor(WAIT)

    await session.restart()
    const banner = page.locator('[data-testid="connection-banner"][data-state="lost"]')
    await banner.waitFor(WAIT)
    expect(await banner.textContent()).toMatch(/stopped or was restarted.*open the new address/s)
    await page.locator('[data-testid="stale"]').waitFor(WAIT)
    expect(await page.locator('[data-testid="live"]').count()).toBe(0)
    expect(await page.locator('[data-testid="link-state"]').getAttribute('data-state')).toBe('lost')
    await screenshot('reconnect-lost')
    // The attempts before it gave up were refused connections, which Chromium logs as console errors: expected here.
    expect(problems.every((problem) => problem.includes('ERR_CONNECTION_REFUSED'))).toBe(true)
    problems.length = 0

    // What the banner says to do: open the new address. The tab is back, live.
    await page.goto(session.server.url)
    await openView(page, 'system')
    await page.locator('[data-testid="live"]').waitFor(WAIT)
    expect(await page.locator('[data-testid="connection-banner"]').count()).toBe(0)
  })
})
