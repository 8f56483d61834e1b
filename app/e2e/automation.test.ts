// Issue 12's end-to-end workflow, in Chromium through the editor, as a person would do it: allow the local
// server's host in the http pack's settings and grant a temporary folder in the files pack's, import a
// workflow that fetches JSON from that server (127.0.0.1), transforms it in a code node, loops over its
// items (a second workflow is the loop's body), formats a CSV and writes it into the granted folder; run
// it, read every node's output in the run inspector, and the CSV on disk.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { canvasNode, connect, dropNode, selectNode } from './support/canvas'
import { useSession } from './support/session'
import { openView, pollAttribute, WAIT } from './support/ui'

const session = useSession()

const PEOPLE = { items: [{ name: 'ada', score: 7 }, { name: 'bob', score: 2 }, { name: 'cy', score: 5 }] }
let server: Server
let origin = ''
let requests = 0
let folder = ''

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1
    if (request.url !== '/people') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PEOPLE))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  origin = `127.0.0.1:${address.port}`
  // The real path: the files pack checks paths as they are on disk (macOS's /tmp is a link).
  folder = realpathSync(mkdtempSync(join(tmpdir(), 'atomiton-e2e-granted-')))
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(folder, { recursive: true, force: true })
})

const card = (page: Page, plugin: string): Locator => page.locator(`.plugin-card[data-plugin="${plugin}"]`)

/** Opens a pack's settings on its card, adds one entry to its list field, and saves. */
async function addToListSetting(page: Page, plugin: string, value: string): Promise<void> {
  await card(page, plugin).locator('[data-testid="settings-toggle"]').click()
  const form = card(page, plugin).locator(`[data-settings="${plugin}"]`)
  await form.waitFor(WAIT)
  await form.locator('.array-list-add').first().click()
  const item = form.locator('.array-list-item').last()
  const input = item.locator('input')
  if (!(await input.isVisible())) await item.locator('.array-list-item-toolbar').click()
  await input.fill(value)
  await form.locator('[data-testid="settings-save"]').click()
  await form.locator('[data-testid="settings-saved"]').waitFor(WAIT)
}

async function importWorkflow(page: Page, name: string, document: unknown): Promise<string> {
  const file = join(session.data.path, `${name}.yaml`)
  writeFileSync(file, stringify(document))
  await page.locator('[data-testid="import-file"]').setInputFiles(file)
  await expect.poll(() => page.locator('[data-testid="workflow-editor"] [data-field="name"]').inputValue(), WAIT).toBe(name)
  await page.locator('[data-testid="save-workflow"]').click()
  await page.locator(`[data-workflow="${name}"]`).waitFor(WAIT)
  const saved = (await session.server.host.call('workflow.list')) as { workflows: Array<{ id: string; name: string }> }
  return saved.workflows.find((workflow) => workflow.name === name)!.id
}

const outputsOf = async (page: Page, nodeId: string): Promise<unknown> => {
  await selectNode(page, nodeId)
  const outputs = page.locator(`[data-testid="inspector"][data-node="${nodeId}"] [data-testid="node-run-outputs"]`)
  return JSON.parse((await outputs.textContent(WAIT)) ?? 'null') as unknown
}

