/**
 * Builds browser mode's server (`app/serve/cli.ts`) into plain ESM JavaScript for Node: `out/serve/cli.js`.
 *
 * Why a build: Node 20 cannot run TypeScript, and the app imports the kernel through the repository's
 * aliases (`@atomiton/core`, `@atomiton/plugins`). Vite resolves the same aliases as vitest and
 * electron-vite, strips the types, and (an SSR build) leaves every npm package external, so `cli.js` imports
 * `ws`, `conf`, `pino`, `zod`... from node_modules at run time (it runs from the repository).
 *
 *   vite build --config app/serve/vite.config.ts      # or: node app/serve/build.mjs (renderer too, if stale)
 *   node out/serve/cli.js --port 0 --data-dir ./.data
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { aliases } from '../../aliases.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** Where the built server goes; `cli.js` finds the renderer in `../renderer` (`out/renderer`). */
export const SERVE_OUT_DIR = here('../../out/serve')

export default defineConfig({
  root: here('../..'),
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: aliases },
  build: {
    ssr: true,
    target: 'node20',
    outDir: SERVE_OUT_DIR,
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { cli: here('./cli.ts') },
      output: {
        format: 'esm',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
})
