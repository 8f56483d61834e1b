// Plugin packages and their settings in the Settings view, against browser mode and real `npm pack`
// tarballs: install one (its permissions approved first), call its method in the API Explorer, change its
// settings (the running plugin uses them at once), upgrade it by dropping the new version (new version and
// added permission shown; saved settings that no longer fit fall back with a notice), and remove it: its
// methods leave the explorer without a reload. The window is narrow (760 px) throughout.
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { packTarball, temporaryFolder, writePackage } from '../test-support/plugin-packages'
import { useSession } from './support/session'
import { control, field, openView, pollAttribute, pollCount, pollText, WAIT } from './support/ui'

// The server's default grants: the page may call what the package exposes as soon as it is installed,
// because a page's grants follow from what loaded plugins expose (app/common/live-grants.ts).
const session = useSession()

/** The package's entry: one procedure that reads the plugin's settings, and a settings schema. */
function greeterSource(version: string, maxGreeting: number): string {
  return `definePlugin({
  id: 'greeter',
  version: ${JSON.stringify(version)},
  description: 'Greets people, as its settings say',
  permissions: ['system.read'${version === '2.0.0' ? ", 'storage.read'" : ''}],
  settings: z.object({
    greeting: z.string().min(1).max(${maxGreeting}).default('Hello').describe('What to say first'),
    excited: z.boolean().default(false),
  }),
  procedures: (p) => ({
    hello: p.procedure({
      input: z.object({ name: z.string().min(1) }),
      expose: true,
      handler: ({ name }, ctx) => {
        const { greeting, excited } = ctx.settings.get()
        return { message: greeting + ', ' + name + (excited ? '!' : '.'), version: ${JSON.stringify(version)} }
      },
    }),
  }),
})`
}

async function greeterTarball(version: string, maxGreeting: number): Promise<string> {
  const folder = await writePackage(await temporaryFolder(), {
    id: 'greeter',
    version,
    permissions: version === '2.0.0' ? ['system.read', 'storage.read'] : ['system.read'],
    defaultExport: greeterSource(version, maxGreeting),
  })
  return packTarball(folder)
}

/** Drops a file on an element the way a person dragging it from the file manager does. */
async function dropFile(page: Page, selector: string, path: string, name: string): Promise<void> {
  const bytes = [...(await readFile(path))]
  const transfer = await page.evaluateHandle(
    ({ bytes, name }) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/gzip' }))
      return data
    },
    { bytes, name },
  )
  await page.locator(selector).dispatchEvent('drop', { dataTransfer: transfer })
}

const card = (page: Page) => page.locator('.plugin-card[data-plugin="greeter"]')

async function callHello(page: Page, name: string): Promise<string> {
  await openView(page, 'explorer')
  await page.locator('[data-testid="method-list"] [data-method="greeter.hello"]').click()
  await field(page.locator('[data-testid="method-form"]'), 'Name').fill(name)
  await page.locator('[data-testid="call-method"]').click()
  await page.locator('[data-testid="call-outcome"][data-ok="true"]').waitFor(WAIT)
  return (await page.locator('[data-testid="call-result"]').textContent()) ?? ''
}

