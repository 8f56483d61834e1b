/**
 * A faithful, in-process emulation of the parts of Electron that the IPC bridge relies on: `ipcMain`,
 * `ipcRenderer`, `contextBridge`, `webContents` and `WebFrameMain`, for tests (the Electron binary cannot
 * run on the CI machines). It reproduces the semantics listed in `shared/guide/stack.md`:
 *
 * - Every IPC message, in both directions, is copied with the structured clone algorithm
 *   (`structuredClone`): class instances lose their prototype, functions and symbols cannot be sent.
 *   `ipcRenderer.send` throws `An object could not be cloned.`; `ipcRenderer.invoke` (an async function in
 *   Electron) rejects with it; `webContents.send` throws `Failed to serialize arguments`.
 * - An error thrown by an `ipcMain.handle` handler reaches the renderer as
 *   `new Error("Error invoking remote method 'CHANNEL': Error: original message")`: code, class and extra
 *   fields are lost. A reply that cannot be cloned rejects the same way, with `Error: An object could not
 *   be cloned.`; a channel without a handler with `Error: No handler registered for 'CHANNEL'`.
 * - Messages are delivered asynchronously (a macrotask later, like a process hop). `settled()` resolves
 *   once no message is in flight, so tests synchronise on delivery without sleeping.
 * - `contextBridge.exposeInMainWorld` copies the API into the page ("main") world and deep-freezes it:
 *   functions become proxies (identity is not preserved, except that a proxy sent back to its own world
 *   unwraps to the original), promises are re-created, errors keep only their message, prototypes are
 *   stripped, symbols are dropped, Date/Map/Set/RegExp/typed arrays are structured-cloned. Arguments going
 *   into a bridged function and results (and thrown errors) coming back are copied the same way.
 * - `event.sender` is a WebContents (`id`, `send`, `isDestroyed`, `mainFrame`, `getURL`) that emits
 *   `destroyed`, `did-start-navigation`, `will-frame-navigate`, `will-navigate`, `did-navigate` and
 *   `did-navigate-in-page`; after `destroy()` every member but `isDestroyed` and the event-emitter methods
 *   throws `Object has been destroyed`, as Electron's do. `event.senderFrame` is a lazy getter that is
 *   `null` once the sending document has navigated away; subframes can be added.
 * - A preload runs in its own V8 context (the isolated world, via `node:vm`), wrapped like Electron's
 *   sandboxed preloads, with a `require` that knows only `electron`.
 *
 * Not emulated: `sendSync`, `sendToHost`, `postMessage`/MessagePorts, `webContents.ipc`, service workers.
 */
import { EventEmitter } from 'node:events'
import { types } from 'node:util'
import vm from 'node:vm'
import type {
  ContextBridge,
  Event as ElectronEvent,
  HandlerDetails,
  IpcMain,
  IpcMainEvent,
  IpcMainInvokeEvent,
  IpcRenderer,
  IpcRendererEvent,
  WebContents,
  WebFrameMain,
  WindowOpenHandlerResponse,
} from 'electron'

// ---------------------------------------------------------------------------------------------------------
// Message scheduling: every hop between processes is one macrotask, and `settled()` waits for them all.

class Hops {
  #inFlight = 0
  #waiters: (() => void)[] = []

  post(task: () => void): void {
    this.#inFlight++
    setImmediate(() => {
      try {
        task()
      } finally {
        this.#inFlight--
        if (this.#inFlight === 0) this.#wake()
      }
    })
  }

  /** Resolves when no message is in flight (including messages posted while waiting). */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}

/** The structured clone Electron applies to IPC messages; a DataCloneError becomes Electron's message. */
export function ipcClone<T>(value: T, failure = 'An object could not be cloned.'): T {
  try {
    return structuredClone(value)
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- Electron's error carries no cause
    if (error instanceof DOMException && error.name === 'DataCloneError') throw new Error(failure)
    throw error
  }
}

function electronEvent<P extends object>(params: P): ElectronEvent<P> {
  let prevented = false
  const event = {
    ...params,
    preventDefault: () => {
      prevented = true
    },
  }
  return Object.defineProperty(event, 'defaultPrevented', { get: () => prevented, enumerable: true }) as ElectronEvent<P>
}

// ---------------------------------------------------------------------------------------------------------
// ipcMain

type InvokeHandler = (event: IpcMainInvokeEvent, ...args: any[]) => unknown

export class EmulatedIpcMain extends EventEmitter implements IpcMain {
  readonly #handlers = new Map<string, InvokeHandler>()

