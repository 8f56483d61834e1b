/**
 * The channel of `npx atomiton plugin dev`: a running host watches `<plugins>/.dev/` for request files
 * (`<id>.request.json`: `{ folder, nonce }`); for each it reinstalls the package from that folder through the
 * installer (inspect, then install: the running version is deactivated, the new one activated, and the old one
 * re-activated if the new one fails) and answers in `<id>.result.json` (`{ nonce, ok, version?, message? }`).
 *
 * `{ sync: true, nonce }` instead asks the host to apply what the CLI changed on disk (`npx atomiton plugin install`
 * or `remove` while the app runs): the package in `<plugins>/<id>/` is reloaded from there (loaded, or swapped for
 * the version now on disk), or, when that folder is gone, the loaded package is removed (its data is not touched).
 * While a host answers, `<plugins>/.dev/host.json` holds its `pid`, so the CLI knows whether anyone will.
 *
 * Approval: a dev reload never grants anything new. It is refused unless the package is already installed
 * (approved once with `npx atomiton plugin install` or `plugin dev`, which asks) with exactly the permissions it
 * requests now. Whoever can write the data folder can already install packages (they load at the next start),
 * so this channel gives no one more than they had; it only makes the change live.
 */
import { readFileSync, rmSync, watch, type FSWatcher } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Disposable } from '../host/disposable'
import type { PackageManager } from './package-manager'
import { messageOf } from './manifest'
import { ruleOf } from './package-error'

export const DEV_FOLDER = '.dev'

export interface DevRequest {
  /** Reload from this folder; absent with `sync`. */
  readonly folder?: string
  /** Apply what is on disk for this id (a CLI install or removal). */
  readonly sync?: boolean
  readonly nonce: string
}

/** `<plugins>/.dev/host.json`: the process answering requests, while it does. */
export const HOST_MARKER = 'host.json'

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

async function reload(packages: PackageManager, folder: string): Promise<Omit<DevResult, 'nonce'>> {
  const inspection = await packages.inspect({ folder })
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

/** Makes the running host match `<plugins>/<id>/` after the CLI changed it. */
async function sync(packages: PackageManager, id: string): Promise<Omit<DevResult, 'nonce'>> {
  const folder = join(packages.pluginsDir, id)
  if (await stat(folder).then(() => true, () => false)) return reload(packages, folder)
  // Not loaded (it had failed, or was never loaded): nothing to undo.
  await packages.uninstall({ id }).catch((error: unknown) => {
    if (ruleOf(error) !== 'not-installed') throw error
  })
  return { ok: true }
}

/** Starts answering dev reload requests; dispose to stop. */
export async function watchDevRequests(packages: PackageManager, onError: (error: unknown) => void): Promise<Disposable> {
  const folder = join(packages.pluginsDir, DEV_FOLDER)
  await mkdir(folder, { recursive: true })
  const marker = join(folder, HOST_MARKER)
  await writeAtomically(marker, JSON.stringify({ pid: process.pid }))
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
        if (typeof request?.nonce !== 'string' || (request.sync !== true && typeof request.folder !== 'string')) {
          throw new Error('a request is { folder, nonce } or { sync: true, nonce }')
        }
        nonce = request.nonce
        outcome = request.sync === true ? await sync(packages, id) : await reload(packages, request.folder!)
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
  return {
    dispose: () => {
      watcher.close()
      // Only our own marker: another host may have started on this folder since.
      try {
        if (readFileSync(marker, 'utf8') === JSON.stringify({ pid: process.pid })) rmSync(marker, { force: true })
      } catch {
        // Already gone.
      }
    },
  }
}
