/**
 * The channel of `npx atomiton plugin dev`: a running host watches `<plugins>/.dev/` for request files
 * (`<id>.request.json`: `{ folder, nonce }`); for each it reinstalls the package from that folder through the
 * installer (inspect, then install: the running version is deactivated, the new one activated, and the old one
 * re-activated if the new one fails) and answers in `<id>.result.json` (`{ nonce, ok, version?, message? }`).
 *
 * Approval: a dev reload never grants anything new. It is refused unless the package is already installed
 * (approved once with `npx atomiton plugin install` or `plugin dev`, which asks) with exactly the permissions it
 * requests now. Whoever can write the data folder can already install packages (they load at the next start),
 * so this channel gives no one more than they had; it only makes the change live.
 */
import { watch, type FSWatcher } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Disposable } from '../host/disposable'
import type { PackageManager } from './package-manager'
import { messageOf } from './manifest'

export const DEV_FOLDER = '.dev'

export interface DevRequest {
  readonly folder: string
  readonly nonce: string
}

export interface DevResult {
  readonly nonce: string
  readonly ok: boolean
  readonly version?: string
  readonly message?: string
}

async function writeAtomically(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content)
  await rename(`${file}.tmp`, file)
}

async function reload(packages: PackageManager, request: DevRequest): Promise<Omit<DevResult, 'nonce'>> {
  const inspection = await packages.inspect({ folder: request.folder })
  const permissions = [...inspection.permissions].sort().join(', ')
  if (!inspection.current || [...inspection.current.permissions].sort().join(', ') !== permissions) {
    await packages.discard(inspection.stagingId)
    return {
      ok: false,
      message: inspection.current
        ? `its permissions changed (now [${permissions}]): approve them with npx atomiton plugin install`
        : `"${inspection.id}" is not installed: install it once (npx atomiton plugin dev asks) before reloading it`,
    }
  }
  const result = await packages.install({ stagingId: inspection.stagingId, approvedPermissions: inspection.permissions })
  return { ok: true, version: result.version }
}

/** Starts answering dev reload requests; dispose to stop. */
export async function watchDevRequests(packages: PackageManager, onError: (error: unknown) => void): Promise<Disposable> {
  const folder = join(packages.pluginsDir, DEV_FOLDER)
  await mkdir(folder, { recursive: true })
  let chain: Promise<unknown> = Promise.resolve()
  const handle = (file: string): void => {
    chain = chain.then(async () => {
      const path = join(folder, file)
      const text = await readFile(path, 'utf8').catch(() => undefined)
      if (text === undefined) return
      await rm(path, { force: true })
      const id = file.slice(0, -'.request.json'.length)
      let nonce = ''
      let outcome: Omit<DevResult, 'nonce'>
      try {
        const request = JSON.parse(text) as DevRequest
        if (typeof request?.folder !== 'string' || typeof request.nonce !== 'string') throw new Error('a request is { folder, nonce }')
        nonce = request.nonce
        outcome = await reload(packages, request)
      } catch (error) {
        outcome = { ok: false, message: messageOf(error) }
      }
      await writeAtomically(join(folder, `${id}.result.json`), JSON.stringify({ nonce, ...outcome }))
    }).catch(onError)
  }
  const watcher: FSWatcher = watch(folder, (_event, file) => {
    if (typeof file === 'string' && /^[a-z][a-zA-Z0-9]*\.request\.json$/.test(file)) handle(file)
  })
  watcher.on('error', onError)
  return { dispose: () => watcher.close() }
}
