/**
 * Builds the benchmark into plain ESM JavaScript that plain Node runs, workers included.
 *
 * Why a build: Node 20 cannot run TypeScript (no type stripping), no TS runner (tsx, vite-node, esbuild) is
 * installed, and the Atomiton kernel is imported through the repository's aliases (`@atomiton/core`) and
 * extension-less relative imports, which a bare `tsc` emit would not make runnable. Vite (already a dev
 * dependency; rolldown + oxc underneath) resolves the same aliases as vitest and electron-vite, strips the
 * types and externalizes every package of node_modules, so the measured code is the packages' own code.
 * Type-checking the bench is `npm run typecheck`'s job (tsconfig.json includes `bench/`).
 *
 *   vite build --config bench/vite.config.ts && node node_modules/.cache/atomiton-bench/run.js [--quick] [--json file]
 *
 * Every `bench/workers/*.ts` and `bench/boot/*.ts` is an entry of its own, emitted next to `run.js`
 * (`workers/<name>.js`, `boot/<name>.js`), so a Worker or a child process can load it by path (see paths.ts);
 * shared code goes to `chunks/`.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { aliases } from '../aliases'

const benchDir = fileURLToPath(new URL('.', import.meta.url))
const repoRoot = fileURLToPath(new URL('..', import.meta.url))
/** Where the built bench goes; paths.ts finds it again (the folder holding run.js) and the repository three levels up. */
export const OUT_DIR = `${repoRoot}node_modules/.cache/atomiton-bench`

function entriesOf(folder: string): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const file of readdirSync(`${benchDir}${folder}`)) {
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entries[`${folder}/${file.slice(0, -3)}`] = `${benchDir}${folder}/${file}`
  }
  return entries
}

export default defineConfig({
  root: repoRoot,
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: aliases },
  build: {
    ssr: true,
    target: 'node20',
    outDir: OUT_DIR,
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        run: `${benchDir}run.ts`,
        ...entriesOf('workers'),
        ...entriesOf('boot'),
      },
      output: {
        format: 'esm',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
})
