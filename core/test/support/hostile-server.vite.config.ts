/**
 * Builds `hostile-server.ts` into plain ESM for Node (see tools/build/node-bundle.ts). The output folder
 * comes from `HOSTILE_SERVER_OUT_DIR`.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { nodeBundleConfig } from '../../../tools/build/node-bundle.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig(
  nodeBundleConfig({
    input: { 'hostile-server': here('./hostile-server.ts') },
    outDir: process.env['HOSTILE_SERVER_OUT_DIR'] ?? here('../../../node_modules/.cache/atomiton-hostile-server'),
  }),
)
