// No keystroke is lost: every kind of field the editor shows (the workflow's name and description, a
// node's id and label, text, number, whole number, JSON and record fields, a choice and a checkbox) is
// typed into key by key, at full speed and at 30 ms a key, while the host's validation answers arrive
// and re-render the forms. What was typed is read back as typed, then after Ctrl+S pressed inside the
// last field (no blur), a reload, and a restart of the server.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { connect, dropNode, selectNode } from './support/canvas'
import { useSession } from './support/session'
import { field, openView, pollAttribute, WAIT } from './support/ui'

const session = useSession()

interface Typed {
  readonly name: string
  readonly description: string
  readonly value: string
  readonly template: string
  readonly values: string
  readonly missingValue: string
  readonly a: string
  readonly b: string
  readonly ms: string
  readonly label: string
  readonly message: string
}

function typedAt(delay: number): Typed {
  return {
    name: `Typed at ${delay} ms a key`,
    description: 'Every {{field}} keeps "what" is typed, even 100% of it',
    value: '{"name": "Ada", "n": 21}',
    template: 'Hello {{name}}, you are {{age}}!',
    values: '{"age": 36}',
    missingValue: 'n/a',
    a: '21.5',
    b: '-2e3',
    ms: '1250',
    label: 'Sum of things',
    message: 'Logged: the value arrived',
  }
}

async function type(page: Page, locator: ReturnType<Page['locator']>, text: string, delay: number): Promise<void> {
  await locator.click()
  await locator.press('Control+a')
  await locator.press('Delete')
  await locator.pressSequentially(text, { delay })
}

async function readBack(page: Page, typed: Typed): Promise<void> {
  const editor = page.locator('[data-testid="workflow-editor"]')
  expect(await editor.locator('[data-field="name"]').inputValue()).toBe(typed.name)
  expect(await editor.locator('[data-field="description"]').inputValue()).toBe(typed.description)
  let panel = await selectNode(page, 'start')
  expect(JSON.parse(await field(panel, 'Value').inputValue())).toEqual(JSON.parse(typed.value))
  panel = await selectNode(page, 'greeting')
  expect(await field(panel, 'Template').inputValue()).toBe(typed.template)
  expect(JSON.parse(await field(panel, 'Values').inputValue())).toEqual(JSON.parse(typed.values))
  expect(await field(panel, 'Missing Value').inputValue()).toBe(typed.missingValue)
  expect(await field(panel, 'Allow Missing').isChecked()).toBe(true)
  panel = await selectNode(page, 'arithmetic1')
  expect(await panel.locator('[data-field="label"]').inputValue()).toBe(typed.label)
  expect(await field(panel, 'A').inputValue()).toBe(String(Number(typed.a)))
  expect(await field(panel, 'B').inputValue()).toBe(String(Number(typed.b)))
  expect(await field(panel, 'Op').inputValue()).toBe('"add"')
  panel = await selectNode(page, 'delay1')
  expect(await field(panel, 'Ms').inputValue()).toBe(typed.ms)
  panel = await selectNode(page, 'log1')
  expect(await field(panel, 'Message').inputValue()).toBe(typed.message)
}

async function openSaved(page: Page, name: string): Promise<void> {
  await openView(page, 'workflows')
  await page.locator(`[data-workflow="${name}"]`).click()
  await page.locator('.canvas-node[data-node-id="greeting"]').waitFor(WAIT)
}

describe('typing into the workflow editor', { timeout: 120_000 }, () => {
  it.each([0, 30])('keeps every keystroke typed at %i ms a key, through save, reload and a server restart', async (delay) => {
    const typed = typedAt(delay)
    const { page } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    const editor = page.locator('[data-testid="workflow-editor"]')
    await type(page, editor.locator('[data-field="name"]'), typed.name, delay)
    await type(page, editor.locator('[data-field="description"]'), typed.description, delay)

    await dropNode(page, 'text.template', 60, 60)
    await dropNode(page, 'math.arithmetic', 60, 300)
    await dropNode(page, 'core.delay', 300, 60)
    await dropNode(page, 'core.log', 300, 300)
    await page.locator('[data-testid="auto-layout"]').click()
    await connect(page, ['start', 'value'], ['log1', 'value'])

    let panel = await selectNode(page, 'start')
    await type(page, field(panel, 'Value'), typed.value, delay)

    // A rename typed key by key (the box is empty, so not an id, for a moment): the edges follow.
    panel = await selectNode(page, 'template1')
    await type(page, panel.locator('[data-field="id"]'), 'greeting', delay)
    panel = page.locator('[data-testid="inspector"][data-node="greeting"]')
    await type(page, field(panel, 'Template'), typed.template, delay)
    await type(page, field(panel, 'Values'), typed.values, delay)
    await field(panel, 'Allow Missing').check()
    await type(page, field(panel, 'Missing Value'), typed.missingValue, delay)

    panel = await selectNode(page, 'arithmetic1')
    await type(page, panel.locator('[data-field="label"]'), typed.label, delay)
    await field(panel, 'Op').selectOption({ label: 'add' })
    await type(page, field(panel, 'A'), typed.a, delay)
    await type(page, field(panel, 'B'), typed.b, delay)

    panel = await selectNode(page, 'delay1')
    await type(page, field(panel, 'Ms'), typed.ms, delay)

    // The last field is saved with Ctrl+S while it still has the focus.
    panel = await selectNode(page, 'log1')
    await type(page, field(panel, 'Message'), typed.message, delay)
    await readBack(page, typed)
    await pollAttribute(page, '[data-testid="validation"]', 'data-problems').toBe('0')
    await field(panel, 'Message').focus()
    await page.keyboard.press('Control+s')
    await page.locator(`[data-workflow="${typed.name}"]`).waitFor(WAIT)
    await expect.poll(() => page.locator('[data-testid="save-workflow"]').isDisabled(), WAIT).toBe(true)

    await page.reload()
    await openSaved(page, typed.name)
    await readBack(page, typed)

    // This tab would only see its server go away (that is the reconnect test's subject): it is closed first.
    await page.context().close()
    await session.restart()
    const again = await session.open()
    await openSaved(again.page, typed.name)
    await readBack(again.page, typed)
    await again.page.context().close()
  })
})
