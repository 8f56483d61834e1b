/**
 * What a person does on the workflow canvas, as playwright steps: drag a node type from the palette,
 * drag from an output port to an input port, click a node to open its side panel. Real mouse moves
 * (HTML5 drag and drop for the palette, pointer events for Vue Flow's connections).
 */
import type { Locator, Page } from 'playwright-core'
import { WAIT } from './ui'

export const canvasNode = (page: Page, id: string): Locator => page.locator(`.canvas-node[data-node-id="${id}"]`)
export const port = (page: Page, node: string, side: 'in' | 'out', name: string): Locator => canvasNode(page, node).locator(`[data-port="${side}:${name}"]`)
export const inspector = (page: Page): Locator => page.locator('[data-testid="inspector"]')

/**
 * Finds a node type with the palette's search, drags it onto the canvas at (x, y) in the canvas box and
 * waits for the node; the search is cleared again.
 */
export async function dropNode(page: Page, typeId: string, x: number, y: number): Promise<void> {
  const before = await page.locator('.canvas-node').count()
  const search = page.locator('[data-testid="palette-search"]')
  await search.fill(typeId)
  await page.locator('[data-testid="canvas"]').scrollIntoViewIfNeeded()
  await page.locator(`[data-testid="palette"] [data-type-id="${typeId}"]`).dragTo(page.locator('[data-testid="canvas"] .vue-flow__pane'), { targetPosition: { x, y } })
  await page.locator('.canvas-node').nth(before).waitFor(WAIT)
  await search.fill('')
}

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox()
  if (!box) throw new Error('Not visible')
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

/** Drags from `from`'s output port to `to`'s input port (not waiting for the result). */
export async function dragConnection(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  await page.locator('[data-testid="canvas"]').scrollIntoViewIfNeeded()
  const start = await centre(port(page, from[0], 'out', from[1]))
  const end = await centre(port(page, to[0], 'in', to[1]))
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 4 })
  await page.mouse.move(end.x, end.y, { steps: 4 })
  await page.mouse.up()
}

/** Connects and waits until the edge is drawn. */
export async function connect(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  await dragConnection(page, from, to)
  await page.locator(`.vue-flow__edge[data-id="${from[0]}.${from[1]}->${to[0]}.${to[1]}"]`).waitFor(WAIT)
}

/** Clicks a node (its title) and waits for its side panel. */
export async function selectNode(page: Page, id: string): Promise<Locator> {
  await canvasNode(page, id).locator('.canvas-node-title').click()
  const panel = page.locator(`[data-testid="inspector"][data-node="${id}"]`)
  await panel.waitFor(WAIT)
  return panel
}
