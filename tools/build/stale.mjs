// Whether a build output is older than its sources, for the plain-.mjs launchers that build on demand
// (bin/atomiton.mjs, app/serve/build.mjs): plain JavaScript so bare Node 20 runs it.

import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The newest modification time under `path` (0 if it does not exist). Folders count (a deleted source
 * changes its folder's time); node_modules and dot entries are skipped, and test files do not count.
 */
export function newest(path) {
  let stats
  try {
    stats = statSync(path)
  } catch {
    return 0
  }
  if (!stats.isDirectory()) return /\.test(-d)?\.ts$/.test(path) ? 0 : stats.mtimeMs
  let latest = stats.mtimeMs
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue
    latest = Math.max(latest, newest(join(path, entry)))
  }
  return latest
}

/** True when `output` is missing or older than any of `sources` (paths relative to `root`). */
export function isStale(root, output, sources) {
  let builtAt
  try {
    builtAt = statSync(output).mtimeMs
  } catch {
    return true
  }
  return sources.some((source) => newest(join(root, source)) > builtAt)
}
