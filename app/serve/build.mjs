// Builds what browser mode runs, skipping what is already up to date (`npm run serve` runs this first):
//
// - the renderer, `out/renderer/` (electron-vite's renderer target of `electron.vite.config.ts`, exactly as
//   `electron-vite build` builds it, without main and preload);
// - the server, `out/serve/cli.js` (`app/serve/vite.config.ts`).
//
//   node app/serve/build.mjs [--force] [--out-dir <dir>] [--skip-renderer]
//
// A target is rebuilt when its output is missing or older than any of its sources (the source folders and
// config files below, by modification time); `--force` rebuilds both. `--out-dir` builds the server into
// another folder (tests use a temporary one). Plain .mjs so it runs under bare Node 20.
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfigFromFile, RendererConfigFactory } from 'electron-vite'
import { build } from 'vite'
import { isStale } from '../../tools/build/stale.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const { values } = parseArgs({
  options: { force: { type: 'boolean' }, 'out-dir': { type: 'string' }, 'skip-renderer': { type: 'boolean' } },
  strict: true,
})
const force = values.force ?? false

const SHARED = ['core/src', 'plugins', 'plugin-sdk/src', 'app/common', 'aliases.ts', 'package.json']
const RENDERER_SOURCES = [...SHARED, 'app/renderer', 'app/bridge.d.ts', 'electron.vite.config.ts']
const SERVE_SOURCES = [...SHARED, 'app/serve', 'tools/build', 'app/main/security.ts']

/** Whether `output` must be built: `--force`, or missing or older than its sources. */
function mustBuild(output, sources) {
  return force || isStale(root, output, sources)
}

async function buildRenderer() {
  // What electron-vite's `build()` sets before resolving its config.
  process.env.NODE_ENV_ELECTRON_VITE = 'production'
  const previousNodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, join(root, 'electron.vite.config.ts'), root, 'warn', true)
    if (!config.renderer) throw new Error('electron.vite.config.ts has no renderer config')
    const inline = { configFile: false, mode: 'production', logLevel: 'warn' }
    const renderer = await new RendererConfigFactory(config.renderer, inline, { root }).build()
    await build(renderer)
  } finally {
    if (previousNodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previousNodeEnv
  }
}

async function buildServer(outDir) {
  await build({
    configFile: join(root, 'app/serve/vite.config.ts'),
    logLevel: 'warn',
    ...(outDir ? { build: { outDir } } : {}),
  })
}

const rendererIndex = join(root, 'out/renderer/index.html')
if (!values['skip-renderer']) {
  if (mustBuild(rendererIndex, RENDERER_SOURCES)) {
    process.stderr.write('Building the renderer (out/renderer)...\n')
    await buildRenderer()
  } else {
    process.stderr.write('The renderer is up to date (out/renderer)\n')
  }
}

const serveOut = values['out-dir'] ? resolve(values['out-dir']) : undefined
if (serveOut || mustBuild(join(root, 'out/serve/cli.js'), SERVE_SOURCES)) {
  process.stderr.write(`Building the server (${serveOut ?? 'out/serve'})...\n`)
  await buildServer(serveOut)
} else {
  process.stderr.write('The server is up to date (out/serve/cli.js)\n')
}
