/**
 * Builds browser mode's server (`app/serve/cli.ts`) into plain ESM JavaScript for Node: `out/serve/cli.js`
 * (see tools/build/node-bundle.ts for why a build and what it resolves).
 *
 *   vite build --config app/serve/vite.config.ts      # or: node app/serve/build.mjs (renderer too, if stale)
 *   node out/serve/cli.js --port 0 --data-dir ./.data
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { nodeBundleConfig } from '../../tools/build/node-bundle.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** Where the built server goes; `cli.js` finds the renderer in `../renderer` (`out/renderer`). */
export const SERVE_OUT_DIR = here('../../out/serve')

export default defineConfig(nodeBundleConfig({ input: { cli: here('./cli.ts') }, outDir: SERVE_OUT_DIR, sourcemap: true }))
