// Electron's main process wired for real against fakes of `app`, `BrowserWindow`, `protocol` and `session`,
// the faithful IPC emulation of app/test-support, the real host with the built-in plugins on conf stores.
import { EventEmitter } from 'node:events'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { BrowserWindowConstructorOptions, HeadersReceivedResponse, OnHeadersReceivedListenerDetails, WebContents } from 'electron'
import type { ResponseMessage } from '@atomiton/core/common/protocol'
import type { Catalog } from '@atomiton/core/host/host-domain'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { definePlugin } from '@atomiton/core/plugin/definition'
import { builtinPlugins } from '@atomiton/plugins'
import { createLiveGrants } from '../common/live-grants'
import { asWebContents, createElectronEmulation, type ElectronEmulation, type EmulatedWebContents } from '../test-support/electron-ipc'
import {
  createWindowGrants,
  devServerUrlOf,
  electronRuntime,
  installQuitHandler,
  startMain,
  storesDirectory,
  type MainDeps,
  type MainProcess,
} from './boot'

interface Deferred<T> {
  readonly promise: Promise<T>
  readonly resolve: (value: T) => void
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((res) => (resolve = res))
  return { promise, resolve }
}

function preventable() {
  return { preventDefault: vi.fn() }
}

class FakeApp extends EventEmitter {
  isPackaged = false
  hasLock = true
  sandboxed = false
  readonly ready = deferred()
  readonly exited = deferred<number | undefined>()
  readonly quit = vi.fn()
  readonly exit = vi.fn((code?: number) => this.exited.resolve(code))
  constructor(readonly userData: string) {
    super()
  }
  enableSandbox(): void {
    this.sandboxed = true
  }
  requestSingleInstanceLock(): boolean {
    return this.hasLock
  }
  whenReady(): Promise<void> {
    return this.ready.promise
  }
  getName(): string {
    return 'Atomiton'
  }
  getVersion(): string {
    return '1.2.3'
  }
  getPath(name: 'userData'): string {
    if (name !== 'userData') throw new Error(`unexpected path ${String(name)}`)
    return this.userData
  }
}

function fakeWindowClass(electron: ElectronEmulation) {
  const created: FakeWindow[] = []
  class FakeWindow extends EventEmitter {
    readonly emulated: EmulatedWebContents = electron.createWindow('about:blank')
    readonly webContents: WebContents = asWebContents(this.emulated)
    readonly show = vi.fn()
    readonly focus = vi.fn()
    readonly restore = vi.fn()
    minimized = false
    constructor(readonly options: BrowserWindowConstructorOptions) {
      super()
      created.push(this)
    }
    isDestroyed(): boolean {
      return this.emulated.isDestroyed()
    }
    isMinimized(): boolean {
      return this.minimized
    }
    loadURL(url: string): Promise<void> {
      return this.emulated.loadURL(url)
    }
  }
  return { FakeWindow, created }
}

function fakeSession() {
  return {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  }
}

async function boot(overrides: { env?: Record<string, string>; isPackaged?: boolean; hasLock?: boolean; platform?: string } = {}) {
  const userData = await mkdtemp(join(tmpdir(), 'atomiton-main-'))
  onTestFinished(() => rm(userData, { recursive: true, force: true }))
  const electron = createElectronEmulation()
  onTestFinished(() => electron.destroyAll())
  const app = new FakeApp(userData)
  app.isPackaged = overrides.isPackaged ?? false
  app.hasLock = overrides.hasLock ?? true
  const { FakeWindow, created } = fakeWindowClass(electron)
  const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }
  const session = fakeSession()
  const getSession = vi.fn(() => session)
  const fetchFile = vi.fn(async (url: string) => new Response(`file ${url}`, { headers: { 'Content-Type': 'text/html' } }))
  const logger = createMemoryLogger('info')
  const probe = { tornDown: 0 }
  const probePlugin = definePlugin({ id: 'probe', version: '1.0.0', teardown: () => void probe.tornDown++ })
  const deps: MainDeps<InstanceType<typeof FakeWindow>> = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: electron.ipcMain,
    protocol,
    session: getSession,
    fetchFile,
    mainDir: '/opt/atomiton/out/main',
    env: overrides.env ?? {},
    versions: { ...process.versions, electron: '45.4.1', chrome: '142.0.0.0' },
    logger,
    createStores: (directory) => createConfStoreFactory({ directory }),
    plugins: [...builtinPlugins, probePlugin],
    ...(overrides.platform !== undefined ? { platform: overrides.platform } : {}),
  }
  const started = startMain(deps)
  return { app, electron, created, protocol, session, getSession, fetchFile, logger, started, userData, probe }
}

