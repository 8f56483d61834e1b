// The Workflows view against browser mode: build a workflow in the editor (problems shown at their node
// or edge row), save it, run it with live progress, then cancel a second, long run.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { field, openView, pollAttribute, pollCount, pollText, WAIT } from './support/ui'

const session = useSession()

const nodeRow = (page: Page, index: number) => page.locator(`[data-node-row="${index}"]`)
const edgeRow = (page: Page, index: number) => page.locator(`[data-edge-row="${index}"]`)

async function addNode(page: Page, index: number, id: string, type: string): Promise<void> {
  await page.locator('[data-testid="add-node"]').click()
  const row = nodeRow(page, index)
  await row.locator('[data-field="id"]').fill(id)
  await row.locator('[data-field="type"]').selectOption(type)
}

async function addEdge(page: Page, index: number, from: [string, string], to: [string, string]): Promise<void> {
  await page.locator('[data-testid="add-edge"]').click()
  const row = edgeRow(page, index)
  await row.getByLabel('From node').selectOption(from[0])
  await row.getByLabel('Output').selectOption(from[1])
  await row.getByLabel('To node').selectOption(to[0])
  await row.getByLabel('Input').selectOption(to[1])
}

describe('the Workflows view', { timeout: 90_000 }, () => {
  it('creates a workflow, runs it with progress, and cancels a second run', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Double after a pause')

    // Node 0 comes with the new workflow: a constant. Then a delay and a multiplication.
    await field(nodeRow(page, 0), 'Value').fill('21')
    await field(nodeRow(page, 0), 'Value').blur()
    await addNode(page, 1, 'wait', 'core.delay')
    await field(nodeRow(page, 1), 'Ms').fill('400')
    await addNode(page, 2, 'double', 'math.arithmetic')
    await field(nodeRow(page, 2), 'Op').selectOption('multiply')
    await field(nodeRow(page, 2), 'B').fill('2')
    await field(nodeRow(page, 2), 'B').blur()
    await addEdge(page, 0, ['start', 'value'], ['wait', 'value'])

    // `double.a` is fed by nothing yet: the problem is shown in that node's row, at its input.
    await pollText(page, '[data-node-row="2"] .problem-text, [data-node-row="2"] .control .error').toMatch(/\ba\b|required/i)
    await expect.poll(() => nodeRow(page, 0).locator('.problem-text li').count(), WAIT).toBe(0)
    await screenshot('workflows-problem')

    await addEdge(page, 1, ['wait', 'value'], ['double', 'a'])
    await pollAttribute(page, '[data-testid="validation"]', 'data-problems').toBe('0')
    await page.locator('[data-testid="save-workflow"]').click()
    await page.locator('[data-workflow="Double after a pause"]').waitFor(WAIT)

    // First run: progress to 3 of 3, succeeded.
    await page.locator('[data-testid="run-workflow"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('running')
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await pollText(page, '[data-testid="run-count"]').toBe('3 / 3 nodes')
    expect(await page.locator('[data-testid="run-progress"]').getAttribute('aria-valuenow')).toBe('100')
    await pollCount(page, '[data-testid="run-history"] [data-run-status="succeeded"]').toBe(1)
    await screenshot('workflows')

    // Second run, made long: cancelled while the delay runs.
    await field(nodeRow(page, 1), 'Ms').fill('60000')
    await field(nodeRow(page, 1), 'Ms').blur()
    await page.locator('[data-testid="save-workflow"]').click()
    await expect.poll(() => page.locator('[data-testid="save-workflow"]').isDisabled(), WAIT).toBe(true)
    await page.locator('[data-testid="run-workflow"]').click()
    await page.locator('[data-testid="run-panel"] [data-node="wait"][data-state="running"]').waitFor(WAIT)
    await pollText(page, '[data-testid="run-count"]').toBe('1 / 3 nodes')
    await page.locator('[data-testid="cancel-run"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('cancelled')
    await pollCount(page, '[data-testid="run-history"] [data-run-status="cancelled"]').toBe(1)
    await pollCount(page, '[data-testid="run-history"] [data-run-status="succeeded"]').toBe(1)
    await screenshot('workflows-cancelled')
  })
})
