// The Nodes view against browser mode: a form from each node type's input schema, a run with its
// outputs, bad input shown at its field, and a long node cancelled.
import { describe, expect, it } from 'vitest'
import { useSession } from './support/session'
import { control, field, openView, pollAttribute, pollText, WAIT } from './support/ui'

const session = useSession()

describe('the Nodes view', { timeout: 60_000 }, () => {
  it('runs a node from its generated form and shows the outputs', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'nodes')
    await page.locator('[data-type="math.arithmetic"]').click()
    const form = page.locator('[data-testid="node-form"]')
    await field(form, 'Op').selectOption('multiply')
    await field(form, 'A').fill('6')
    await field(form, 'B').fill('7')
    await page.locator('[data-testid="run-node"]').click()

    await pollAttribute(page, '[data-testid="node-result"]', 'data-phase').toBe('succeeded')
    const outputs = JSON.parse((await page.locator('[data-testid="node-outputs"]').textContent()) ?? 'null') as unknown
    expect(outputs).toEqual({ result: 42 })
    await screenshot('nodes')
  })

  it('shows bad input at its field (INVALID_PARAMS at inputs.b)', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'nodes')
    await page.locator('[data-type="math.arithmetic"]').click()
    const form = page.locator('[data-testid="node-form"]')
    await field(form, 'Op').selectOption('add')
    await field(form, 'A').fill('1')
    await page.locator('[data-testid="run-node"]').click()

    await pollAttribute(page, '[data-testid="node-result"]', 'data-phase').toBe('rejected')
    const fieldB = control(form, 'B')
    await expect.poll(() => fieldB.locator('.error').textContent(), WAIT).toMatch(/expected number/)
    // Only B is wrong: no other field shows an error.
    expect(await form.locator('.control .error').count()).toBe(1)
    await pollText(page, '[data-testid="node-result"] [data-testid="error"]').toContain('INVALID_PARAMS')
    await screenshot('nodes-field-error')

    // Fixing the field and running again clears the error.
    await field(form, 'B').fill('2')
    await page.locator('[data-testid="run-node"]').click()
    await pollAttribute(page, '[data-testid="node-result"]', 'data-phase').toBe('succeeded')
    expect(await form.locator('.control .error').count()).toBe(0)
  })

  it('shows a long node live and cancels it', async () => {
    const { page } = await session.open()
    await openView(page, 'nodes')
    await page.locator('[data-type="core.delay"]').click()
    const form = page.locator('[data-testid="node-form"]')
    await field(form, 'Ms').fill('60000')
    await field(form, 'Value').fill('{"kept": true}')
    await page.locator('[data-testid="run-node"]').click()

    await pollAttribute(page, '[data-testid="node-result"]', 'data-phase').toBe('running')
    await page.locator('[data-testid="node-result"] [role="progressbar"]').waitFor(WAIT)
    await page.locator('[data-testid="cancel-node"]').click()
    await pollAttribute(page, '[data-testid="node-result"]', 'data-phase').toBe('cancelled')
    await pollText(page, '[data-testid="node-result"] [data-testid="error"]').toContain('CANCELLED')
  })
})
