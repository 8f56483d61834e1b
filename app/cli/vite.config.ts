/**
 * Builds the command line (`app/cli/main.ts`) into plain ESM JavaScript for Node 20: `out/cli/atomiton.js`,
 * which `bin/atomiton.mjs` runs (and builds first when it is missing or older than its sources). The same
 * kind of bundle as browser mode's server: see tools/build/node-bundle.ts.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { nodeBundleConfig } from '../../tools/build/node-bundle.ts'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig(nodeBundleConfig({ input: { atomiton: here('./main.ts') }, outDir: here('../../out/cli') }))
