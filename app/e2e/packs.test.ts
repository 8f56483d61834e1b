// The node packs in the Settings view, against browser mode: the shell pack is off, its form shows the
// warning before the person switches it on (saving settings is tested through system.setPluginSettings in
// plugins/packs.integration.test.ts), and a pack switched off leaves the node catalog live.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { control, openView, pollAttribute, WAIT } from './support/ui'

const session = useSession()

const card = (page: Page, plugin: string) => page.locator(`.plugin-card[data-plugin="${plugin}"]`)

describe('the node packs in the Settings view', { timeout: 90_000 }, () => {
  it('shows the shell warning before the person switches it on', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'settings')
    await card(page, 'shell').locator('[data-testid="settings-toggle"]').click()
    const form = card(page, 'shell').locator('[data-settings="shell"]')
    await form.waitFor(WAIT)
    const enabled = control(form, 'Enabled')
    // the field's description (shown at least while the field has focus) is the warning
    await enabled.locator('input').focus()
    await expect.poll(() => enabled.textContent(), WAIT).toMatch(/Warning: switching this on lets workflows run programs on this computer/)
    expect(await enabled.locator('input').isChecked()).toBe(false)
    await screenshot('packs-shell-warning')
  })

  it('switches a pack off and on: its node types leave and come back', async () => {
    const { page } = await session.open()
    await openView(page, 'nodes')
    await page.getByText('HTTP request').first().waitFor(WAIT)
    await openView(page, 'settings')
    await card(page, 'http').locator('input[role="switch"]').click()
    await pollAttribute(page, '.plugin-card[data-plugin="http"]', 'data-state').toBe('disabled')
    await openView(page, 'nodes')
    await page.getByText('Code').first().waitFor(WAIT)
    expect(await page.getByText('HTTP request').count()).toBe(0)
    await openView(page, 'settings')
    await card(page, 'http').locator('input[role="switch"]').click()
    await pollAttribute(page, '.plugin-card[data-plugin="http"]', 'data-state').toBe('active')
    await openView(page, 'nodes')
    await page.getByText('HTTP request').first().waitFor(WAIT)
  })
})
