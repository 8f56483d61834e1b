/**
 * Tells an app running on the data folder about a change the CLI made there (`plugin install`, `plugin remove`),
 * through the dev-reload channel (core/src/packages/dev-reload.ts): a `{ sync: true }` request that the app
 * answers by loading, swapping or removing that package. Nothing is granted this way: the app reloads what the
 * CLI installed after the person approved its permissions, and refuses a package whose permissions differ.
 *
 * Whether an app answers is known from `<plugins>/.dev/host.json` (its pid, present while it watches): with
 * none alive, the change simply applies at the app's next start.
 */
import { randomUUID } from 'node:crypto'
import { watch } from 'node:fs'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEV_FOLDER, HOST_MARKER, type DevResult } from '@atomiton/core/packages/dev-reload'

/** A running app's answer to a sync request, or undefined when no app watches the folder. */
export async function syncRunningApp(pluginsDir: string, id: string, options: { readonly timeoutMs?: number } = {}): Promise<DevResult | undefined> {
  const folder = join(pluginsDir, DEV_FOLDER)
  const marker = await readFile(join(folder, HOST_MARKER), 'utf8').then((text) => JSON.parse(text) as { pid?: unknown }, () => undefined)
  if (typeof marker?.pid !== 'number' || !isAlive(marker.pid)) return undefined
  const nonce = randomUUID()
  const resultFile = join(folder, `${id}.result.json`)
  const requestFile = join(folder, `${id}.request.json`)
  return new Promise<DevResult | undefined>((resolve) => {
    let settled = false
    const finish = (result: DevResult | undefined): void => {
      if (settled) return
      settled = true
      watcher.close()
      clearTimeout(timer)
      // Unanswered (the app hung or quit meanwhile): the request is withdrawn; the next start loads the change.
      if (result === undefined) void rm(requestFile, { force: true })
      resolve(result)
    }
    const check = (): void => {
      void readFile(resultFile, 'utf8').then((text) => {
        const result = JSON.parse(text) as DevResult
        if (result.nonce === nonce) finish(result)
      }, () => undefined)
    }
    const watcher = watch(folder, (_event, file) => {
      if (file === `${id}.result.json`) check()
    })
    // A bound for an app that stops answering (it is a person waiting at a terminal, not a synchronisation).
    const timer = setTimeout(() => finish(undefined), options.timeoutMs ?? 30_000)
    void writeFile(`${requestFile}.tmp`, JSON.stringify({ sync: true, nonce }))
      .then(() => rename(`${requestFile}.tmp`, requestFile))
      .catch(() => finish(undefined))
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
