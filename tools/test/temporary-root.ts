/**
 * vitest globalSetup of every project: the run's temporary files go into one folder of their own, removed
 * when the run ends, instead of piling up in the system's temporary folder (thousands of package folders
 * and tarballs a run). It works by pointing `TMPDIR` (what `os.tmpdir()` reads on Linux and macOS; `TEMP`
 * and `TMP` on Windows) at that folder before any test worker starts, so test files, the child processes
 * they spawn and the libraries they use need no change.
 *
 * Several projects run this setup in one vitest process: the first creates the folder, the others reuse it,
 * and the last teardown removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface RunFolder {
  readonly root: string
  readonly previous: Readonly<Record<string, string | undefined>>
  users: number
}

/** Kept on globalThis: vitest may load this module once per project. */
const KEY = Symbol.for('atomiton.test.temporaryRoot')
const state = globalThis as { [KEY]?: RunFolder }
const VARIABLES = ['TMPDIR', 'TEMP', 'TMP'] as const

export default function setup(): () => void {
  let folder = state[KEY]
  if (folder === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'atomiton-test-run-'))
    folder = { root, previous: Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]])), users: 0 }
    for (const name of VARIABLES) process.env[name] = root
    state[KEY] = folder
  }
  folder.users += 1
  const used = folder
  return () => {
    used.users -= 1
    if (used.users > 0) return
    delete state[KEY]
    for (const name of VARIABLES) {
      const value = used.previous[name]
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    rmSync(used.root, { recursive: true, force: true })
  }
}
