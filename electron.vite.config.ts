/**
 * electron-vite 6 build of the three Electron targets (`npx electron-vite build`):
 *
 * - main      `app/main/index.ts`        -> `out/main/index.js` (ESM, npm deps external: package.json's `"main"`)
 * - preload   `app/preload/index.ts`     -> `out/preload/index.cjs`: ONE CommonJS file that requires only
 *             `electron`, as a sandboxed preload must (`externalizeDeps: false`, format `cjs`, no chunks)
 * - renderer  `app/renderer/index.html`  -> `out/renderer/`
 *
 * The preload can be built alone (it is what the tests load): `node app/test-support/build-preload.mjs [outDir]`.
 * So can the renderer, with browser mode's server (`out/serve/cli.js`, `app/serve/vite.config.ts`), when stale:
 * `node app/serve/build.mjs` (what `npm run serve` runs first). `npm run build` builds all four.
 */
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { aliases } from './aliases'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  main: {
    resolve: { alias: aliases },
    build: {
      outDir: here('./out/main'),
      lib: { entry: here('./app/main/index.ts') },
    },
  },
  preload: {
    resolve: { alias: aliases },
    build: {
      outDir: here('./out/preload'),
      // Bundle everything (core's types and any helper) into the file: a sandboxed preload cannot require.
      externalizeDeps: false,
      lib: { entry: here('./app/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
      rolldownOptions: { output: { format: 'cjs', codeSplitting: false } },
    },
  },
  renderer: {
    root: here('./app/renderer'),
    resolve: { alias: aliases },
    plugins: [vue()],
    build: {
      outDir: here('./out/renderer'),
      rolldownOptions: { input: here('./app/renderer/index.html') },
    },
  },
})