async function booted(overrides: Parameters<typeof boot>[0] = {}) {
  const setup = await boot(overrides)
  setup.app.ready.resolve()
  const main = (await setup.started) as MainProcess<InstanceType<ReturnType<typeof fakeWindowClass>['FakeWindow']>>
  onTestFinished(() => main.host.dispose())
  return { ...setup, main }
}

/** What the page gets for `atomitonBridge.invoke(method, params)` (the preload's exact IPC message). */
function invokeFrom(contents: EmulatedWebContents, method: string, params?: unknown): Promise<ResponseMessage> {
  return contents.page.ipcRenderer.invoke('rpc:invoke', { method, params }) as Promise<ResponseMessage>
}

afterEach(() => {
  vi.useRealTimers()
})

describe('small pieces', () => {
  it('electronRuntime reports the Electron mode, app and the four versions', () => {
    const runtime = electronRuntime({ getName: () => 'Atomiton', getVersion: () => '1.2.3' }, { electron: '45.4.1', chrome: '142', node: '22.1.0', v8: '14', uv: '1' })
    expect(runtime).toEqual({ mode: 'electron', appName: 'Atomiton', appVersion: '1.2.3', versions: { electron: '45.4.1', chrome: '142', node: '22.1.0', v8: '14' } })
  })

  it('storesDirectory is a folder of its own in userData', () => {
    expect(storesDirectory('/home/me/.config/Atomiton')).toBe('/home/me/.config/Atomiton/stores')
  })

  it('devServerUrlOf trusts the dev server only in an unpackaged app', () => {
    expect(devServerUrlOf({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe('http://localhost:5173')
    expect(devServerUrlOf({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBeUndefined()
    expect(devServerUrlOf({ ELECTRON_RENDERER_URL: '' }, false)).toBeUndefined()
    expect(devServerUrlOf({}, false)).toBeUndefined()
  })

  it('window grants: assigned per WebContents, none for others, forgotten when destroyed', () => {
    const electron = createElectronEmulation()
    const grants = createWindowGrants()
    const mine = electron.createWindow()
    const other = electron.createWindow()
    grants.assign(asWebContents(mine), ['system.read'])
    expect(grants.grantsFor(asWebContents(mine))).toEqual(['system.read'])
    expect(Object.isFrozen(grants.grantsFor(asWebContents(mine)))).toBe(true)
    expect(grants.grantsFor(asWebContents(other))).toEqual([])
    const id = mine.id
    mine.destroy()
    expect(grants.grantsFor({ id } as WebContents)).toEqual([])
  })
})

describe('installQuitHandler', () => {
  function setup(dispose: () => Promise<void>, timeoutMs?: number) {
    const app = new EventEmitter() as EventEmitter & { exit: ReturnType<typeof vi.fn> }
    const exited = deferred<number | undefined>()
    app.exit = vi.fn((code?: number) => exited.resolve(code))
    const logger = createMemoryLogger('info')
    installQuitHandler(app as unknown as Parameters<typeof installQuitHandler>[0], dispose, { logger, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
    return { app, exited, logger }
  }

  it('holds the quit until disposing is done, swallows repeated quits, then exits 0', async () => {
    const disposing = deferred()
    const dispose = vi.fn(() => disposing.promise)
    const { app, exited } = setup(dispose)
    const first = preventable()
    app.emit('before-quit', first)
    expect(first.preventDefault).toHaveBeenCalled()
    const second = preventable()
    app.emit('before-quit', second)
    expect(second.preventDefault).toHaveBeenCalled()
    expect(app.exit).not.toHaveBeenCalled()
    disposing.resolve()
    expect(await exited.promise).toBe(0)
    expect(dispose).toHaveBeenCalledTimes(1)
    // After the exit call, a quit goes through.
    const third = preventable()
    app.emit('before-quit', third)
    expect(third.preventDefault).not.toHaveBeenCalled()
  })

  it('exits 1 when disposing fails', async () => {
    const { app, exited, logger } = setup(() => Promise.reject(new Error('plugin stuck')))
    app.emit('before-quit', preventable())
    expect(await exited.promise).toBe(1)
    expect(logger.entries.some((entry) => entry.level === 'error' && entry.msg === 'Disposing the host failed')).toBe(true)
  })

  it('exits 1 when disposing takes too long', async () => {
    vi.useFakeTimers()
    const { app, exited } = setup(() => new Promise<void>(() => undefined), 10_000)
    app.emit('before-quit', preventable())
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await exited.promise).toBe(1)
  })
})

describe('startMain', () => {
  it('before ready: registers the app scheme, sandboxes renderers, takes the lock; nothing else yet', async () => {
    const { app, protocol, getSession, created, started } = await boot()
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ])
    expect(app.sandboxed).toBe(true)
    expect(app.listenerCount('second-instance')).toBe(1)
    expect(app.listenerCount('before-quit')).toBe(1)
    expect(app.listenerCount('web-contents-created')).toBe(1)
    expect(getSession).not.toHaveBeenCalled()
    expect(protocol.handle).not.toHaveBeenCalled()
    expect(created).toEqual([])
    app.ready.resolve()
    const main = await started
    onTestFinished(() => main?.host.dispose())
    expect(created).toHaveLength(1)
  })

  it('a second instance quits without booting anything', async () => {
    const { app, started, created, getSession } = await boot({ hasLock: false })
    expect(await started).toBeUndefined()
    expect(app.quit).toHaveBeenCalled()
    expect(created).toEqual([])
    expect(getSession).not.toHaveBeenCalled()
  })

  it('opens one hardened window on the app scheme, with the preload next to main', async () => {
    const { created, main } = await booted()
    expect(created).toHaveLength(1)
    const [win] = created
    expect(main.window()).toBe(win)
    expect(win!.options.webPreferences).toMatchObject({
      preload: '/opt/atomiton/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    })
    expect(win!.emulated.getURL()).toBe('app://atomiton/index.html')
    expect(win!.emulated.openWindow('https://example.com/').action).toBe('deny')
    expect(win!.emulated.navigate('https://evil.example/', { initiator: 'renderer' }).committed).toBe(false)
  })

  it('serves the renderer from out/renderer with the CSP, and hardens the session', async () => {
    const { protocol, session, fetchFile } = await booted()
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    const handler = protocol.handle.mock.calls[0]![1] as (request: Request) => Promise<Response>
    const response = await handler(new Request('app://atomiton/assets/index.js'))
    expect(fetchFile).toHaveBeenCalledWith('file:///opt/atomiton/out/renderer/assets/index.js')
    expect(response.headers.get('Content-Security-Policy')).toMatch(/^default-src 'self'; script-src 'self';/)
    expect(response.headers.get('Content-Security-Policy')).not.toContain('unsafe-eval')
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404)
    await handler(new Request('app://atomiton/%2e%2e/%2e%2e/secret'))
    await handler(new Request('app://atomiton/..%2f..%2fsecret'))
    for (const [url] of fetchFile.mock.calls) expect(url.startsWith('file:///opt/atomiton/out/renderer/'), url).toBe(true)

    const deny = vi.fn()
    ;(session.setPermissionRequestHandler.mock.calls[0]![0] as (w: unknown, p: string, cb: (ok: boolean) => void) => void)(undefined, 'camera', deny)
    expect(deny).toHaveBeenCalledWith(false)
    const onHeaders = session.webRequest.onHeadersReceived.mock.calls[0]![0] as (
      details: Partial<OnHeadersReceivedListenerDetails>,
      callback: (response: HeadersReceivedResponse) => void,
    ) => void
    const answer = vi.fn()
    onHeaders({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, answer)
    expect(answer.mock.calls[0]![0].responseHeaders['Content-Security-Policy'][0]).toMatch(/^default-src 'self'/)
  })

  it('answers the window over IPC with the built-in plugins and the window grants derived from the plugins', async () => {
    const { created, main } = await booted()
    const win = created[0]!.emulated
    const health = await invokeFrom(win, 'system.health')
    expect(health).toMatchObject({ ok: true, result: { status: 'ok' } })
    const info = await invokeFrom(win, 'system.getInfo')
    expect(info).toMatchObject({ ok: true, result: { mode: 'electron', appVersion: '1.2.3', versions: { electron: '45.4.1', chrome: '142.0.0.0' } } })
    const catalog = (await invokeFrom(win, 'rpc.discover')) as { ok: true; result: Catalog }
    const methods = catalog.result.plugins.flatMap((plugin) => plugin.procedures.map((procedure) => procedure.method))
    expect(methods).toEqual(expect.arrayContaining(['system.disablePlugin', 'storage.set', 'node.execute']))
    // The UI's grants follow from what the loaded plugins expose (app/common/grants.ts).
    expect(main.grants.grantsFor(asWebContents(win))).toEqual(createLiveGrants(main.host).current())
    expect(main.grants.grantsFor(asWebContents(win))).toEqual(expect.arrayContaining(['rpc.*', 'system.admin', 'storage.write']))
  })

  it('gives no grants to a WebContents it did not create, and refuses foreign frames', async () => {
    const { electron, created, logger } = await booted()
    const stranger = electron.createWindow('app://atomiton/index.html')
    expect(await invokeFrom(stranger, 'system.health')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    // Public procedures stay reachable: discovery lists nothing of the plugins.
    const catalog = (await invokeFrom(stranger, 'rpc.discover')) as { ok: true; result: Catalog }
    expect(catalog.result.plugins.flatMap((plugin) => plugin.procedures.map((procedure) => procedure.method)).filter((m) => !m.startsWith('rpc.'))).toEqual([])
    const frame = created[0]!.emulated.addSubframe('https://evil.example/')
    expect(await frame.ipcRenderer.invoke('rpc:invoke', { method: 'system.health' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(logger.entries.some((entry) => entry.level === 'warn' && entry.msg === 'ipc: message refused')).toBe(true)
  })

  it('keeps the stores in <userData>/stores', async () => {
    const { created, userData } = await booted()
    const win = created[0]!.emulated
    expect(await invokeFrom(win, 'storage.set', { namespace: 'notes', key: 'k', value: new Date(0) })).toMatchObject({ ok: true })
    const files = await readdir(join(userData, 'stores'))
    expect(files.some((file) => file.endsWith('.json'))).toBe(true)
  })

  it('loads the dev server only in an unpackaged app', async () => {
    const dev = await booted({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } })
    expect(dev.created[0]!.emulated.getURL()).toBe('http://localhost:5173/')
    expect(await invokeFrom(dev.created[0]!.emulated, 'system.health')).toMatchObject({ ok: true })
    const packaged = await booted({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }, isPackaged: true })
    expect(packaged.created[0]!.emulated.getURL()).toBe('app://atomiton/index.html')
  })

  it('hardens every WebContents created later', async () => {
    const { app, electron } = await booted()
    const other = electron.createWindow('app://atomiton/index.html')
    app.emit('web-contents-created', preventable(), asWebContents(other))
    expect(other.openWindow('https://example.com/').action).toBe('deny')
    expect(other.navigate('https://evil.example/', { initiator: 'renderer' }).committed).toBe(false)
  })

  it('focuses the window on a second instance, quits when all windows close (not on macOS), reopens on activate', async () => {
    const { app, created, main } = await booted({ platform: 'linux' })
    const win = created[0]!
    win.minimized = true
    app.emit('second-instance')
    expect(win.restore).toHaveBeenCalled()
    expect(win.focus).toHaveBeenCalled()
    win.emulated.destroy()
    expect(main.window()).toBeUndefined()
    app.emit('window-all-closed')
    expect(app.quit).toHaveBeenCalled()
    app.emit('activate')
    expect(created).toHaveLength(2)
    expect(main.window()).toBe(created[1])
    expect(main.grants.grantsFor(created[1]!.webContents)).toEqual(createLiveGrants(main.host).current())

    const mac = await booted({ platform: 'darwin' })
    mac.app.emit('window-all-closed')
    expect(mac.app.quit).not.toHaveBeenCalled()
  })

  it('on quit: closes the windows\' connections, disposes the plugins, then exits', async () => {
    const { app, created, main, probe } = await booted()
    const win = created[0]!.emulated
    expect(await invokeFrom(win, 'system.health')).toMatchObject({ ok: true })
    expect(probe.tornDown).toBe(0)
    const event = preventable()
    app.emit('before-quit', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(await app.exited.promise).toBe(0)
    expect(probe.tornDown).toBe(1)
    expect(main.host.plugins.list().every((plugin) => plugin.state !== 'active')).toBe(true)
    // The transport is gone: the page gets Electron's "no handler" error.
    await expect(invokeFrom(win, 'system.health')).rejects.toThrow(/No handler registered for 'rpc:invoke'/)
  })
})
