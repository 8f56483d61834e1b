// Workflows as YAML files: export what is on screen, import it back as a new workflow, see each problem
// of a bad file at its line or path (nothing opened), and duplicate a workflow.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connect, dropNode, selectNode } from './support/canvas'
import { useSession } from './support/session'
import { field, openView, pollCount, WAIT } from './support/ui'

const session = useSession()

describe('workflow files', { timeout: 90_000 }, () => {
  it('exports a workflow as YAML, imports it back, refuses bad files with their problems, and duplicates', async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'workflows')
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Exported')
    await dropNode(page, 'math.arithmetic', 80, 80)
    await page.locator('[data-testid="auto-layout"]').click()
    await connect(page, ['start', 'value'], ['arithmetic1', 'a'])
    const panel = await selectNode(page, 'arithmetic1')
    await field(panel, 'Op').selectOption({ label: 'add' })
    await field(panel, 'B').fill('1')
    await page.keyboard.press('Control+s')
    await page.locator('[data-workflow="Exported"]').waitFor(WAIT)

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-workflow"]').click()])
    expect(download.suggestedFilename()).toBe('Exported.yaml')
    const text = readFileSync(await download.path(), 'utf8')
    expect(text).toMatch(/^kind: atomiton\/workflow\nname: Exported\n/)
    expect(text).toContain('type: math.arithmetic')

    // Back in, renamed: a new unsaved workflow with the same graph.
    const file = join(session.data.path, 'imported.yaml')
    writeFileSync(file, text.replace('name: Exported', 'name: Imported back'))
    await page.locator('[data-testid="import-file"]').setInputFiles(file)
    await expect.poll(() => page.locator('[data-testid="workflow-editor"] [data-field="name"]').inputValue(), WAIT).toBe('Imported back')
    await pollCount(page, '.canvas-node').toBe(2)
    await pollCount(page, '.vue-flow__edge').toBe(1)
    await page.locator('[data-testid="save-workflow"]').click()
    await page.locator('[data-workflow="Imported back"]').waitFor(WAIT)

    // A file that is not YAML: its line. A file of the wrong shape: each problem at its path.
    writeFileSync(file, 'name: [unclosed\nnodes: {}\n')
    await page.locator('[data-testid="import-file"]').setInputFiles(file)
    await page.locator('[data-testid="import-dialog"]').getByText(/Line \d+, column \d+/).first().waitFor(WAIT)
    await page.locator('[data-testid="import-dialog"] .btn-primary').click()
    writeFileSync(file, 'kind: atomiton/workflow\nname: ""\nnodes:\n  - id: 1bad\n    type: core.constant\nedges: nope\n')
    await page.locator('[data-testid="import-file"]').setInputFiles(file)
    const problems = page.locator('[data-testid="import-problems"]')
    await problems.waitFor(WAIT)
    await problems.locator('[data-path="name"]').waitFor(WAIT)
    await problems.locator('[data-path="nodes[0].id"]').waitFor(WAIT)
    await problems.locator('[data-path="edges"]').waitFor(WAIT)
    await screenshot('workflows-import-problems')
    await page.locator('[data-testid="import-dialog"] .btn-primary').click()
    expect(await page.locator('[data-testid="workflow-editor"] [data-field="name"]').inputValue()).toBe('Imported back')

    await page.locator('[data-testid="duplicate-workflow"]').click()
    await expect.poll(() => page.locator('[data-testid="workflow-editor"] [data-field="name"]').inputValue(), WAIT).toBe('Imported back (copy)')
    await pollCount(page, '.vue-flow__edge').toBe(1)
    await page.locator('[data-testid="save-workflow"]').click()
    await page.locator('[data-workflow="Imported back (copy)"]').waitFor(WAIT)
  })
})