  handle(channel: string, listener: InvokeHandler): void {
    if (this.#handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.#handlers.set(channel, listener)
  }

  handleOnce(channel: string, listener: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel)
      return listener(event, ...args)
    })
  }

  removeHandler(channel: string): void {
    this.#handlers.delete(channel)
  }

  /** @internal The handler `ipcRenderer.invoke(channel)` reaches. */
  handlerFor(channel: string): InvokeHandler | undefined {
    return this.#handlers.get(channel)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Frames

let nextRoutingId = 1

export class EmulatedWebFrameMain {
  readonly routingId = nextRoutingId++
  readonly processId: number
  readonly frameTreeNodeId: number
  readonly parent: EmulatedWebFrameMain | null
  readonly #url: string
  #detached = false
  readonly #children: EmulatedWebFrameMain[] = []

  constructor(url: string, processId: number, parent: EmulatedWebFrameMain | null) {
    this.#url = url
    this.processId = processId
    this.parent = parent
    this.frameTreeNodeId = this.routingId
    if (parent) parent.#children.push(this)
  }

  get url(): string {
    return this.#url
  }

  /** Like Chromium: a tuple origin for special schemes and for `app:` (registered standard), else `null`. */
  get origin(): string {
    try {
      const url = new URL(this.#url)
      if (url.origin !== 'null' || url.protocol !== 'app:' || url.host === '') return url.origin
      return `${url.protocol}//${url.host.toLowerCase()}`
    } catch {
      return 'null'
    }
  }

  get top(): EmulatedWebFrameMain {
    return this.parent ? this.parent.top : this
  }

  get frames(): EmulatedWebFrameMain[] {
    return [...this.#children]
  }

  get detached(): boolean {
    return this.#detached
  }

  isDestroyed(): boolean {
    return this.#detached
  }

  /** @internal The document in this frame is gone (navigation, window closed), and so are its children. */
  detach(): void {
    this.#detached = true
    for (const child of this.#children) child.detach()
  }
}

// ---------------------------------------------------------------------------------------------------------
// Worlds and the contextBridge

/** A JavaScript realm the contextBridge copies into: values it creates use that realm's intrinsics. */
interface World {
  readonly name: string
  readonly Object: ObjectConstructor
  readonly Array: ArrayConstructor
  readonly Promise: PromiseConstructor
  readonly Error: ErrorConstructor
  /** Makes a function of this realm that forwards its arguments to `impl`. */
  readonly proxyFunction: (impl: (args: unknown[]) => unknown) => (...args: unknown[]) => unknown
}

/** The world of this module's own realm (the page's main world, in these emulated windows). */
const thisRealm: World = {
  name: 'main',
  Object,
  Array,
  Promise,
  Error,
  proxyFunction: (impl) =>
    function (...args: unknown[]) {
      return impl(args)
    },
}

/** The world of another V8 context: copies into it are built from its own intrinsics. */
function contextWorld(name: string, context: vm.Context): World {
  const source = `({ Object, Array, Promise, Error, proxyFunction: (impl) => function () { return impl(Array.from(arguments)) } })`
  return { name, ...(vm.runInContext(source, context) as Omit<World, 'name'>) }
}

/** Proxies made by the bridge, so that a proxy sent back to the world of its original unwraps to it. */
type AnyFunction = (...args: unknown[]) => unknown
const proxiedFunctions = new WeakMap<object, { readonly original: AnyFunction; readonly home: World }>()

function isStructuredCloneOnly(value: object): boolean {
  return (
    types.isDate(value) ||
    types.isRegExp(value) ||
    types.isMap(value) ||
    types.isSet(value) ||
    types.isAnyArrayBuffer(value) ||
    types.isArrayBufferView(value) ||
    types.isBoxedPrimitive(value)
  )
}

/** Copies `value` from world `from` into world `to`, the way Electron's contextBridge does. */
function passToWorld(value: unknown, from: World, to: World, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'symbol') return undefined
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value
  if (seen.has(value)) return seen.get(value)

  if (typeof value === 'function') {
    const proxied = proxiedFunctions.get(value)
    if (proxied && proxied.home === to) return proxied.original
    const original = value as AnyFunction
    const proxy = to.proxyFunction((args) => {
      const inbound = args.map((arg) => passToWorld(arg, to, from))
      let result: unknown
      try {
        result = original(...inbound)
      } catch (error) {
        throw passToWorld(error, from, to)
      }
      return passToWorld(result, from, to)
    })
    proxiedFunctions.set(proxy, { original, home: from })
    seen.set(value, proxy)
    return proxy
  }
  if (types.isPromise(value)) {
    return new to.Promise((resolve, reject) => {
      ;(value as Promise<unknown>).then(
        (result) => resolve(passToWorld(result, from, to)),
        (error: unknown) => reject(passToWorld(error, from, to)),
      )
    })
  }
  if (types.isNativeError(value)) {
    // Electron re-creates the error from its message alone: name, class, stack and fields are lost.
    const copy = new to.Error(String((value as Error).message))
    seen.set(value, copy)
    return copy
  }
  if (Array.isArray(value)) {
    const copy = new to.Array<unknown>()
    seen.set(value, copy)
    for (let i = 0; i < value.length; i++) copy[i] = passToWorld(value[i], from, to, seen)
    return copy
  }
  if (isStructuredCloneOnly(value)) return ipcClone(value)
  const copy = new to.Object() as Record<string, unknown>
  seen.set(value, copy)
  for (const key of Object.keys(value)) copy[key] = passToWorld((value as Record<string, unknown>)[key], from, to, seen)
  return copy
}

function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return
  seen.add(value)
  Object.freeze(value)
  if (types.isPromise(value)) return
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen)
}

export class EmulatedContextBridge implements ContextBridge {
  readonly #isolated: World
  readonly #main: World
  readonly #window: Record<string, unknown>

  constructor(isolated: World, main: World, window: Record<string, unknown>) {
    this.#isolated = isolated
    this.#main = main
    this.#window = window
  }

  exposeInMainWorld(apiKey: string, api: unknown): void {
    if (apiKey in this.#window) throw new Error('Cannot bind an API on top of an existing property on the window object')
    const copy = passToWorld(api, this.#isolated, this.#main)
    deepFreeze(copy)
    Object.defineProperty(this.#window, apiKey, { value: copy, enumerable: true, writable: false, configurable: false })
  }

  exposeInIsolatedWorld(): void {
    throw new Error('exposeInIsolatedWorld is not emulated')
  }

  executeInMainWorld(): unknown {
    throw new Error('executeInMainWorld is not emulated')
  }
}

// ---------------------------------------------------------------------------------------------------------
// ipcRenderer

type RendererListener = (event: IpcRendererEvent, ...args: any[]) => void

export class EmulatedIpcRenderer extends EventEmitter implements IpcRenderer {
  readonly #page: EmulatedPage

  constructor(page: EmulatedPage) {
    super()
    this.#page = page
  }

  async invoke(channel: string, ...args: any[]): Promise<any> {
    const message = ipcClone(args)
    const reply = await this.#page.electron.invokeMain(this.#page, String(channel), message)
    if (reply.error !== undefined) throw new Error(`Error invoking remote method '${channel}': ${reply.error}`)
    return reply.result
  }

  send(channel: string, ...args: any[]): void {
    const message = ipcClone(args)
    this.#page.electron.sendToMain(this.#page, String(channel), message)
  }

  override on(channel: string, listener: RendererListener): this {
    return super.on(channel, listener)
  }

  override once(channel: string, listener: RendererListener): this {
    return super.once(channel, listener)
  }

  override off(channel: string, listener: RendererListener): this {
    return super.off(channel, listener)
  }

  override addListener(channel: string, listener: RendererListener): this {
    return super.addListener(channel, listener)
  }

  override removeListener(channel: string, listener: RendererListener): this {
    return super.removeListener(channel, listener)
  }

  sendSync(): never {
    throw new Error('ipcRenderer.sendSync is not emulated')
  }

  sendToHost(): never {
    throw new Error('ipcRenderer.sendToHost is not emulated')
  }

  postMessage(): never {
    throw new Error('ipcRenderer.postMessage is not emulated')
  }

  /** @internal A message from main arrives (already cloned). */
  receive(channel: string, args: unknown[]): void {
    const event: IpcRendererEvent = Object.assign(electronEvent({}), { sender: this, ports: [] })
    this.emit(channel, event, ...args)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pages (one document in one frame) and windows

/** One document: its frame, its renderer-side `electron` module and its two worlds. */
export class EmulatedPage {
  readonly frame: EmulatedWebFrameMain
  readonly webContents: EmulatedWebContents
  readonly ipcRenderer: EmulatedIpcRenderer
  readonly contextBridge: EmulatedContextBridge
  /** The page's `window` in the main world: what page scripts see, e.g. `page.window.atomitonBridge`. */
  readonly window: Record<string, unknown> = {}
  /** The isolated world the preload runs in: a separate V8 context. */
  readonly isolatedContext: vm.Context
  /** @internal */
  readonly electron: ElectronEmulation

  constructor(electron: ElectronEmulation, webContents: EmulatedWebContents, frame: EmulatedWebFrameMain) {
    this.electron = electron
    this.webContents = webContents
    this.frame = frame
    this.isolatedContext = vm.createContext({ console })
    this.ipcRenderer = new EmulatedIpcRenderer(this)
    this.contextBridge = new EmulatedContextBridge(
      contextWorld('isolated', this.isolatedContext),
      thisRealm,
      this.window,
    )
  }

  /** False once the document is gone (navigated away, window destroyed). */
  get alive(): boolean {
    return !this.frame.detached && !this.webContents.isDestroyed()
  }

  /** What `require('electron')` returns in this page's preload. */
  get electronModule(): { readonly contextBridge: ContextBridge; readonly ipcRenderer: IpcRenderer } {
    return { contextBridge: this.contextBridge, ipcRenderer: this.ipcRenderer }
  }

  /**
   * Runs a built CommonJS preload in the isolated world the way Electron runs a sandboxed preload: wrapped in
   * a function that receives a `require` knowing only `electron` (anything else throws), a reduced
   * `process`, `module` and `exports`.
   */
  runPreload(code: string, filename: string): void {
    const wrapper = vm.runInContext(
      `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {${code}\n})`,
      this.isolatedContext,
      { filename },
    ) as (...args: unknown[]) => void
    const electronModule = this.electronModule
    const sandboxedRequire = (id: string): unknown => {
      if (id === 'electron') return electronModule
      throw new Error(`module not found: ${id}`)
    }
    const preloadProcess = { type: 'renderer', sandboxed: true, contextIsolated: true, platform: process.platform, env: {} }
    const module = { exports: {} }
    const global = vm.runInContext('globalThis', this.isolatedContext) as unknown
    wrapper(sandboxedRequire, preloadProcess, undefined, global, setImmediate, clearImmediate, module.exports, module)
  }
}

export interface NavigateOptions {
  /** `renderer` (a link, `location.href = ...`) emits `will-navigate`, which can cancel; `browser` (loadURL) does not. */
  readonly initiator?: 'renderer' | 'browser'
  /** A same-document navigation (fragment, pushState): no new document, `did-navigate-in-page` only. */
  readonly sameDocument?: boolean
}

export interface NavigationResult {
  /** False when a `will-navigate` / `will-frame-navigate` listener called `preventDefault()`. */
  readonly committed: boolean
}

export class EmulatedWebContents extends EventEmitter {
  readonly #id: number
  readonly #electron: ElectronEmulation
  readonly #processId: number
  #destroyed = false
  #page: EmulatedPage
  #subframePages: EmulatedPage[] = []
  #windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | undefined

  constructor(electron: ElectronEmulation, id: number, url: string) {
    super()
    this.#electron = electron
    this.#id = id
    this.#processId = 1000 + id
    this.#page = new EmulatedPage(electron, this, new EmulatedWebFrameMain(url, this.#processId, null))
  }

  #alive(): void {
    if (this.#destroyed) throw new TypeError('Object has been destroyed')
  }

  get id(): number {
    this.#alive()
    return this.#id
  }

  get mainFrame(): EmulatedWebFrameMain {
    this.#alive()
    return this.#page.frame
  }

  /** The current main-frame document (test handle, not an Electron API). */
  get page(): EmulatedPage {
    return this.#page
  }

  isDestroyed(): boolean {
    return this.#destroyed
  }

  getURL(): string {
    this.#alive()
    return this.#page.frame.url
  }

  /** Sends to the main frame's document; delivered a hop later, and dropped if that document is gone by then. */
  send(channel: string, ...args: any[]): void {
    this.#alive()
    const message = ipcClone(args, 'Failed to serialize arguments')
    const page = this.#page
    this.#electron.hops.post(() => {
      if (page.alive) page.ipcRenderer.receive(String(channel), message)
    })
  }

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.#alive()
    this.#windowOpenHandler = handler
  }

  /** Emulates `window.open(url)` from the page: asks the window-open handler (Electron allows when none is set). */
  openWindow(url: string): WindowOpenHandlerResponse {
    this.#alive()
    const details = { url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' }, postBody: undefined } as unknown as HandlerDetails
    return this.#windowOpenHandler ? this.#windowOpenHandler(details) : { action: 'allow' }
  }

  /** Adds a subframe (an iframe) with its own document to the current main-frame document. */
  addSubframe(url: string): EmulatedPage {
    this.#alive()
    const page = new EmulatedPage(this.#electron, this, new EmulatedWebFrameMain(url, this.#processId, this.#page.frame))
    this.#subframePages.push(page)
    return page
  }

  /** Browser-initiated navigation of the main frame, like Electron's `loadURL`. */
  loadURL(url: string): Promise<void> {
    const { committed } = this.navigate(url, { initiator: 'browser' })
    return committed ? Promise.resolve() : Promise.reject(new Error(`ERR_ABORTED (-3) loading '${url}'`))
  }

  /**
   * Navigates the main frame, emitting what Electron emits, in its order: `did-start-navigation` (before any
   * throttle, so also for navigations that are then cancelled), then for renderer-initiated ones
   * `will-frame-navigate` and `will-navigate` (either can cancel), then, for a new document, the old document
   * and its subframes are detached (their `senderFrame` becomes null) and `did-navigate` fires.
   */
  navigate(url: string, options: NavigateOptions = {}): NavigationResult {
    this.#alive()
    const frame = this.#page.frame
    const isSameDocument = options.sameDocument ?? false
    const params = { url, isSameDocument, isMainFrame: true, frame, initiator: options.initiator === 'renderer' ? frame : null }
    this.emit('did-start-navigation', electronEvent(params), url, isSameDocument, true, frame.processId, frame.routingId)
    if (options.initiator === 'renderer') {
      const willFrame = electronEvent(params)
      this.emit('will-frame-navigate', willFrame)
      if (willFrame.defaultPrevented) return { committed: false }
      const will = electronEvent(params)
      this.emit('will-navigate', will, url, isSameDocument, true, frame.processId, frame.routingId)
      if (will.defaultPrevented) return { committed: false }
    }
    if (isSameDocument) {
      this.emit('did-navigate-in-page', electronEvent({}), url, true, frame.processId, frame.routingId)
      return { committed: true }
    }
    frame.detach()
    this.#subframePages = []
    this.#page = new EmulatedPage(this.#electron, this, new EmulatedWebFrameMain(url, this.#processId, null))
    this.emit('did-navigate', electronEvent({}), url, 200, 'OK')
    return { committed: true }
  }

  /** Closes the window: the documents go, `isDestroyed()` turns true, then `destroyed` is emitted. */
  destroy(): void {
    if (this.#destroyed) return
    this.#page.frame.detach()
    this.#destroyed = true
    this.emit('destroyed')
  }
}

/** Typed view of an emulated object as the Electron type it stands for (Electron's classes cannot be implemented). */
export function asWebContents(webContents: EmulatedWebContents): WebContents {
  return webContents as unknown as WebContents
}

export interface IpcReply {
  readonly result?: unknown
  readonly error?: string
}

/** One emulated Electron app: one `ipcMain`, any number of windows. */
export class ElectronEmulation {
  readonly ipcMain = new EmulatedIpcMain()
  /** @internal */
  readonly hops = new Hops()
  /** Errors thrown by `ipcMain.handle` handlers (Electron logs them in main as "Error occurred in handler for ..."). */
  readonly handlerErrors: { readonly channel: string; readonly error: unknown }[] = []
  readonly #windows = new Set<EmulatedWebContents>()
  #nextId = 1

  /** Opens a window on `url`: its webContents, and in `webContents.page` its first document. */
  createWindow(url = 'app://atomiton/index.html'): EmulatedWebContents {
    const webContents = new EmulatedWebContents(this, this.#nextId++, url)
    this.#windows.add(webContents)
    webContents.once('destroyed', () => this.#windows.delete(webContents))
    return webContents
  }

  /** Resolves once every IPC message in flight has been delivered. */
  settled(): Promise<void> {
    return this.hops.settled()
  }

  /** Destroys every window still open. */
  destroyAll(): void {
    for (const webContents of [...this.#windows]) webContents.destroy()
  }

  #event(page: EmulatedPage): IpcMainEvent {
    const frame = page.frame
    const event = {
      ...electronEvent({}),
      type: 'frame' as const,
      sender: asWebContents(page.webContents),
      frameId: frame.routingId,
      processId: frame.processId,
      ports: [],
      returnValue: undefined,
      reply: (channel: string, ...args: unknown[]) => {
        if (page.alive && frame.parent === null) page.webContents.send(channel, ...args)
      },
    }
    // Electron resolves the frame lazily: null once the document has navigated away or been destroyed.
    Object.defineProperty(event, 'senderFrame', {
      get: () => (frame.detached ? null : (frame as unknown as WebFrameMain)),
      enumerable: true,
    })
    return event as unknown as IpcMainEvent
  }

  /** @internal `ipcRenderer.invoke`: one hop to main, the handler, one hop back. */
  invokeMain(page: EmulatedPage, channel: string, args: unknown[]): Promise<IpcReply> {
    return new Promise<IpcReply>((resolve) => {
      const reply = (message: IpcReply): void => {
        this.hops.post(() => {
          if (page.alive) resolve(message)
        })
      }
      this.hops.post(() => {
        if (page.webContents.isDestroyed()) return
        const handler = this.ipcMain.handlerFor(channel)
        if (!handler) {
          reply({ error: `Error: No handler registered for '${channel}'` })
          return
        }
        const fail = (error: unknown): void => {
          this.handlerErrors.push({ channel, error })
          reply({ error: String(error) })
        }
        let pending: unknown
        try {
          pending = handler(this.#event(page) as unknown as IpcMainInvokeEvent, ...args)
        } catch (error) {
          fail(error)
          return
        }
        Promise.resolve(pending).then((result) => {
          let cloned: unknown
          try {
            cloned = ipcClone(result)
          } catch (error) {
            fail(error)
            return
          }
          reply({ result: cloned })
        }, fail)
      })
    })
  }

  /** @internal `ipcRenderer.send`: one hop to main, then every `ipcMain.on(channel)` listener. */
  sendToMain(page: EmulatedPage, channel: string, args: unknown[]): void {
    this.hops.post(() => {
      if (page.webContents.isDestroyed()) return
      this.ipcMain.emit(channel, this.#event(page), ...args)
    })
  }
}

export function createElectronEmulation(): ElectronEmulation {
  return new ElectronEmulation()
}
