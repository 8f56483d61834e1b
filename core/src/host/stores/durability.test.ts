// Acknowledged writes survive a process killed at any moment (SIGKILL, real files, a real child process),
// on every write path we ship: with SNAP set, conf wrote in place and a kill left a truncated file whose
// recovery lost acknowledged writes while reporting "salvaged 0, lostKeys []". And the temporary files of
// the interrupted writes are removed when the store opens again.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConfStoreFactory } from './conf-store'

const KILLS = 8
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
// Inside node_modules, so the bundle finds conf and devalue there.
const bundle = path.join(repoRoot, 'node_modules', '.cache', 'atomiton-tests', `write-until-killed-${process.pid}.mjs`)
let directory: string

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'atomiton-durability-'))
  await build({
    input: fileURLToPath(new URL('./test-support/write-until-killed.ts', import.meta.url)),
    platform: 'node',
    external: [/^[^./]/],
    output: { file: bundle, format: 'esm' },
    logLevel: 'silent',
  })
}, 60_000)

afterAll(() => {
  fs.rmSync(directory, { recursive: true, force: true })
  fs.rmSync(bundle, { force: true })
})

/**
 * Runs the writer until it acknowledged `acks` writes, then kills it (SIGKILL) at the next thing it does
 * to the folder (inotify: creating a temporary file, or truncating the store file in place): so the kill
 * lands while a write is under way, not at a random point of the loop. Returns what it acknowledged.
 */
async function writeThenKill(first: number, acks: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [bundle, directory, String(first)], { env: { ...process.env, SNAP: '1' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let armed = false
  const watcher = fs.watch(directory, () => {
    if (armed) child.kill('SIGKILL')
  })
  const acknowledged = new Map<string, number>()
  let seen = 0
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, version] = line.split(' ')
    acknowledged.set(key!, Number(version))
    if (++seen === acks) armed = true
  }
  await exited
  watcher.close()
  return acknowledged
}

describe('a store written by a process that is killed', { timeout: 120_000 }, () => {
  it(`keeps every acknowledged write through ${KILLS} SIGKILLs (SNAP set), and cleans up after them`, async () => {
    const latest = new Map<string, number>()
    let first = 0
    let interrupted = 0
    for (let kill = 0; kill < KILLS; kill++) {
      const acknowledged = await writeThenKill(first, 2 + (kill % 3))
      if (fs.readdirSync(directory).some((name) => name.endsWith('.tmp'))) interrupted++
      for (const [key, version] of acknowledged) latest.set(key, version)
      first = Math.max(...latest.values()) + 2

      const factory = createConfStoreFactory({ directory })
      const store = factory.open('s')
      expect(factory.recoveries).toEqual([])
      for (const [key, version] of latest) {
        // The write after the last acknowledged one may have landed too (killed before it was printed).
        const stored = store.get(key) as { version: number } | undefined
        expect(stored?.version, key).toBeGreaterThanOrEqual(version)
        latest.set(key, stored!.version)
      }
      expect(fs.readdirSync(directory)).toEqual(['s.json'])
    }
    // The kills did land inside writes (each left its temporary file, removed by the next open).
    expect(interrupted).toBeGreaterThan(0)
  })
})
