/**
 * The main window, hardened: context isolation, a sandboxed renderer, no Node in the page, web security on,
 * the preload as the only bridge, navigation and `window.open` denied (see `security.ts`), and the
 * single-instance lock that focuses the existing window instead of opening a second app.
 *
 * Electron is passed in (never imported as a value), so this loads and is tested in plain Node. The app's
 * `main/index.ts` wires it roughly like this:
 *
 *     registerAppScheme(protocol)                                  // before ready
 *     if (!requestSingleInstance(app, () => win)) return           // quits the second instance
 *     await app.whenReady()
 *     const devServerUrl = process.env['ELECTRON_RENDERER_URL']
 *     const origins = appOrigins({ devServerUrl })
 *     const csp = contentSecurityPolicy({ devServerUrl })
 *     hardenSession(session.defaultSession, { contentSecurityPolicy: csp })
 *     serveAppScheme(protocol, { rootDir: join(__dirname, '../renderer'), contentSecurityPolicy: csp, fetchFile: net.fetch })
 *     attachIpcTransport({ ipcMain, host, isAllowedOrigin: (url) => isAllowedOrigin(url, origins), grantsFor, logger })
 *     win = createMainWindow({ BrowserWindow, preload: preloadPath(__dirname), url: rendererUrl({ devServerUrl }),
 *                              isAllowedNavigation: (url) => isAllowedOrigin(url, origins) })
 */
import { join } from 'node:path'
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents } from 'electron'
import { APP_ORIGIN, hardenWebContents } from './security'

/** The bundled preload, next to the bundled main (`out/main` -> `out/preload/index.cjs`). */
export function preloadPath(mainDir: string): string {
  return join(mainDir, '..', 'preload', 'index.cjs')
}

/** What the window loads: the dev server while developing, else the app scheme. */
export function rendererUrl(options: { readonly devServerUrl?: string | undefined } = {}): string {
  return options.devServerUrl ?? `${APP_ORIGIN}/index.html`
}

/** The hardened options of the main window. */
export function mainWindowOptions(options: { readonly preload: string }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  }
}

/** The part of a BrowserWindow this module uses (Electron's own class satisfies it). */
export interface WindowLike {
  readonly webContents: WebContents
  show(): void
  loadURL(url: string): Promise<void>
  once(event: 'ready-to-show', listener: () => void): unknown
}

export interface MainWindowDeps<W extends WindowLike> {
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => W
  readonly preload: string
  readonly url: string
  readonly isAllowedNavigation: (url: string) => boolean
  /** Called if the first load fails (it is never thrown: nothing awaits it). */
  readonly onLoadError?: (error: unknown) => void
}

/** Creates the hardened main window, shows it when ready and starts loading `url`. */
export function createMainWindow<W extends WindowLike>(deps: MainWindowDeps<W>): W {
  const win = new deps.BrowserWindow(mainWindowOptions({ preload: deps.preload }))
  hardenWebContents(win.webContents, { isAllowedNavigation: deps.isAllowedNavigation })
  win.once('ready-to-show', () => win.show())
  win.loadURL(deps.url).catch((error: unknown) => deps.onLoadError?.(error))
  return win
}

type FocusableWindow = Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'>

/** The part of Electron's `app` the lock needs. */
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean
  quit(): void
  on(event: 'second-instance', listener: () => void): unknown
}

/**
 * Takes the single-instance lock. The first instance gets `true` and, when a second one starts, restores and
 * focuses its window; a second instance gets `false` and quits.
 */
export function requestSingleInstance(
  app: SingleInstanceApp,
  getWindow: () => FocusableWindow | null | undefined,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  app.on('second-instance', () => {
    const win = getWindow()
    if (!win || win.isDestroyed()) return
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
  })
  return true
}
