/**
 * Builds the command line (`app/cli/main.ts`) into plain ESM JavaScript for Node 20: `out/cli/atomiton.js`,
 * which `bin/atomiton.mjs` runs (and builds first when it is missing or older than its sources). Like the
 * browser-mode server (app/serve/vite.config.ts): an SSR build that resolves the repository's aliases and
 * leaves every npm package external, so the CLI imports `tar`, `semver`, `conf`, `zod`... from node_modules.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { aliases } from '../../aliases.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: here('../..'),
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: aliases },
  build: {
    ssr: true,
    target: 'node20',
    outDir: here('../../out/cli'),
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { atomiton: here('./main.ts') },
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
})
