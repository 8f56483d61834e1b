// The Settings view against browser mode: turning a plugin off (with the cascade it needs) removes its
// methods from the explorer and makes calls to it fail with PLUGIN_DISABLED; turning it back on brings
// them back, all without a reload.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { openView, pollAttribute, pollCount, pollText, WAIT } from './support/ui'

const session = useSession()

const methodsOf = (page: Page, plugin: string) => page.locator(`[data-testid="method-list"] [data-method^="${plugin}."]`)
const toggleOf = (page: Page, plugin: string) => page.locator(`.plugin-card[data-plugin="${plugin}"] input[role="switch"]`)

describe('the Settings view', { timeout: 90_000 }, () => {
  it('disables a plugin with its dependents and enables them again, live', async () => {
    const { page, screenshot } = await session.open()

    // The explorer has a node method open: it stays open when its plugin goes away.
    await openView(page, 'explorer')
    expect(await methodsOf(page, 'node').count()).toBeGreaterThan(0)
    expect(await methodsOf(page, 'workflow').count()).toBeGreaterThan(0)
    await page.locator('[data-method="node.listTypes"]').click()

    // Turning `node` off is refused (workflow needs it): the dialog names the cascade.
    await openView(page, 'settings')
    await toggleOf(page, 'node').click()
    const dialog = page.locator('[role="dialog"]')
    await dialog.waitFor(WAIT)
    expect(await dialog.textContent()).toContain('workflow')
    await screenshot('settings-cascade')
    await dialog.locator('.btn-danger').click()
    await pollAttribute(page, '.plugin-card[data-plugin="node"]', 'data-state').toBe('disabled')
    await pollAttribute(page, '.plugin-card[data-plugin="workflow"]', 'data-state').toBe('disabled')
    await pollText(page, '.nav-item[data-view="nodes"] .nav-badge').toBe('disabled')
    await screenshot('settings')

    // The explorer lists neither plugin's methods any more; the open one says so, and calling it fails.
    await openView(page, 'explorer')
    await pollCount(page, '[data-testid="method-list"] [data-method^="node."]').toBe(0)
    expect(await methodsOf(page, 'workflow').count()).toBe(0)
    expect(await methodsOf(page, 'storage').count()).toBeGreaterThan(0)
    await page.locator('[data-testid="method-unavailable"]').waitFor(WAIT)
    await page.locator('[data-testid="call-method"]').click()
    await page.locator('[data-testid="call-outcome"] [data-testid="error"][data-code="PLUGIN_DISABLED"]').waitFor(WAIT)
    await screenshot('explorer-plugin-disabled')

    // The Nodes view says the plugin is off instead of failing.
    await openView(page, 'nodes')
    await page.locator('[data-testid="plugin-unavailable"][data-plugin="node"]').waitFor(WAIT)
    await screenshot('nodes-disabled')

    // Turning `workflow` back on needs `node` first: confirmed, both come back.
    await openView(page, 'settings')
    await toggleOf(page, 'workflow').click()
    await dialog.waitFor(WAIT)
    expect(await dialog.textContent()).toContain('node')
    await dialog.locator('.btn-primary').click()
    await pollAttribute(page, '.plugin-card[data-plugin="workflow"]', 'data-state').toBe('active')
    await pollAttribute(page, '.plugin-card[data-plugin="node"]', 'data-state').toBe('active')

    await openView(page, 'explorer')
    await expect.poll(() => methodsOf(page, 'node').count(), WAIT).toBeGreaterThan(0)
    expect(await methodsOf(page, 'workflow').count()).toBeGreaterThan(0)
    await page.locator('[data-testid="method-unavailable"]').waitFor({ state: 'detached', ...WAIT })
    await page.locator('[data-testid="call-method"]').click()
    await page.locator('[data-testid="call-outcome"][data-ok="true"]').waitFor(WAIT)

    // And the Nodes view works again, without a reload.
    await openView(page, 'nodes')
    await page.locator('[data-type="core.constant"]').waitFor(WAIT)

    // The System view recorded every change as it happened.
    await openView(page, 'system')
    await pollCount(page, '[data-testid="activity"] .row').toBe(4)
    await screenshot('system')
  })
})
