// The Workflows view against browser mode: build a workflow on the canvas (a problem shown on its node,
// at its port, and in the list), save it, run it with live progress, then cancel a second, long run.
import { describe, expect, it } from 'vitest'
import { canvasNode, connect, dropNode, selectNode } from './support/canvas'
import { clientOf } from './support/client'
import { useSession } from './support/session'
import { field, openView, pollAttribute, pollCount, pollText, WAIT } from './support/ui'

const session = useSession()

describe('the Workflows view', { timeout: 90_000 }, () => {
  it('creates a workflow, runs it with progress, and cancels a second run', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Double after a pause')

    // The constant comes with the new workflow. Then a delay and a multiplication.
    let panel = await selectNode(page, 'start')
    await field(panel, 'Value').fill('21')
    await dropNode(page, 'core.delay', 80, 80)
    await dropNode(page, 'math.arithmetic', 80, 300)
    await page.locator('[data-testid="auto-layout"]').click()
    panel = await selectNode(page, 'delay1')
    await field(panel, 'Ms').fill('400')
    panel = await selectNode(page, 'arithmetic1')
    await field(panel, 'Op').selectOption({ label: 'multiply' })
    await field(panel, 'B').fill('2')
    await connect(page, ['start', 'value'], ['delay1', 'value'])

    // `arithmetic1.a` is fed by nothing yet: the problem is on that node, at its port, in its panel and in the list.
    await pollText(page, '[data-testid="inspector"] .control[data-path="a"] .error').toMatch(/needs input "a"/)
    await pollCount(page, '.canvas-node[data-node-id="arithmetic1"] .canvas-port.port-problem').toBe(1)
    await pollText(page, '[data-testid="problems"] .problem-list').toMatch(/arithmetic1.*inputs\.a/)
    expect(await canvasNode(page, 'start').locator('[data-testid="node-problems"]').count()).toBe(0)
    await screenshot('workflows-problem')

    await connect(page, ['delay1', 'value'], ['arithmetic1', 'a'])
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
    panel = await selectNode(page, 'delay1')
    await field(panel, 'Ms').fill('60000')
    await page.locator('[data-testid="save-workflow"]').click()
    await expect.poll(() => page.locator('[data-testid="save-workflow"]').isDisabled(), WAIT).toBe(true)
    await page.locator('[data-testid="run-workflow"]').click()
    await page.locator('[data-testid="run-panel"] [data-node="delay1"][data-state="running"]').waitFor(WAIT)
    await canvasNode(page, 'delay1').and(page.locator('[data-state="running"]')).waitFor(WAIT)
    await pollText(page, '[data-testid="run-count"]').toBe('1 / 3 nodes')
    await page.locator('[data-testid="cancel-run"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('cancelled')
    await pollCount(page, '[data-testid="run-history"] [data-run-status="cancelled"]').toBe(1)
    await pollCount(page, '[data-testid="run-history"] [data-run-status="succeeded"]').toBe(1)
    await screenshot('workflows-cancelled')
  })

  it('keeps what the forms do not show (retries, time limits, triggers) when a person edits and saves', async () => {
    const { client, close } = await clientOf(session.server)
    try {
      const created = await client.workflow.create({
        workflow: {
          name: 'Kept settings',
          nodes: [{ id: 'start', type: 'core.constant', inputs: { value: 1 }, retry: { attempts: 3, delayMs: 250, factor: 2 }, timeoutMs: 5_000 }],
          edges: [],
          triggers: [{ type: 'schedule', cron: '0 9 * * 1' }],
        },
      })
      const { page } = await session.open()
      await openView(page, 'workflows')
      await page.locator('[data-workflow="Kept settings"]').click()
      const panel = await selectNode(page, 'start')
      await field(panel, 'Value').fill('2')
      await page.locator('[data-testid="save-workflow"]').click()
      await expect.poll(() => page.locator('[data-testid="save-workflow"]').isDisabled(), WAIT).toBe(true)

      const saved = await client.workflow.get({ id: created.id })
      expect(saved.version).toBe(created.version + 1)
      expect(saved.nodes[0]).toMatchObject({ inputs: { value: 2 }, retry: { attempts: 3, delayMs: 250, factor: 2 }, timeoutMs: 5_000 })
      expect(saved.triggers).toEqual([{ type: 'schedule', cron: '0 9 * * 1' }])
    } finally {
      close()
    }
  })
})