describe('plugin packages in the Settings view', { timeout: 180_000 }, () => {
  let v1 = ''
  let v2 = ''
  beforeAll(async () => {
    // Version 2 asks for one more permission, and allows shorter greetings than version 1 saved.
    ;[v1, v2] = await Promise.all([greeterTarball('1.0.0', 40), greeterTarball('2.0.0', 8)])
  }, 120_000)

  it('installs, calls, configures, upgrades and removes a package, live', async () => {
    const { page, screenshot } = await session.open()
    await page.setViewportSize({ width: 760, height: 900 })
    await openView(page, 'explorer')
    expect(await page.locator('[data-method^="greeter."]').count()).toBe(0)

    // Install from the file chooser: nothing runs before the permissions are approved.
    await openView(page, 'settings')
    await page.getByLabel(/Drop a .tgz made by npm pack here/).setInputFiles(v1)
    const dialog = page.locator('[role="dialog"]')
    await dialog.locator('[data-testid="package-review"][data-package="greeter"]').waitFor(WAIT)
    expect(await dialog.getAttribute('aria-label')).toBe('Install greeter 1.0.0?')
    expect(await dialog.locator('[data-permission]').evaluateAll((items) => items.map((item) => item.getAttribute('data-permission')))).toEqual(['system.read'])
    expect(await dialog.locator('[data-testid="package-has-settings"]').count()).toBe(1)
    expect(await card(page).count()).toBe(0)
    await screenshot('packages-approve')
    await dialog.getByRole('button', { name: 'Approve and install' }).click()
    await pollAttribute(page, '.plugin-card[data-plugin="greeter"]', 'data-state').toBe('active')
    await pollText(page, '[data-testid="package-installed"]').toContain('greeter')
    expect(await card(page).locator('[data-testid="installed-pill"]').count()).toBe(1)

    // Its method is in the explorer, without a reload, and answers with the default settings.
    expect(await callHello(page, 'Ada')).toContain('Hello, Ada.')

    // Its settings: a refused value is shown at its field (marked invalid), a valid one is used at once.
    await openView(page, 'settings')
    await card(page).locator('[data-testid="settings-toggle"]').click()
    const form = card(page).locator('[data-settings="greeter"]')
    await field(form, 'Greeting').fill('A greeting far longer than forty characters, refused')
    await form.locator('[data-testid="settings-save"]').click()
    await expect.poll(() => field(form, 'Greeting').getAttribute('aria-invalid'), WAIT).toBe('true')
    const describedBy = await field(form, 'Greeting').getAttribute('aria-describedby')
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/40/)
    await screenshot('packages-settings-error')
    await field(form, 'Greeting').fill('Good evening')
    await control(form, 'Excited').locator('input').check()
    await form.locator('[data-testid="settings-save"]').click()
    await form.locator('[data-testid="settings-saved"]').waitFor(WAIT)
    expect(await field(form, 'Greeting').getAttribute('aria-invalid')).toBeNull()
    await screenshot('packages-settings')
    expect(await callHello(page, 'Ada')).toContain('Good evening, Ada!')

    // Upgrade by dropping version 2: the new version and the added permission are shown first.
    await openView(page, 'settings')
    await dropFile(page, '[data-testid="package-drop"]', v2, 'greeter-2.0.0.tgz')
    await dialog.locator('[data-testid="package-review"]').waitFor(WAIT)
    expect(await dialog.getAttribute('aria-label')).toBe('Upgrade greeter from 1.0.0 to 2.0.0?')
    expect(await dialog.locator('[data-permission="storage.read"] .pill-new').count()).toBe(1)
    expect(await dialog.locator('[data-permission="system.read"] .pill-new').count()).toBe(0)
    await screenshot('packages-upgrade')
    await dialog.getByRole('button', { name: 'Approve and upgrade' }).click()
    await pollText(page, '[data-testid="package-installed"]').toContain('upgraded from 1.0.0')
    await pollText(page, '.plugin-card[data-plugin="greeter"] .plugin-title').toContain('v2.0.0')

    // "Good evening" no longer fits version 2 (8 characters at most): the defaults apply, and it says so.
    // The settings form, still open, follows the upgrade by itself.
    expect(await card(page).locator('[data-testid="settings-toggle"]').getAttribute('aria-expanded')).toBe('true')
    await card(page).locator('[data-testid="settings-notice"]').waitFor(WAIT)
    await expect.poll(() => field(form, 'Greeting').inputValue(), WAIT).toBe('Hello')
    expect(await card(page).locator('[data-testid="settings-notice"]').textContent()).toMatch(/no longer fit/)
    await screenshot('packages-settings-notice')
    expect(await callHello(page, 'Ada')).toContain('Hello, Ada.')

    // Remove it, with its data: its methods leave the open explorer without a reload.
    await openView(page, 'settings')
    await card(page).locator('[data-testid="remove-plugin"]').click()
    await dialog.locator('[data-testid="delete-data"]').check()
    await screenshot('packages-remove')
    await dialog.getByRole('button', { name: 'Remove' }).click()
    await pollText(page, '[data-testid="package-removed"]').toContain('with its data')
    await pollCount(page, '.plugin-card[data-plugin="greeter"]').toBe(0)
    await openView(page, 'explorer')
    await pollCount(page, '[data-testid="method-list"] [data-method^="greeter."]').toBe(0)
    expect(await page.locator('[data-testid="method-list"] [data-method="system.health"]').count()).toBe(1)

    // Nothing of the page is wider than the window, here or in the explorer.
    await screenshot('packages-explorer-narrow')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760)
    await openView(page, 'settings')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760)
  })
})
