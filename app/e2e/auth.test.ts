// A page without the token (or with a wrong one) gets the "not authorised" screen and nothing else.
import { describe, expect, it } from 'vitest'
import { openPage } from './support/browser'
import { useSession } from './support/session'
import { WAIT } from './support/ui'

const session = useSession()

describe('a page without the token', { timeout: 60_000 }, () => {
  it('shows "not authorised", loads no app code and opens no socket', async () => {
    const watched = await openPage(session.browser, session.server.origin + '/')
    const gate = watched.page.locator('[data-testid="not-authorised"]')
    await gate.waitFor(WAIT)
    expect(await gate.getAttribute('data-reason')).toBe('no-token')
    expect(await gate.textContent()).toContain('Not authorised')
    expect(watched.requests.some((url) => url.startsWith('ws:'))).toBe(false)
    expect(watched.requests.some((url) => /\/assets\/app-[^/]*\.js$/.test(url))).toBe(false)
    expect(await watched.page.locator('.sidebar').count()).toBe(0)
    expect(watched.problems).toEqual([])
    await watched.screenshot('not-authorised')
    await watched.page.context().close()
  })

  it('shows "not authorised" when the host refuses the token', async () => {
    const watched = await openPage(session.browser, `${session.server.origin}/?token=not-the-token`)
    const gate = watched.page.locator('[data-testid="not-authorised"]')
    await gate.waitFor(WAIT)
    expect(await gate.getAttribute('data-reason')).toBe('refused')
    expect(watched.requests.some((url) => /\/assets\/app-[^/]*\.js$/.test(url))).toBe(false)
    expect(await watched.page.locator('.sidebar').count()).toBe(0)
    await watched.page.context().close()
  })
})
