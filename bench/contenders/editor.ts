/**
 * The workflow editor in a real Chromium (issue 11): browser mode's server (`startServer`, what `npm run
 * serve` runs) over a temporary data folder, the renderer the e2e tests build, and the Chromium that
 * tools/chromium/find-chromium.ts finds, driven by playwright-core with real mouse and wheel input.
 *
 * Every figure is measured inside the page with `performance.now()` and requestAnimationFrame timestamps
 * (a frame is a rAF callback: the browser painted, or could have): frames per second over a gesture, and
 * the worst 250 ms window of it. The limit is the same browser on a blank page given the same input: what
 * this machine's Chromium gives when nothing is drawn.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { ensureRendererBuilt } from '../../app/e2e/support/build-renderer'
import { startServer, type RunningServer } from '../../app/serve/server'
import { temporaryFolder } from '../../app/test-support/plugin-packages'
import { findChromium } from '../../tools/chromium/find-chromium'
import { selfTimed, type Contender, type Session } from '../harness'

export interface EditorLoad {
  readonly nodes: number
  readonly edges: number
  /** Wheel steps in (then as many out) for the zoom gesture, and mouse moves for the pan. */
  readonly steps: number
}

const WIDTH = 1280
const HEIGHT = 800
const COLUMNS = 25
const WAIT = { timeout: 60_000 }

interface WorkflowDoc {
  name: string
  nodes: Array<{ id: string; type: string; inputs?: Record<string, unknown>; position: { x: number; y: number } }>
  edges: Array<{ from: { node: string; output: string }; to: { node: string; input: string } }>
}

/**
 * `nodes` nodes and `edges` edges that all run: a constant, then a chain of additions each fed by the one
 * before (`a`), and the first `edges - (nodes - 1)` of them also by the one before that (`b`, else 1).
 */
export function benchWorkflow(nodes: number, edges: number): WorkflowDoc {
  const extra = edges - (nodes - 1)
  if (extra < 0 || extra > nodes - 2) throw new Error(`cannot make ${edges} edges over ${nodes} nodes`)
  const id = (index: number): string => `n${index}`
  const output = (index: number): string => (index === 0 ? 'value' : 'result')
  const position = (index: number) => ({ x: (index % COLUMNS) * 240, y: Math.floor(index / COLUMNS) * 170 })
  const doc: WorkflowDoc = { name: `bench ${nodes} nodes`, nodes: [{ id: id(0), type: 'core.constant', inputs: { value: 1 }, position: position(0) }], edges: [] }
  for (let index = 1; index < nodes; index++) {
    const fedTwice = index >= 2 && index - 2 < extra
    doc.nodes.push({ id: id(index), type: 'math.arithmetic', inputs: fedTwice ? { op: 'add' } : { op: 'add', b: 1 }, position: position(index) })
    doc.edges.push({ from: { node: id(index - 1), output: output(index - 1) }, to: { node: id(index), input: 'a' } })
    if (fedTwice) doc.edges.push({ from: { node: id(index - 2), output: output(index - 2) }, to: { node: id(index), input: 'b' } })
  }
  return doc
}

/** Frames per second of rAF timestamps, and of their worst 250 ms window. */
export function frameStats(frames: readonly number[]): { fps: number; worstFps: number; longestFrameMs: number } {
  if (frames.length < 2) return { fps: 0, worstFps: 0, longestFrameMs: 0 }
  const span = frames.at(-1)! - frames[0]!
  let longest = 0
  for (let i = 1; i < frames.length; i++) longest = Math.max(longest, frames[i]! - frames[i - 1]!)
  const windowMs = 250
  let worst = Number.POSITIVE_INFINITY
  if (span <= windowMs) worst = ((frames.length - 1) * 1000) / span
  else {
    let end = 0
    for (let start = 0; start < frames.length && frames[start]! + windowMs <= frames.at(-1)!; start++) {
      while (end < frames.length && frames[end]! < frames[start]! + windowMs) end++
      worst = Math.min(worst, ((end - start) * 1000) / windowMs)
    }
  }
  return { fps: ((frames.length - 1) * 1000) / span, worstFps: worst, longestFrameMs: longest }
}

const round = (value: number): number => Math.round(value * 10) / 10

/** Installed in each page once loaded: a rAF meter the gestures start and stop. */
function installMeter(): void {
  const meter = { frames: [] as number[], on: false }
  const tick = (time: number): void => {
    if (!meter.on) return
    meter.frames.push(time)
    requestAnimationFrame(tick)
  }
  Object.assign(window, {
    benchMeter: {
      start(): void {
        meter.frames = []
        meter.on = true
        requestAnimationFrame(tick)
      },
      stop(): number[] {
        meter.on = false
        return meter.frames
      },
    },
  })
}

interface Meter {
  start(): void
  stop(): number[]
}

