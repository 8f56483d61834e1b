// The workflow canvas in Chromium: a 5-node workflow built by dragging node types from the palette and
// connecting ports with the mouse (a mismatched connection refused at the port, with its reason), saved,
// run with live node states, and read back after a reload; then undo and redo, copy and paste, delete.
import { describe, expect, it } from 'vitest'
import { canvasNode, connect, dragConnection, dropNode, selectNode } from './support/canvas'
import { useSession } from './support/session'
import { field, openView, pollAttribute, pollCount, WAIT } from './support/ui'

const session = useSession()

describe('the workflow canvas', { timeout: 120_000 }, () => {
  it('builds a 5-node workflow by drag and connect, runs it with live node states, and keeps it across a reload', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Built on the canvas')

    // The new workflow's starting node goes, by key.
    await selectNode(page, 'start')
    await page.locator('.vue-flow__node[data-id="start"]').focus()
    await page.keyboard.press('Delete')
    await pollCount(page, '.canvas-node').toBe(0)

    await dropNode(page, 'core.constant', 60, 40)
    await dropNode(page, 'math.arithmetic', 60, 260)
    await dropNode(page, 'core.delay', 280, 40)
    await dropNode(page, 'core.log', 280, 260)
    await dropNode(page, 'text.template', 170, 420)
    await pollCount(page, '.canvas-node').toBe(5)
    await page.locator('[data-testid="auto-layout"]').click()

    // A number cannot feed a record: refused at the port, with the reason, and no edge drawn.
    await dragConnection(page, ['arithmetic1', 'result'], ['template1', 'values'])
    await expect.poll(() => canvasNode(page, 'template1').locator('[data-testid="connect-refusal"]').textContent(), WAIT).toMatch(/"result" gives number, "values" takes object/)
    await pollCount(page, '.vue-flow__edge').toBe(0)

    await connect(page, ['constant1', 'value'], ['arithmetic1', 'a'])
    await connect(page, ['arithmetic1', 'result'], ['delay1', 'value'])
    await connect(page, ['delay1', 'value'], ['log1', 'value'])
    await connect(page, ['constant1', 'value'], ['template1', 'missingValue'])
    await pollCount(page, '.vue-flow__edge').toBe(4)

    // Static inputs in the side panel.
    let panel = await selectNode(page, 'constant1')
    await field(panel, 'Value').fill('21')
    panel = await selectNode(page, 'arithmetic1')
    await field(panel, 'Op').selectOption({ label: 'multiply' })
    await field(panel, 'B').fill('2')
    panel = await selectNode(page, 'delay1')
    await field(panel, 'Ms').fill('300')
    panel = await selectNode(page, 'template1')
    await field(panel, 'Template').fill('Hello {{name}}')
    await field(panel, 'Values').fill('{"name": "canvas"}')
    // The constant's 21 is a number; the template's missingValue takes a string: the host says so.
    await pollAttribute(page, '[data-testid="validation"]', 'data-problems').not.toBe('0')
    panel = await selectNode(page, 'template1')
    await panel.getByRole('button', { name: 'Disconnect constant1.value->template1.missingValue' }).click()
    await pollCount(page, '.vue-flow__edge').toBe(3)
    await pollAttribute(page, '[data-testid="validation"]', 'data-problems').toBe('0')
    await screenshot('canvas-built')

    await page.keyboard.press('Control+s')
    await page.locator('[data-workflow="Built on the canvas"]').waitFor(WAIT)

    // A run: the nodes show their live states, the delay visibly running, then all succeeded.
    await page.locator('[data-testid="run-workflow"]').click()
    await page.locator('.canvas-node[data-node-id="delay1"][data-state="running"]').waitFor(WAIT)
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await pollCount(page, '.canvas-node[data-state="succeeded"]').toBe(5)
    await screenshot('canvas-run')

    await page.reload()
    await openView(page, 'workflows')
    await page.locator('[data-workflow="Built on the canvas"]').click()
    await pollCount(page, '.canvas-node').toBe(5)
    await pollCount(page, '.vue-flow__edge').toBe(3)
    panel = await selectNode(page, 'arithmetic1')
    expect(await field(panel, 'B').inputValue()).toBe('2')
  })

  it('undoes and redoes edits, copies and pastes a selection, and renames a node with its edges', async () => {
    const { page } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await dropNode(page, 'math.arithmetic', 300, 60)
    await page.locator('[data-testid="auto-layout"]').click()
    await connect(page, ['start', 'value'], ['arithmetic1', 'a'])
    await pollCount(page, '.canvas-node').toBe(2)

    // Undo takes back the edge, the layout, then the node; redo puts them back.
    await page.locator('.vue-flow__pane').click({ position: { x: 20, y: 300 } })
    await page.keyboard.press('Control+z')
    await pollCount(page, '.vue-flow__edge').toBe(0)
    await pollCount(page, '.canvas-node').toBe(2)
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Control+z')
    await pollCount(page, '.canvas-node').toBe(1)
    await page.keyboard.press('Control+Shift+z')
    await pollCount(page, '.canvas-node').toBe(2)
    await page.keyboard.press('Control+Shift+z')
    await page.keyboard.press('Control+Shift+z')
    await pollCount(page, '.vue-flow__edge').toBe(1)

    // Renaming carries the edge along.
    const panel = await selectNode(page, 'arithmetic1')
    await panel.locator('[data-field="id"]').fill('double')
    await page.locator('.vue-flow__edge[data-id="start.value->double.a"]').waitFor(WAIT)
    await canvasNode(page, 'double').waitFor(WAIT)

    // Select both, copy, paste: two more nodes and the edge between them, under fresh ids.
    await page.locator('.vue-flow__pane').click({ position: { x: 20, y: 300 } })
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Control+c')
    await page.keyboard.press('Control+v')
    await pollCount(page, '.canvas-node').toBe(4)
    await pollCount(page, '.vue-flow__edge').toBe(2)
    await page.locator('[data-testid="undo"]').click()
    await pollCount(page, '.canvas-node').toBe(2)

    // From the keyboard: Tab reaches a node, Enter selects it (its side panel opens), and its panel's
    // connect menu connects an output to another node's input without a mouse.
    await page.locator('.vue-flow__pane').click({ position: { x: 20, y: 300 } })
    await page.locator('.vue-flow__node[data-id="start"]').focus()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    const keyed = page.locator('[data-testid="inspector"][data-node="double"]')
    await keyed.waitFor(WAIT)
    await keyed.getByLabel('Output').selectOption('result')
    await keyed.getByLabel('To node').selectOption('start')
    await keyed.getByLabel('Input').selectOption('value')
    await keyed.locator('[data-testid="connect"]').click()
    await page.locator('.vue-flow__edge[data-id="double.result->start.value"]').waitFor(WAIT)
    await page.keyboard.press('Control+z')

    // Delete by button.
    await selectNode(page, 'double')
    await page.locator('[data-testid="delete-node"]').click()
    await pollCount(page, '.canvas-node').toBe(1)
    await pollCount(page, '.vue-flow__edge').toBe(0)
  })
})
