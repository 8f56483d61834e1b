/**
 * Builds `hostile-server.ts` into plain ESM for Node (Node 20 cannot run TypeScript), like browser mode's
 * server (`app/serve/vite.config.ts`): the repository's aliases resolved, every npm package external.
 * The output folder comes from `HOSTILE_SERVER_OUT_DIR`.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { aliases } from '../../../aliases.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  root: here('../../..'),
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: aliases },
  build: {
    ssr: true,
    target: 'node20',
    outDir: process.env['HOSTILE_SERVER_OUT_DIR'] ?? here('../../../node_modules/.cache/atomiton-hostile-server'),
    emptyOutDir: true,
    minify: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { 'hostile-server': here('./hostile-server.ts') },
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
})
