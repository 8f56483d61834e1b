import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BrowserWindowConstructorOptions, WebContents } from 'electron'
import { asWebContents, createElectronEmulation, type ElectronEmulation } from '../test-support/electron-ipc'
import { APP_ORIGIN, isAllowedOrigin } from './security'
import { createMainWindow, mainWindowOptions, preloadPath, rendererUrl, requestSingleInstance } from './window'

describe('mainWindowOptions', () => {
  it('isolates, sandboxes and keeps Node out of the page', () => {
    const options = mainWindowOptions({ preload: '/app/out/preload/index.cjs' })
    expect(options.show).toBe(false)
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('points at the bundled preload and the right renderer URL', () => {
    expect(preloadPath('/app/out/main')).toBe('/app/out/preload/index.cjs')
    expect(rendererUrl()).toBe(`${APP_ORIGIN}/index.html`)
    expect(rendererUrl({ devServerUrl: 'http://localhost:5173' })).toBe('http://localhost:5173')
  })
})

describe('createMainWindow', () => {
  let electron: ElectronEmulation
  afterEach(() => electron.destroyAll())

  it('builds the window with the hardened options, guards it, loads the URL and shows it when ready', async () => {
    electron = createElectronEmulation()
    const created: FakeWindow[] = []
    const loading = Promise.reject(new Error('ERR_FAILED'))
    const emulation = electron
    class FakeWindow extends EventEmitter {
      readonly options: BrowserWindowConstructorOptions
      readonly webContents: WebContents = asWebContents(emulation.createWindow('about:blank'))
      readonly show = vi.fn()
      readonly loadURL = vi.fn(() => loading)
      constructor(options: BrowserWindowConstructorOptions) {
        super()
        this.options = options
        created.push(this)
      }
    }
    const onLoadError = vi.fn()
    const win = createMainWindow({
      BrowserWindow: FakeWindow,
      preload: '/p/index.cjs',
      url: 'app://atomiton/index.html',
      isAllowedNavigation: (url) => isAllowedOrigin(url, [APP_ORIGIN]),
      onLoadError,
    })
    expect(created).toEqual([win])
    expect(win.options).toEqual(mainWindowOptions({ preload: '/p/index.cjs' }))
    expect(win.loadURL).toHaveBeenCalledWith('app://atomiton/index.html')
    expect(win.show).not.toHaveBeenCalled()
    win.emit('ready-to-show')
    expect(win.show).toHaveBeenCalledTimes(1)
    const contents = win.webContents as unknown as ReturnType<ElectronEmulation['createWindow']>
    expect(contents.openWindow('https://example.com')).toEqual({ action: 'deny' })
    expect(contents.navigate('https://evil.example/', { initiator: 'renderer' }).committed).toBe(false)
    // createMainWindow attached its handler first, so it has run once this one has.
    await loading.catch(() => undefined)
    expect(onLoadError).toHaveBeenCalledWith(new Error('ERR_FAILED'))
  })
})

describe('requestSingleInstance', () => {
  function fakeApp(locked: boolean) {
    const app = Object.assign(new EventEmitter(), { requestSingleInstanceLock: vi.fn(() => locked), quit: vi.fn() })
    return app
  }
  function fakeWindow(minimized: boolean) {
    return { isDestroyed: () => false, isMinimized: () => minimized, restore: vi.fn(), show: vi.fn(), focus: vi.fn() }
  }

  it('quits a second instance', () => {
    const app = fakeApp(false)
    expect(requestSingleInstance(app, () => undefined)).toBe(false)
    expect(app.quit).toHaveBeenCalledTimes(1)
    expect(app.listenerCount('second-instance')).toBe(0)
  })

  it('restores and focuses the first instance window when a second one starts', () => {
    const app = fakeApp(true)
    const win = fakeWindow(true)
    const state: { window?: ReturnType<typeof fakeWindow> } = {}
    expect(requestSingleInstance(app, () => state.window)).toBe(true)
    expect(app.quit).not.toHaveBeenCalled()
    app.emit('second-instance', {}, [], '/')
    state.window = win
    app.emit('second-instance', {}, [], '/')
    expect(win.restore).toHaveBeenCalledTimes(1)
    expect(win.focus).toHaveBeenCalledTimes(1)
  })
})
