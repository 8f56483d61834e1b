/**
 * The Electron side of the app wired for tests: an emulated Electron (`electron-ipc.ts`), the real
 * `attachIpcTransport`, a host, a memory logger, and helpers to open windows and load the built preload.
 *
 * The host is the real one: `TestHost` (the kernel's `createHost` with a small test plugin, recording what
 * the transport passes on) unless `options.host` gives another `Connectable`.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { WebContents } from 'electron'
import type { AtomitonBridge } from '@atomiton/core/common/bridge'
import type { Connectable } from '@atomiton/core/host/connection'
import type { Disposable } from '@atomiton/core/host/disposable'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { attachIpcTransport } from '../main/ipc-transport'
import { APP_ORIGIN, isAllowedOrigin } from '../main/security'
import { createElectronEmulation, type ElectronEmulation, type EmulatedPage, type EmulatedWebContents } from './electron-ipc'
import { TestHost } from './test-host'

export const APP_URL = `${APP_ORIGIN}/index.html`

export interface IpcFixtureOptions<H extends Connectable> {
  readonly host?: H
  readonly origins?: readonly string[]
  readonly grantsFor?: (webContents: WebContents) => readonly string[]
}

export interface IpcFixture<H extends Connectable> {
  readonly electron: ElectronEmulation
  readonly host: H
  readonly logger: ReturnType<typeof createMemoryLogger>
  readonly transport: Disposable
  /** Opens a window on `url` (the app by default). */
  openWindow(url?: string): EmulatedWebContents
  /** Warn lines logged by the transport. */
  warnings(): { readonly msg?: string; readonly reason?: unknown; readonly channel?: unknown }[]
  dispose(): void
}

export async function createIpcFixture<H extends Connectable = TestHost>(options: IpcFixtureOptions<H> = {}): Promise<IpcFixture<H>> {
  const electron = createElectronEmulation()
  const own = options.host === undefined ? await TestHost.create() : undefined
  const host = options.host ?? (own as unknown as H)
  const logger = createMemoryLogger('debug')
  const origins = options.origins ?? [APP_ORIGIN]
  const transport = attachIpcTransport({
    ipcMain: electron.ipcMain,
    host,
    isAllowedOrigin: (url) => isAllowedOrigin(url, origins),
    grantsFor: options.grantsFor ?? (() => ['test.*']),
    logger,
  })
  return {
    electron,
    host,
    logger,
    transport,
    openWindow: (url = APP_URL) => electron.createWindow(url),
    warnings: () => logger.entries.filter((entry) => entry.level === 'warn'),
    dispose() {
      void transport.dispose()
      electron.destroyAll()
      void own?.dispose()
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// The built preload

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface BuiltPreload {
  readonly path: string
  readonly code: string
  /** Deletes the temporary build directory. */
  remove(): Promise<void>
}

/**
 * Builds `app/preload/index.ts` with the real `electron.vite.config.ts` (preload target only) into a fresh
 * temporary directory, in a child process, and returns `<tmp>/preload/index.cjs`.
 */
export async function buildPreload(): Promise<BuiltPreload> {
  const outDir = await mkdtemp(join(tmpdir(), 'atomiton-preload-'))
  await promisify(execFile)(process.execPath, [join(repoRoot, 'app/test-support/build-preload.mjs'), outDir], {
    cwd: repoRoot,
    timeout: 60_000,
  })
  const path = join(outDir, 'preload', 'index.cjs')
  return { path, code: await readFile(path, 'utf8'), remove: () => rm(outDir, { recursive: true, force: true }) }
}

/** Runs the built preload in the page's isolated world and returns what the page sees as `window.atomitonBridge`. */
export function loadPreload(page: EmulatedPage, preload: BuiltPreload): AtomitonBridge {
  page.runPreload(preload.code, preload.path)
  return page.window['atomitonBridge'] as AtomitonBridge
}
