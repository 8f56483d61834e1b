// The Storage view against browser mode: a value written in the UI survives a restart of the server
// (same data folder, new port and token), and can be edited and deleted.
import { describe, expect, it } from 'vitest'
import { clientOf } from './support/client'
import { useSession } from './support/session'
import { openView, pollCount, WAIT } from './support/ui'

const session = useSession()

describe('the Storage view', { timeout: 90_000 }, () => {
  it('stores a value that survives a restart of the server, then edits and deletes it', async () => {
    const first = await session.open()
    await openView(first.page, 'storage')
    await first.page.locator('[data-testid="new-value"]').click()
    const editor = first.page.locator('[data-testid="value-editor"]')
    await editor.locator('[data-field="namespace"]').fill('notes')
    await editor.locator('[data-field="key"]').fill('welcome')
    await editor.locator('[data-field="value"]').fill('{ "text": "Hello from before the restart", "stars": 5 }')
    await editor.locator('[data-testid="save-value"]').click()
    await first.page.locator('[data-namespace="notes"]').waitFor(WAIT)
    await first.page.locator('[data-testid="key-table"] [data-key="welcome"]').waitFor(WAIT)
    await first.page.close()

    const oldUrl = session.server.url
    const server = await session.restart()
    expect(server.url).not.toBe(oldUrl)

    const second = await session.open()
    await openView(second.page, 'storage')
    await second.page.locator('[data-namespace="notes"]').click()
    await second.page.locator('[data-testid="key-table"] [data-key="welcome"]').click()
    const reopened = second.page.locator('[data-testid="value-editor"] [data-field="value"]')
    await expect.poll(() => reopened.inputValue(), WAIT).toContain('Hello from before the restart')
    expect(JSON.parse(await reopened.inputValue())).toEqual({ text: 'Hello from before the restart', stars: 5 })
    await second.screenshot('storage')

    // Edit: the new value replaces the old one (the table's preview follows).
    await reopened.fill('{ "text": "Edited", "stars": 4 }')
    await second.page.locator('[data-testid="save-value"]').click()
    await expect.poll(() => second.page.locator('[data-key="welcome"] .preview').textContent(), WAIT).toContain('Edited')

    // A bad key is refused at its field.
    await second.page.locator('[data-testid="new-value"]').click()
    const fresh = second.page.locator('[data-testid="value-editor"]')
    await fresh.locator('[data-field="namespace"]').fill('notes')
    await fresh.locator('[data-field="key"]').fill('__internal__nope')
    await fresh.locator('[data-field="value"]').fill('1')
    await fresh.locator('[data-testid="save-value"]').click()
    await fresh.locator('[data-field="key"].invalid').waitFor(WAIT)

    // Delete, confirmed in a dialog.
    await second.page.locator('[data-testid="key-table"] [data-key="welcome"] [aria-label="Delete welcome"]').click()
    // The question keeps the keyboard: Tab cycles through its buttons and never leaves it.
    await second.page.locator('[role="dialog"]').waitFor(WAIT)
    for (let press = 0; press < 3; press++) {
      await second.page.keyboard.press('Tab')
      expect(await second.page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null)).toBe(true)
    }
    await second.page.locator('[role="dialog"] .btn-danger').click()
    await pollCount(second.page, '[data-testid="key-table"] [data-key="welcome"]').toBe(0)
  })

  it('pages through 150 keys and finds keys by how they start', async () => {
    const { client, close } = await clientOf(session.server)
    const entries = Array.from({ length: 150 }, (_, index) => ({ key: `item-${String(index).padStart(3, '0')}`, value: { index } }))
    await client.storage.setMany({ namespace: 'many', entries })
    close()

    const { page, screenshot } = await session.open()
    await openView(page, 'storage')
    await page.locator('[data-namespace="many"]').click()
    const rows = '[data-testid="key-table"] tbody tr'
    await pollCount(page, rows).toBe(50)
    await expect.poll(() => page.locator('[data-testid="page-range"]').textContent(), WAIT).toBe('1–50 of 150')
    await page.locator('[data-testid="next-page"]').click()
    await expect.poll(() => page.locator('[data-testid="page-range"]').textContent(), WAIT).toBe('51–100 of 150')
    await page.locator('[data-testid="next-page"]').click()
    await expect.poll(() => page.locator('[data-testid="page-range"]').textContent(), WAIT).toBe('101–150 of 150')
    await page.locator('[data-key="item-149"]').waitFor(WAIT)
    expect(await page.locator('[data-testid="next-page"]').isDisabled()).toBe(true)
    await screenshot('storage-paged')
    await page.locator('[data-testid="previous-page"]').click()
    await page.locator('[data-key="item-050"]').waitFor(WAIT)

    // Typed key by key at full speed: the last keystroke's answer is the one shown.
    await page.locator('[data-testid="key-search"]').pressSequentially('item-12')
    await pollCount(page, rows).toBe(10)
    expect(await page.locator('[data-testid="key-count"]').textContent()).toContain('10 keys starting with “item-12”')
    expect(await page.locator('[data-testid="pager"]').count()).toBe(0)
    await page.locator('[data-testid="key-search"]').fill('')
    await pollCount(page, rows).toBe(50)
  })
})