/**
 * `ATOMITON_BENCH_CPUPROFILE=<folder>`: each gesture of the editor also writes the page's CPU profile there
 * (`<gesture>.cpuprofile`, for Chrome DevTools' Performance panel), to find what a slow frame spends.
 */
const PROFILE_DIR = process.env['ATOMITON_BENCH_CPUPROFILE']

async function profiled<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work()
  const profiler = await page.context().newCDPSession(page)
  await profiler.send('Profiler.enable')
  await profiler.send('Profiler.start')
  const result = await work()
  const { profile } = await profiler.send('Profiler.stop')
  await mkdir(PROFILE_DIR, { recursive: true })
  await writeFile(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile))
  await profiler.detach()
  return result
}

/** The frames drawn while `gesture` ran. (Functions given to `evaluate` run in the page: nothing of this module is in scope there.) */
async function measured(page: Page, gesture: () => Promise<void>, name = 'gesture'): Promise<number[]> {
  return profiled(page, name, async () => {
    await page.evaluate(() => (window as unknown as { benchMeter: Meter }).benchMeter.start())
    await gesture()
    return page.evaluate(() => (window as unknown as { benchMeter: Meter }).benchMeter.stop())
  })
}

/** Zooms in at the point with the wheel, `steps` notches, then out again. */
async function zoomGesture(page: Page, at: { x: number; y: number }, steps: number): Promise<void> {
  await page.mouse.move(at.x, at.y)
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, -100)
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, 100)
}

/** Drags from the point 300 px right and down, then back, in `steps` moves each way. */
async function panGesture(page: Page, at: { x: number; y: number }, steps: number): Promise<void> {
  await page.mouse.move(at.x, at.y)
  await page.mouse.down()
  await page.mouse.move(at.x + 300, at.y + 200, { steps })
  await page.mouse.move(at.x, at.y, { steps })
  await page.mouse.up()
}

async function launch(): Promise<Browser> {
  const found = await findChromium()
  return chromium.launch({ executablePath: found.executablePath, args: [...found.args], env: { ...process.env, ...found.env } })
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1 })
  context.setDefaultTimeout(WAIT.timeout)
  return context.newPage()
}

/** The limit: the same Chromium, the same gestures, on a page that draws nothing. */
export function blankPage(load: EditorLoad): Contender<undefined> {
  return {
    name: 'blank page, same input (limit)',
    async setup(): Promise<Session<undefined>> {
      const browser = await launch()
      const page = await newPage(browser)
      await page.setContent('<!doctype html><body style="margin:0;height:100vh"></body>')
      await page.evaluate(installMeter)
      let figures: Record<string, number> = {}
      return {
        async call() {
          const centre = { x: WIDTH / 2, y: HEIGHT / 2 }
          const zoom = frameStats(await measured(page, () => zoomGesture(page, centre, load.steps)))
          const pan = frameStats(await measured(page, () => panGesture(page, centre, load.steps)))
          const idle = frameStats(await measured(page, () => page.waitForTimeout(500)))
          figures = { 'zoom fps': round(zoom.fps), 'pan fps': round(pan.fps), 'pan worst fps': round(pan.worstFps), 'run fps': round(idle.fps), 'run worst fps': round(idle.worstFps) }
          return selfTimed(0)
        },
        metrics: () => figures,
        close: () => browser.close(),
      }
    },
  }
}

/**
 * The editor: opens the saved workflow from the list (click → the nodes in view drawn after the fit), answers
 * a click on a node (pointer down → its side panel drawn), then zooms, pans, and runs it (Run → finished),
 * metering frames throughout each gesture.
 */
export function editorCanvas(load: EditorLoad): Contender<undefined> {
  return {
    name: `atomiton editor: ${load.nodes} nodes, ${load.edges} edges`,
    async setup(): Promise<Session<undefined>> {
      const rendererDir = await ensureRendererBuilt()
      const dataDir = await temporaryFolder('atomiton-bench-editor-')
      let server: RunningServer | undefined
      let browser: Browser | undefined
      const close = async (): Promise<void> => {
        await browser?.close()
        await server?.close()
        await rm(dataDir, { recursive: true, force: true })
      }
      try {
        server = await startServer({ port: 0, dataDir, rendererDir })
        const doc = benchWorkflow(load.nodes, load.edges)
        await server.host.call('workflow.create', { workflow: doc })
        browser = await launch()
        const page = await newPage(browser)
        await page.goto(server.url)
        await page.evaluate(installMeter)
        await page.locator('.nav-item[data-view="workflows"]').click()
        await page.locator(`[data-workflow="${doc.name}"]`).waitFor(WAIT)
        let figures: Record<string, number> = {}
        return {
          async call() {
            figures = await measureEditor(page, doc.name, load)
            return selfTimed(figures['open + input ms']!)
          },
          metrics: () => figures,
          close,
        }
      } catch (error) {
        await close()
        throw error
      }
    },
  }
}

