// Unsaved edits and edits from another tab: the unsaved mark, the question before opening another
// workflow or reloading, a silent reload when this tab has no edits, and the conflict dialog (keep
// editing, overwrite, load theirs) when it has, whether the other save came first or ours was refused.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { openView, WAIT } from './support/ui'

const session = useSession()

const nameBox = (page: Page) => page.locator('[data-testid="workflow-editor"] [data-field="name"]')
const descriptionBox = (page: Page) => page.locator('[data-testid="workflow-editor"] [data-field="description"]')

async function save(page: Page): Promise<void> {
  await page.locator('[data-testid="save-workflow"]').click()
  await page.locator('[data-testid="unsaved"]').waitFor({ state: 'detached', ...WAIT })
}

async function openWorkflow(page: Page, name: string): Promise<void> {
  await openView(page, 'workflows')
  await page.locator(`[data-workflow="${name}"]`).click()
  await expect.poll(() => nameBox(page).inputValue(), WAIT).toBe(name)
}

describe('unsaved changes and conflicts', { timeout: 120_000 }, () => {
  it('asks before leaving unsaved edits, and resolves an edit from another tab', async () => {
    const a = (await session.open()).page
    await openView(a, 'workflows')
    await a.locator('[data-testid="new-workflow"]').click()
    await nameBox(a).fill('Shared')
    await a.locator('[data-testid="unsaved"]').waitFor(WAIT)
    await save(a)

    // Opening a new workflow over unsaved edits asks; "keep editing" keeps them, and focus stays in the dialog.
    await descriptionBox(a).fill('mine, not saved')
    await a.locator('[data-testid="new-workflow"]').click()
    const dialog = a.locator('[data-testid="unsaved-dialog"]')
    await dialog.waitFor(WAIT)
    for (let press = 0; press < 5; press++) {
      await a.keyboard.press('Tab')
      expect(await a.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null)).toBe(true)
    }
    await dialog.locator('[data-testid="keep-editing"]').click()
    expect(await descriptionBox(a).inputValue()).toBe('mine, not saved')

    // Reloading asks too (the browser's own question), and dismissing it keeps the page and its edits.
    const asked = new Promise<string>((resolve) => a.once('dialog', (question) => {
      resolve(question.type())
      void question.dismiss()
    }))
    // The reload never completes (it was refused): the dialog event is what is awaited.
    void a.reload().catch(() => undefined)
    expect(await asked).toBe('beforeunload')
    expect(await descriptionBox(a).inputValue()).toBe('mine, not saved')
    await descriptionBox(a).fill('')
    await a.locator('[data-testid="unsaved"]').waitFor({ state: 'detached', ...WAIT })

    // Tab B has no edits: a save in tab A shows up there by itself.
    const b = (await session.open()).page
    await openWorkflow(b, 'Shared')
    await descriptionBox(a).fill('from A, version 2')
    await save(a)
    await expect.poll(() => descriptionBox(b).inputValue(), WAIT).toBe('from A, version 2')

    // B edits; A saves again: B is told at once, keeps editing, then its own save is refused and it overwrites.
    await descriptionBox(b).fill('from B')
    await descriptionBox(a).fill('from A, version 3')
    await save(a)
    await b.locator('[data-testid="conflict-dialog"]').waitFor(WAIT)
    await b.locator('[data-testid="conflict-keep"]').click()
    expect(await descriptionBox(b).inputValue()).toBe('from B')
    await b.locator('[data-testid="save-workflow"]').click()
    await b.locator('[data-testid="conflict-dialog"]').getByText('your save was refused').waitFor(WAIT)
    await b.locator('[data-testid="conflict-overwrite"]').click()
    await b.locator('[data-testid="unsaved"]').waitFor({ state: 'detached', ...WAIT })
    await expect.poll(() => descriptionBox(a).inputValue(), WAIT).toBe('from B')

    // A edits; B saves: A loads theirs and its edit is gone.
    await descriptionBox(a).fill('from A, dropped')
    await descriptionBox(b).fill('from B, kept')
    await save(b)
    await a.locator('[data-testid="conflict-dialog"]').waitFor(WAIT)
    await a.locator('[data-testid="conflict-theirs"]').click()
    await expect.poll(() => descriptionBox(a).inputValue(), WAIT).toBe('from B, kept')
    expect(await a.locator('[data-testid="unsaved"]').count()).toBe(0)
  })
})
