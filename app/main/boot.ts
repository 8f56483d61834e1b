/**
 * Electron's main process, as functions of the Electron objects they are given (never imported here as
 * values), so all of it loads and is tested in plain Node with the IPC emulation of `app/test-support`.
 * `index.ts` only hands over the real `electron` module.
 *
 * `startMain` does, in this order:
 * 1. Before `ready` (synchronously, so an ESM main cannot miss it): registers the privileged `app:` scheme,
 *    enables the sandbox for every renderer, takes the single-instance lock (a second instance focuses
 *    the first one's window and quits), denies navigation, `window.open` and `<webview>` in every
 *    WebContents ever created, and installs the quit handler.
 * 2. After `ready`: boots the host (the built-in plugins with their persisted enabled state, stores in
 *    `<userData>/stores`), hardens the default session (every permission denied, the CSP on every response),
 *    serves the built renderer on `app://atomiton`, attaches the IPC transport (sender validation on every
 *    message, per-window grants) and opens the hardened main window.
 * 3. On quit: `before-quit` is held off until the host is disposed (connections closed, plugins disposed,
 *    time-boxed), then `app.exit()`.
 *
 * Per-window grants: a window opened by `openWindow` gets the UI's grants (`app/common/grants.ts`: derived
 * from what the loaded plugins expose, live), or the `electron-window` list of a given policy; any other
 * WebContents gets none (so even a document that passed the origin
 * check in a window the app did not make can call only public procedures).
 */
import { join } from 'node:path'
import type { BrowserWindow, BrowserWindowConstructorOptions, Protocol, WebContents } from 'electron'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import type { RuntimeInfo } from '@atomiton/core/plugin/context-types'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import type { Disposable } from '@atomiton/core/host/disposable'
import type { Logger } from '@atomiton/core/host/logger'
import type { StoreFactory } from '@atomiton/core/host/stores'
import { builtinPlugins } from '@atomiton/plugins'
import type { GrantsPolicy } from '../common/grants'
import { hostModules } from '../common/host-modules'
import { createLiveGrants } from '../common/live-grants'
import { attachIpcTransport, type IpcTransportOptions } from './ipc-transport'
import {
  appOrigins,
  contentSecurityPolicy,
  hardenSession,
  hardenWebContents,
  isAllowedOrigin,
  registerAppScheme,
  serveAppScheme,
} from './security'
import { createMainWindow, preloadPath, rendererUrl, requestSingleInstance, type WindowLike } from './window'

/** The runtime information of the Electron app: `system.getInfo` reports it. */
export function electronRuntime(
  app: { getName(): string; getVersion(): string },
  versions: Readonly<Record<string, string | undefined>>,
): Partial<RuntimeInfo> {
  const { electron, chrome, node, v8 } = versions
  return { mode: 'electron', appName: app.getName(), appVersion: app.getVersion(), versions: { electron, chrome, node, v8 } }
}

/** Where the app's stores live: a folder of its own inside `userData` (which also holds Chromium's files). */
export function storesDirectory(userData: string): string {
  return join(userData, 'stores')
}

/** The electron-vite dev server, trusted only in an unpackaged app (a packaged app never loads remote code). */
export function devServerUrlOf(env: Readonly<Record<string, string | undefined>>, isPackaged: boolean): string | undefined {
  const url = env['ELECTRON_RENDERER_URL']
  return !isPackaged && url ? url : undefined
}

// ---------------------------------------------------------------------------------------------------------
// Per-window grants

export interface WindowGrants {
  /** Gives `contents` these grants (a fixed list, or a live source read on every call) until it is destroyed. */
  assign(contents: Pick<WebContents, 'id' | 'once'>, grants: readonly string[] | (() => readonly string[])): void
  /** The grants of `contents`: none for a WebContents that was never assigned any. */
  grantsFor(contents: Pick<WebContents, 'id'>): readonly string[]
}