async function measureEditor(page: Page, name: string, load: EditorLoad): Promise<Record<string, number>> {
  // Open: the list item's click, until the fitted view's nodes are drawn and a frame went by.
  const openMs = await profiled(page, 'open', () => page.evaluate(async (workflow) => {
    const frame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve))
    const fitted = (): boolean => {
      const viewport = document.querySelector<HTMLElement>('.vue-flow__transformationpane')
      const scale = viewport ? new DOMMatrix(getComputedStyle(viewport).transform).a : 1
      return scale < 1 && document.querySelectorAll('.vue-flow__node .canvas-node').length > 0
    }
    const started = performance.now()
    document.querySelector<HTMLElement>(`[data-workflow="${workflow}"]`)!.click()
    while (!fitted()) {
      if (performance.now() - started > 30_000) throw new Error(`not drawn after 30 s: ${document.querySelectorAll('.vue-flow__node').length} nodes, viewport ${document.querySelector<HTMLElement>('.vue-flow__transformationpane')?.style.transform}`)
      await frame()
    }
    await frame()
    return performance.now() - started
  }, name))

  // Input: a click on the drawn node nearest the canvas's centre, until its side panel is drawn.
  const target = await page.evaluate(() => {
    const box = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect()
    const centre = { x: box.left + box.width / 2, y: box.top + box.height / 2 }
    let best: { id: string; x: number; y: number; distance: number } | undefined
    for (const node of document.querySelectorAll<HTMLElement>('.canvas-node[data-node-id]')) {
      const rect = node.getBoundingClientRect()
      const x = rect.left + rect.width / 2
      const y = rect.top + Math.min(rect.height / 2, 8)
      const distance = Math.hypot(x - centre.x, y - centre.y)
      if (!best || distance < best.distance) best = { id: node.dataset['nodeId']!, x, y, distance }
    }
    Object.assign(window, { benchPointerAt: undefined })
    addEventListener('pointerdown', () => Object.assign(window, { benchPointerAt: performance.now() }), { capture: true, once: true })
    return { ...best!, centre }
  })
  await page.mouse.click(target.x, target.y)
  const inputMs = await page.evaluate(async (id) => {
    const frame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve))
    const started = performance.now()
    while (!document.querySelector(`[data-testid="inspector"][data-node="${id}"]`)) {
      if (performance.now() - started > 30_000) throw new Error(`no side panel for ${id} after 30 s`)
      await frame()
    }
    await frame()
    return performance.now() - (window as unknown as { benchPointerAt: number }).benchPointerAt
  }, target.id)

  const zoom = frameStats(await measured(page, () => zoomGesture(page, target.centre, load.steps), 'zoom'))

  // Pan from a point of the pane between nodes (a drag that starts on a node moves the node).
  const paneAt = await page.evaluate(() => {
    const box = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect()
    for (let dy = 0; dy < box.height / 2 - 20; dy += 3) {
      for (const y of [box.top + box.height / 2 + dy, box.top + box.height / 2 - dy]) {
        for (let x = box.left + 60; x < box.right - 60; x += 3) {
          const hit = document.elementFromPoint(x, y)
          if (hit?.closest('.vue-flow') && !hit.closest('.vue-flow__node, .vue-flow__edge, .vue-flow__minimap, .vue-flow__controls, .canvas-toolbar')) return { x, y }
        }
      }
    }
    throw new Error('no free point of the pane to pan from')
  })
  const pan = frameStats(await measured(page, () => panGesture(page, paneAt, load.steps), 'pan'))

  // A run: Run clicked, until the run panel says it finished; every node must have succeeded.
  const run = frameStats(
    await measured(page, async () => {
      await page.locator('[data-testid="run-workflow"]').click()
      await page.locator('[data-testid="run-panel"][data-status="succeeded"], [data-testid="run-panel"][data-status="failed"], [data-testid="run-panel"][data-status="cancelled"]').waitFor(WAIT)
    }, 'run'),
  )
  const status = await page.locator('[data-testid="run-panel"]').getAttribute('data-status')
  const done = await page.locator('[data-testid="run-count"]').textContent()
  if (status !== 'succeeded' || done?.trim() !== `${load.nodes} / ${load.nodes} nodes`) throw new Error(`the run ended ${status} with ${done}`)

  return {
    'open ms': Math.round(openMs),
    'input ms': Math.round(inputMs),
    'open + input ms': Math.round(openMs + inputMs),
    'zoom fps': round(zoom.fps),
    'pan fps': round(pan.fps),
    'pan worst fps': round(pan.worstFps),
    'run fps': round(run.fps),
    'run worst fps': round(run.worstFps),
  }
}
