// Runs you can inspect: a run's nodes shown on the canvas after a server restart (states, a node's
// outputs and human-readable times), a re-run from one node with the upstream outputs pinned, and a
// run given its own inputs from the UI (the node's generated form).
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { connect, dropNode, selectNode } from './support/canvas'
import { useSession } from './support/session'
import { field, openView, pollAttribute, pollCount, WAIT } from './support/ui'

const session = useSession()

const outputsOf = async (page: Page) => JSON.parse((await page.locator('[data-testid="node-run-outputs"]').textContent(WAIT)) ?? 'null') as unknown

describe('runs you can inspect', { timeout: 120_000 }, () => {
  it('shows a past run on the canvas after a restart, re-runs it from a node, and runs with given inputs', async () => {
    const first = await session.open()
    let page = first.page
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Inspect me')
    let panel = await selectNode(page, 'start')
    await field(panel, 'Value').fill('21')
    await dropNode(page, 'math.arithmetic', 80, 80)
    await page.locator('[data-testid="auto-layout"]').click()
    await connect(page, ['start', 'value'], ['arithmetic1', 'a'])
    panel = await selectNode(page, 'arithmetic1')
    await field(panel, 'Op').selectOption({ label: 'multiply' })
    await field(panel, 'B').fill('2')
    await page.keyboard.press('Control+s')
    await page.locator('[data-workflow="Inspect me"]').waitFor(WAIT)
    await page.locator('[data-testid="run-workflow"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await page.context().close()

    await session.restart()
    const second = await session.open()
    page = second.page
    await openView(page, 'workflows')
    await page.locator('[data-workflow="Inspect me"]').click()
    await page.locator('[data-testid="run-history"] [data-run-status="succeeded"]').click()
    await page.locator('[data-testid="run-shown"]').waitFor(WAIT)
    await pollCount(page, '.canvas-node[data-state="succeeded"]').toBe(2)
    await selectNode(page, 'arithmetic1')
    await expect.poll(() => outputsOf(page), WAIT).toEqual({ result: 42 })
    // A time of day, not an epoch number.
    expect(await page.locator('[data-testid="node-run-started"]').textContent()).toMatch(/^\d{1,2}:\d{2}:\d{2}/)
    expect(await page.locator('[data-testid="node-run-duration"]').textContent()).toMatch(/ms|s$/)
    await second.screenshot('runs-past-node')

    // Re-run from the multiplication: the constant is pinned (its recorded output), the multiplication runs again.
    await page.locator('[data-testid="rerun-from-node"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await pollCount(page, '[data-testid="run-history"] [data-run-status="succeeded"]').toBe(2)
    const rerun = page.locator('[data-testid="run-history"] tbody tr', { hasText: 'from arithmetic1' })
    await rerun.click()
    await selectNode(page, 'start')
    await page.locator('[data-testid="node-run"]', { hasText: 'pinned' }).waitFor(WAIT)

    // A run with its own inputs, through the node's generated form: only what differs from its static
    // inputs is given, and it changes the result.
    await page.locator('[data-testid="close-run"]').click()
    await page.locator('[data-testid="run-with-inputs"]').click()
    const dialog = page.locator('[data-testid="run-inputs-dialog"]')
    await dialog.locator('[data-testid="run-inputs-node"]').selectOption('arithmetic1')
    // The form shows the node's static inputs.
    expect(await field(dialog, 'B').inputValue()).toBe('2')
    await dialog.locator('[data-testid="run-inputs-node"]').selectOption('start')
    expect(await field(dialog, 'Value').inputValue()).toBe('21')
    await field(dialog, 'Value').fill('5')
    await dialog.locator('[data-testid="run-inputs-given"] [data-node="start"]').waitFor(WAIT)
    expect(await dialog.locator('[data-testid="run-inputs-given"] li').count()).toBe(1)
    await second.screenshot('run-inputs-form')
    await page.setViewportSize({ width: 760, height: 800 })
    await page.emulateMedia({ colorScheme: 'dark' })
    await second.screenshot('run-inputs-form-dark-760')
    await page.locator('[data-testid="run-inputs-go"]').click()
    await page.locator('[data-testid="run-inputs-dialog"]').waitFor({ state: 'detached', ...WAIT })
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await selectNode(page, 'arithmetic1')
    await expect.poll(() => outputsOf(page), WAIT).toEqual({ result: 10 })
    await page.context().close()
  })
})
