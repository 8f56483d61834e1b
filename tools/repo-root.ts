/**
 * The repository's root folder, found from a module's own location by walking up to the folder that holds
 * `electron.vite.config.ts`. A fixed `new URL('../../', import.meta.url)` is only right where the module
 * sits in the source tree; the benchmark bundles these modules into `node_modules/.cache/atomiton-bench/`
 * (see bench/vite.config.ts), from where the same relative path would name the wrong folder.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function repoRootFrom(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl))
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'electron.vite.config.ts'))) return `${dir}/`
    if (dirname(dir) === dir) throw new Error(`No repository root (a folder with electron.vite.config.ts) above ${start}`)
  }
}