describe("issue 12's workflow in the editor", { timeout: 180_000 }, () => {
  it('fetches from a local server, transforms, loops, writes a CSV into a granted folder, and shows every output', async () => {
    const { page, screenshot } = await session.open()

    await openView(page, 'settings')
    await addToListSetting(page, 'http', origin)
    await addToListSetting(page, 'files', folder)

    await openView(page, 'workflows')
    const bodyId = await importWorkflow(page, 'Score one person', {
      name: 'Score one person',
      nodes: [
        { id: 'person', type: 'flow.input', position: { x: 0, y: 0 } },
        { id: 'score', type: 'code.run', inputs: { code: 'return { name: input.item.name.toUpperCase(), double: input.item.score * 2, index: input.index }' }, position: { x: 260, y: 0 } },
        { id: 'result', type: 'flow.output', position: { x: 520, y: 0 } },
      ],
      edges: [
        { from: { node: 'person', output: 'value' }, to: { node: 'score', input: 'input' } },
        { from: { node: 'score', output: 'result' }, to: { node: 'result', input: 'value' } },
      ],
    })

    const csvPath = join(folder, 'people.csv')
    await importWorkflow(page, 'People to CSV', {
      name: 'People to CSV',
      nodes: [
        { id: 'fetch', type: 'http.request', inputs: { url: `http://${origin}/people`, responseType: 'json' }, position: { x: 0, y: 0 } },
        { id: 'keep', type: 'code.run', inputs: { code: 'return input.items.filter((person) => person.score >= 3)' }, position: { x: 260, y: 0 } },
        { id: 'each', type: 'flow.loop', inputs: { workflowId: bodyId, concurrency: 2 }, position: { x: 520, y: 0 } },
        { id: 'table', type: 'data.csv-format', position: { x: 780, y: 0 } },
        { id: 'save', type: 'files.write', inputs: { path: csvPath }, position: { x: 1040, y: 0 } },
      ],
      edges: [
        { from: { node: 'fetch', output: 'body' }, to: { node: 'keep', input: 'input' } },
        { from: { node: 'keep', output: 'result' }, to: { node: 'each', input: 'items' } },
        { from: { node: 'each', output: 'results' }, to: { node: 'table', input: 'rows' } },
        { from: { node: 'table', output: 'text' }, to: { node: 'save', input: 'content' } },
      ],
    })

    await page.locator('[data-testid="run-workflow"]').click()
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    expect(requests).toBe(1)
    for (const id of ['fetch', 'keep', 'each', 'table', 'save']) await pollAttribute(page, `.canvas-node[data-node-id="${id}"]`, 'data-state').toBe('succeeded')

    // Every node's output, in the run inspector (the whole graph in view first, as a person would).
    await page.locator('.vue-flow__controls-fitview').click()
    const kept = [{ name: 'ada', score: 7 }, { name: 'cy', score: 5 }]
    const rows = [{ name: 'ADA', double: 14, index: 0 }, { name: 'CY', double: 10, index: 1 }]
    const csv = 'name,double,index\nADA,14,0\nCY,10,1'
    expect(await outputsOf(page, 'fetch')).toMatchObject({ status: 200, ok: true, bodyType: 'json', body: PEOPLE })
    expect(await outputsOf(page, 'keep')).toEqual({ result: kept })
    expect(await outputsOf(page, 'each')).toEqual({ results: rows })
    expect(await outputsOf(page, 'table')).toEqual({ text: csv, rowCount: 2 })
    expect(await outputsOf(page, 'save')).toMatchObject({ path: csvPath })
    await screenshot('automation-run')

    // The file a person would open.
    expect(readFileSync(csvPath, 'utf8')).toBe(csv)
  })

  it("offers the engine's control types in the palette by category, and shows a running loop's progress on its node", async () => {
    const { page, screenshot } = await session.open()
    await openView(page, 'workflows')
    const bodyId = await importWorkflow(page, 'Slow item', {
      name: 'Slow item',
      nodes: [
        { id: 'item', type: 'flow.input', position: { x: 0, y: 0 } },
        { id: 'wait', type: 'core.delay', inputs: { ms: 300 }, position: { x: 260, y: 0 } },
        { id: 'done', type: 'flow.output', position: { x: 520, y: 0 } },
      ],
      edges: [
        { from: { node: 'item', output: 'value' }, to: { node: 'wait', input: 'value' } },
        { from: { node: 'wait', output: 'value' }, to: { node: 'done', input: 'value' } },
      ],
    })

    // A new workflow: the loop found by searching the palette, in its category, dragged in and connected.
    await page.locator('[data-testid="new-workflow"]').click()
    await page.locator('[data-testid="workflow-editor"] [data-field="name"]').fill('Loop slowly')
    await page.locator('[data-testid="palette-search"]').fill('loop')
    await page.locator('[data-testid="palette"] [data-category="flow"] [data-type-id="flow.loop"]').waitFor(WAIT)
    await page.locator('[data-testid="palette-search"]').fill('')
    for (const id of ['flow.if', 'flow.switch', 'flow.merge', 'flow.subworkflow']) await page.locator(`[data-testid="palette"] [data-category="flow"] [data-type-id="${id}"]`).waitFor(WAIT)
    await dropNode(page, 'flow.loop', 420, 60)
    for (const port of ['in:items', 'in:workflowId', 'in:concurrency', 'out:results']) await canvasNode(page, 'loop1').locator(`[data-port="${port}"]`).waitFor(WAIT)
    await connect(page, ['start', 'value'], ['loop1', 'items'])
    let panel = await selectNode(page, 'start')
    await panel.locator('textarea').first().fill('[1, 2, 3, 4]')
    panel = await selectNode(page, 'loop1')
    await panel.locator('[data-path="workflowId"] input').fill(bodyId)
    await page.keyboard.press('Control+s')
    await page.locator('[data-workflow="Loop slowly"]').waitFor(WAIT)

    await page.locator('[data-testid="run-workflow"]').click()
    const progress = canvasNode(page, 'loop1').locator('[data-testid="node-progress"]')
    await progress.waitFor(WAIT)
    const percent = Number(await progress.getAttribute('aria-valuenow'))
    expect(percent).toBeGreaterThan(0)
    expect(percent).toBeLessThan(100)
    expect(await canvasNode(page, 'loop1').locator('.canvas-node-state').textContent()).toMatch(/^running \d+%$/)
    await screenshot('canvas-loop-progress')
    await pollAttribute(page, '[data-testid="run-panel"]', 'data-status').toBe('succeeded')
    await progress.waitFor({ state: 'detached', ...WAIT })
  })
})
