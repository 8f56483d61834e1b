/** Where things are once built (see vite.config.ts): `<repo>/node_modules/.cache/atomiton-bench/{run.js,workers,boot,chunks}`. */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aliasesAt } from '../aliases'

/** The folder of the built bench: the nearest folder above this module (which may sit in `chunks/`) holding `run.js`. */
export const OUT_DIR = findOutDir(dirname(fileURLToPath(import.meta.url)))

function findOutDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'run.js'))) return dir
    if (dirname(dir) === dir) throw new Error(`bench: no run.js above ${from}; run the built bench (see bench/vite.config.ts)`)
  }
}

/** The repository root: the built bench lives in `<root>/node_modules/.cache/atomiton-bench`. */
export const REPO_ROOT = resolve(OUT_DIR, '../../..')

/** The built script of `bench/workers/<name>.ts`, for `new Worker(...)`. */
export function workerScript(name: string): string {
  return join(OUT_DIR, 'workers', `${name}.js`)
}

/** The built script of `bench/boot/<name>.ts`, for a child process. */
export function bootScript(name: string): string {
  return join(OUT_DIR, 'boot', `${name}.js`)
}

/**
 * The repository's import aliases, with REPO_ROOT's paths: aliases.ts's own `aliases` derive theirs from its
 * `import.meta.url`, which is this bundle's once built.
 */
export function repoAliases(): Array<{ find: RegExp; replacement: string }> {
  return aliasesAt(REPO_ROOT)
}
