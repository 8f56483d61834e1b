// Builds ONLY the preload, with the real `electron.vite.config.ts` and electron-vite's own preload presets,
// exactly as `electron-vite build` would (that command also builds main and renderer).
//
//   node app/test-support/build-preload.mjs [outDir]      # default: <repo>/out  ->  <outDir>/preload/index.cjs
//
// Plain .mjs so it runs under bare Node in a child process: electron-vite's build sets NODE_ENV and other
// process-wide state that must not leak into the test worker that asks for the build.
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfigFromFile, PreloadConfigFactory } from 'electron-vite'
import { build } from 'vite'

const root = fileURLToPath(new URL('../..', import.meta.url))
const outDir = resolve(process.argv[2] ?? join(root, 'out'))

// What electron-vite's `build()` sets before resolving its config.
process.env.NODE_ENV_ELECTRON_VITE = 'production'
process.env.NODE_ENV = 'production'

const { config } = await loadConfigFromFile(
  { command: 'build', mode: 'production' },
  join(root, 'electron.vite.config.ts'),
  root,
  'warn',
  true,
)
if (!config.preload) throw new Error('electron.vite.config.ts has no preload config')

// Mirrors electron-vite's resolveConfig: an inline build.outDir becomes <outDir>/preload.
const inline = { configFile: false, mode: 'production', logLevel: 'warn', build: { outDir } }
const preload = await new PreloadConfigFactory(config.preload, inline, { outDir, root }).build()
await build(preload)
console.log(join(outDir, 'preload', 'index.cjs'))