export function createWindowGrants(): WindowGrants {
  const byId = new Map<number, () => readonly string[]>()
  const none: readonly string[] = Object.freeze([])
  return {
    assign(contents, grants) {
      // The id is read now: a destroyed WebContents throws on every member.
      const id = contents.id
      if (typeof grants === 'function') {
        byId.set(id, grants)
      } else {
        const fixed = Object.freeze([...grants])
        byId.set(id, () => fixed)
      }
      contents.once('destroyed', () => byId.delete(id))
    },
    grantsFor(contents) {
      return byId.get(contents.id)?.() ?? none
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// Quitting

/** The part of Electron's `app` the quit handler uses. */
export interface QuitApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown
  exit(exitCode?: number): void
}

export interface QuitHandlerOptions {
  readonly logger: Pick<Logger, 'info' | 'error'>
  /** The app exits after this long even if disposing has not finished. Default 10 s. */
  readonly timeoutMs?: number
}

/**
 * Holds `before-quit` off until `dispose()` settles (or times out), then exits: plugins get to flush and
 * close whatever they hold. Further quit requests while disposing are swallowed; exit code 1 if disposing
 * failed or timed out.
 */
export function installQuitHandler(app: QuitApp, dispose: () => Promise<void>, options: QuitHandlerOptions): void {
  const timeoutMs = options.timeoutMs ?? 10_000
  let state: 'running' | 'disposing' | 'done' = 'running'
  app.on('before-quit', (event) => {
    if (state === 'done') return
    event.preventDefault()
    if (state === 'disposing') return
    state = 'disposing'
    options.logger.info('Quitting: disposing the host')
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Disposing the host took longer than ${timeoutMs} ms`)), timeoutMs)
    })
    Promise.race([Promise.resolve().then(dispose), timeout])
      .then(
        () => 0,
        (error: unknown) => {
          options.logger.error({ err: error }, 'Disposing the host failed')
          return 1
        },
      )
      .then((code) => {
        clearTimeout(timer)
        state = 'done'
        app.exit(code)
      })
  })
}

// ---------------------------------------------------------------------------------------------------------
// The main process

type HardenableSession = Parameters<typeof hardenSession>[0]

/** A window as main uses it (Electron's BrowserWindow satisfies it). */
export type MainWindow = WindowLike & Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'focus'>

/** The part of Electron's `app` that main uses. */
export interface MainApp extends QuitApp {
  readonly isPackaged: boolean
  enableSandbox(): void
  requestSingleInstanceLock(): boolean
  quit(): void
  whenReady(): Promise<void>
  getName(): string
  getVersion(): string
  getPath(name: 'userData'): string
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown
  on(event: 'second-instance', listener: () => void): unknown
  on(event: 'window-all-closed', listener: () => void): unknown
  on(event: 'activate', listener: () => void): unknown
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): unknown
}

export interface MainDeps<W extends MainWindow> {
  readonly app: MainApp
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => W
  readonly ipcMain: IpcTransportOptions['ipcMain']
  readonly protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>
  /** `() => session.defaultSession` (which exists only once the app is ready). */
  readonly session: () => HardenableSession
  /** Electron's `net.fetch`: reads the renderer's files for the `app:` scheme. */
  readonly fetchFile: (url: string) => Promise<Response>
  /** The folder of the bundled main (`out/main`): the preload and the renderer are found next to it. */
  readonly mainDir: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** `process.versions` (with `electron` and `chrome` inside Electron). */
  readonly versions: Readonly<Record<string, string | undefined>>
  readonly logger: Logger
  /** Opens the store factory in an absolute folder: electron-store in the app, conf or memory in tests. */
  readonly createStores: (directory: string) => StoreFactory
  /** The plugins to load. Default: the built-in ones. */
  readonly plugins?: readonly AnyPluginDefinition[]
  readonly grantsPolicy?: GrantsPolicy
  /** Default: `process.platform`. On macOS the app stays alive with no window, as apps there do. */
  readonly platform?: string
  readonly quitTimeoutMs?: number
  /** `process.argv`: `--safe-mode` starts the required plugins only and loads no installed package. */
  readonly argv?: readonly string[]
}

export interface MainProcess<W extends MainWindow> {
  readonly host: Host
  readonly transport: Disposable
  readonly grants: WindowGrants
  /** The main window, if one is open. */
  window(): W | undefined
  /** Opens a main window (with its grants), or focuses the open one. */
  openWindow(): W
}

/**
 * Wires the main process. Resolves once the main window is created, or with `undefined` in a second
 * instance (which quits). Rejects if the host cannot boot.
 */
export async function startMain<W extends MainWindow>(deps: MainDeps<W>): Promise<MainProcess<W> | undefined> {
  const { app, logger } = deps
  const devServerUrl = devServerUrlOf(deps.env, app.isPackaged)
  const origins = appOrigins({ devServerUrl })
  const isAllowedNavigation = (url: string): boolean => isAllowedOrigin(url, origins)
  let win: W | undefined

  // --- Before ready: synchronous, before the first await.
  registerAppScheme(deps.protocol)
  app.enableSandbox()
  if (!requestSingleInstance(app, () => win)) {
    logger.info('Another instance is running: focusing it and quitting')
    return undefined
  }
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { isAllowedNavigation }))

  // What the quit handler must undo, as far as booting got.
  const booted: { host?: Promise<Host>; transport?: Disposable } = {}
  installQuitHandler(
    app,
    async () => {
      await booted.transport?.dispose()
      const host = await booted.host?.catch(() => undefined)
      await host?.dispose()
    },
    { logger, ...(deps.quitTimeoutMs !== undefined ? { timeoutMs: deps.quitTimeoutMs } : {}) },
  )

  await app.whenReady()

  // --- The host.
  const storesDir = storesDirectory(app.getPath('userData'))
  const safeMode = deps.argv?.includes('--safe-mode') ?? false
  booted.host = createHost({
    plugins: deps.plugins ?? builtinPlugins,
    stores: deps.createStores(storesDir),
    logger,
    runtime: electronRuntime(app, deps.versions),
    // Installed plugin packages live next to the stores: `npx atomiton plugin ... --data-dir <userData>/stores`.
    packages: { dir: join(storesDir, 'plugins'), hostModules, devReload: true },
    // Not yet isolated here: this build does not ship the plugin process entry (plugin-sdk/src/isolation/entry.ts).
    isolation: 'in-process',
    safeMode,
  })
  const host = await booted.host
  if (safeMode) logger.warn('Safe mode: only the required plugins started; no installed package was loaded')
  logger.info({ stores: storesDir, plugins: host.plugins.list().map(({ id, state }) => ({ id, state })) }, 'Host started')

  // --- Session, scheme, transport.
  const csp = contentSecurityPolicy({ devServerUrl })
  hardenSession(deps.session(), { contentSecurityPolicy: csp })
  serveAppScheme(deps.protocol, { rootDir: join(deps.mainDir, '..', 'renderer'), contentSecurityPolicy: csp, fetchFile: deps.fetchFile })
  const grants = createWindowGrants()
  // The app's windows get what the loaded plugins expose, recomputed as the catalog changes (grants.ts).
  const windowGrants = deps.grantsPolicy ? deps.grantsPolicy['electron-window'] : createLiveGrants(host).current
  const transport = attachIpcTransport({
    ipcMain: deps.ipcMain,
    host,
    isAllowedOrigin: (url) => isAllowedOrigin(url, origins),
    grantsFor: (contents) => grants.grantsFor(contents),
    logger,
  })
  booted.transport = transport

  // --- Windows.
  const openWindow = (): W => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore()
      win.focus()
      return win
    }
    const created = createMainWindow({
      BrowserWindow: deps.BrowserWindow,
      preload: preloadPath(deps.mainDir),
      url: rendererUrl({ devServerUrl }),
      isAllowedNavigation,
      onLoadError: (error) => logger.error({ err: error }, 'The main window failed to load'),
    })
    // Before any message can arrive: loading has only just started.
    grants.assign(created.webContents, windowGrants)
    win = created
    return created
  }
  app.on('window-all-closed', () => {
    if ((deps.platform ?? process.platform) !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (!win || win.isDestroyed()) openWindow()
  })
  openWindow()

  return {
    host,
    transport,
    grants,
    window: () => (win && !win.isDestroyed() ? win : undefined),
    openWindow,
  }
}
