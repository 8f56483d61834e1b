// Every view, light and dark, at 1280 and 760 px: screenshots in test-results/screenshots/ (looked at by
// a person), and at each size and theme the page must not scroll sideways. The theme follows the
// system's `prefers-color-scheme` until the sidebar's toggle picks one.
import { describe, expect, it } from 'vitest'
import { dropNode } from './support/canvas'
import { useSession } from './support/session'
import { openView, WAIT } from './support/ui'

const session = useSession()
const VIEWS = ['system', 'nodes', 'workflows', 'storage', 'explorer', 'settings'] as const

describe('every view, light and dark, wide and narrow', { timeout: 180_000 }, () => {
  it('follows the system theme, toggles it, and fits 1280 and 760 px without sideways scrolling', async () => {
    const { page, screenshot } = await session.open()
    // Something to show in the workflow editor.
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await dropNode(page, 'math.arithmetic', 80, 80)

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme']), WAIT).toBe(scheme)
      for (const width of [1280, 760]) {
        await page.setViewportSize({ width, height: 800 })
        for (const view of VIEWS) {
          await openView(page, view)
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
          expect(overflow, `${view} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0)
          await screenshot(`view-${view}-${scheme}-${width}`)
        }
      }
    }

    // The toggle overrides the system, survives a reload, and goes back to following the system.
    await page.emulateMedia({ colorScheme: 'light' })
    await page.locator('[data-testid="theme-toggle"]').click()
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme']), WAIT).toBe('dark')
    await page.reload()
    await page.locator('[data-testid="theme-toggle"][data-choice="dark"]').waitFor(WAIT)
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark')
    await page.locator('[data-testid="theme-toggle"]').click()
    await page.locator('[data-testid="theme-toggle"]').click()
    await page.locator('[data-testid="theme-toggle"][data-choice="system"]').waitFor(WAIT)
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light')
  })
})
