/**
 * The emulation must behave like Electron where the bridge depends on it; these tests pin each semantic of
 * `shared/guide/stack.md` ("Electron semantics a faithful emulation must reproduce").
 */
import vm from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { IpcMainEvent, IpcMainInvokeEvent, IpcRendererEvent } from 'electron'
import { createElectronEmulation, ipcClone, type ElectronEmulation } from './electron-ipc'

let electron: ElectronEmulation

afterEach(() => electron.destroyAll())

function setup(url = 'app://atomiton/index.html') {
  electron = createElectronEmulation()
  const webContents = electron.createWindow(url)
  return { webContents, page: webContents.page, ipcMain: electron.ipcMain, ipcRenderer: webContents.page.ipcRenderer }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y)
  }
}

class CodedError extends Error {
  readonly code = 'E_CODED'
  readonly extra = { detail: 1 }
}

describe('structured clone on every IPC message', () => {
  it('copies renderer -> main: rich types and cycles survive, prototypes and identity do not', async () => {
    const { ipcMain, ipcRenderer } = setup()
    let received: unknown
    ipcMain.handle('ch', (_event, value: unknown) => {
      received = value
      return null
    })
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    const sent = {
      date: new Date(0),
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
      big: 10n ** 20n,
      regexp: /a+/gi,
      bytes: new Uint8Array([1, 2, 3]),
      error: new TypeError('bad'),
      point: new Point(3, 4),
      cyclic,
    }
    await ipcRenderer.invoke('ch', sent)
    const value = received as typeof sent
    expect(value).not.toBe(sent)
    expect(value.date).toBeInstanceOf(Date)
    expect(value.date.getTime()).toBe(0)
    expect(value.map.get('k')).toBe(1)
    expect([...value.set]).toEqual([1, 2])
    expect(value.big).toBe(10n ** 20n)
    expect(value.regexp.source).toBe('a+')
    expect(value.regexp.flags).toBe('gi')
    expect([...value.bytes]).toEqual([1, 2, 3])
    expect(value.error).toBeInstanceOf(Error)
    expect(value.error.message).toBe('bad')
    expect(value.point).not.toBeInstanceOf(Point)
    expect(Object.getPrototypeOf(value.point)).toBe(Object.prototype)
    expect(value.point).toEqual({ x: 3, y: 4 })
    expect((value.cyclic as Record<string, unknown>)['self']).toBe(value.cyclic)
  })

  it('copies at send time: later mutations by the sender are not seen', async () => {
    const { ipcMain, ipcRenderer } = setup()
    const seen: unknown[] = []
    ipcMain.on('note', (_event: IpcMainEvent, value: unknown) => seen.push(value))
    const value = { n: 1 }
    ipcRenderer.send('note', value)
    value.n = 2
    await electron.settled()
    expect(seen).toEqual([{ n: 1 }])
  })

  it('ipcRenderer.send throws synchronously and invoke rejects, for functions and symbols', async () => {
    const { ipcMain, ipcRenderer } = setup()
    const handler = vi.fn()
    ipcMain.handle('ch', handler)
    ipcMain.on('ch', handler)
    expect(() => ipcRenderer.send('ch', { fn: () => 1 })).toThrow(new Error('An object could not be cloned.'))
    expect(() => ipcRenderer.send('ch', Symbol('s'))).toThrow('An object could not be cloned.')
    const pending = ipcRenderer.invoke('ch', { fn: () => 1 })
    await expect(pending).rejects.toThrow(new Error('An object could not be cloned.'))
    await electron.settled()
    expect(handler).not.toHaveBeenCalled()
  })

  it('copies main -> renderer replies', async () => {
    const { ipcMain, ipcRenderer } = setup()
    const reply = { at: new Date(5), point: new Point(1, 1) }
    ipcMain.handle('ch', () => reply)
    const result = (await ipcRenderer.invoke('ch')) as typeof reply
    expect(result).not.toBe(reply)
    expect(result.at.getTime()).toBe(5)
    expect(result.point).not.toBeInstanceOf(Point)
    expect(result.point).toEqual({ x: 1, y: 1 })
  })
})

describe('ipcMain.handle errors', () => {
  it('reach the renderer as a new Error with only the wrapped message', async () => {
    const { ipcMain, ipcRenderer } = setup()
    ipcMain.handle('ch', () => {
      throw new CodedError('original message')
    })
    const error = await ipcRenderer.invoke('ch').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(CodedError)
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype)
    // The class name of the thrown error is part of what Electron stringifies (error.toString()).
    expect((error as Error).message).toBe("Error invoking remote method 'ch': Error: original message")
    expect(error).not.toHaveProperty('code')
    expect(error).not.toHaveProperty('extra')
    expect(electron.handlerErrors).toHaveLength(1)
  })

  it('wraps async rejections the same way', async () => {
    const { ipcMain, ipcRenderer } = setup()
    ipcMain.handle('ch', async () => {
      throw new Error('later')
    })
    await expect(ipcRenderer.invoke('ch')).rejects.toThrow("Error invoking remote method 'ch': Error: later")
  })

  it('rejects with the wrapped clone error when the reply cannot be cloned', async () => {
    const { ipcMain, ipcRenderer } = setup()
    ipcMain.handle('ch', () => ({ fn: () => 1 }))
    await expect(ipcRenderer.invoke('ch')).rejects.toThrow(
      new Error("Error invoking remote method 'ch': Error: An object could not be cloned."),
    )
  })

  it('rejects when no handler is registered, and refuses a second handler', async () => {
    const { ipcMain, ipcRenderer } = setup()
    await expect(ipcRenderer.invoke('nope')).rejects.toThrow(
      "Error invoking remote method 'nope': Error: No handler registered for 'nope'",
    )
    ipcMain.handle('ch', () => 1)
    expect(() => ipcMain.handle('ch', () => 2)).toThrow("Attempted to register a second handler for 'ch'")
    ipcMain.removeHandler('ch')
    ipcMain.handleOnce('ch', () => 3)
    await expect(ipcRenderer.invoke('ch')).resolves.toBe(3)
    await expect(ipcRenderer.invoke('ch')).rejects.toThrow('No handler registered')
  })
})

describe('event.sender and event.senderFrame', () => {
  it('carry the WebContents and the main frame with its URL', async () => {
    const { webContents, ipcMain, ipcRenderer } = setup('app://atomiton/index.html')
    let event: IpcMainInvokeEvent | undefined
    ipcMain.handle('ch', (e) => {
      event = e
    })
    await ipcRenderer.invoke('ch')
    expect(event?.sender).toBe(webContents)
    expect(event?.sender.id).toBe(webContents.id)
    expect(event?.senderFrame).toBe(webContents.mainFrame)
    expect(event?.senderFrame?.url).toBe('app://atomiton/index.html')
    expect(event?.senderFrame?.parent).toBeNull()
  })

  it('identify a subframe as a child of the main frame', async () => {
    const { webContents, ipcMain } = setup()
    const frame = webContents.addSubframe('https://ads.example/frame.html')
    let event: IpcMainEvent | undefined
    ipcMain.on('ch', (e: IpcMainEvent) => {
      event = e
    })
    frame.ipcRenderer.send('ch')
    await electron.settled()
    expect(event?.sender).toBe(webContents)
    expect(event?.senderFrame).not.toBe(webContents.mainFrame)
    expect(event?.senderFrame?.parent).toBe(webContents.mainFrame)
    expect(event?.senderFrame?.url).toBe('https://ads.example/frame.html')
  })

  it('senderFrame is null once the sending document has navigated away', async () => {
    const { webContents, ipcMain, page } = setup()
    const frames: unknown[] = []
    ipcMain.on('ch', (e: IpcMainEvent) => frames.push(e.senderFrame))
    page.ipcRenderer.send('ch')
    webContents.navigate('app://atomiton/other.html')
    await electron.settled()
    expect(frames).toEqual([null])
  })
})

describe('webContents', () => {
  it('send delivers asynchronously with an IpcRendererEvent first and a cloned payload', async () => {
    const { webContents, ipcRenderer } = setup()
    const calls: unknown[][] = []
    ipcRenderer.on('evt', (...args: unknown[]) => calls.push(args))
    const payload = { point: new Point(1, 2) }
    webContents.send('evt', payload, 2)
    expect(calls).toHaveLength(0)
    await electron.settled()
    expect(calls).toHaveLength(1)
    const [event, received, second] = calls[0]!
    expect((event as IpcRendererEvent).sender).toBe(ipcRenderer)
    expect((event as IpcRendererEvent).ports).toEqual([])
    expect(received).toEqual({ point: { x: 1, y: 2 } })
    expect(received).not.toBe(payload)
    expect(second).toBe(2)
  })

  it('send throws for values that cannot be serialised', () => {
    const { webContents } = setup()
    expect(() => webContents.send('evt', () => 1)).toThrow('Failed to serialize arguments')
  })

  it('destroy: isDestroyed, a destroyed event, members throw, in-flight messages are dropped', async () => {
    const { webContents, ipcRenderer } = setup()
    const received = vi.fn()
    ipcRenderer.on('evt', received)
    const destroyed = vi.fn()
    webContents.on('destroyed', destroyed)
    webContents.send('evt', 1)
    webContents.destroy()
    expect(webContents.isDestroyed()).toBe(true)
    expect(destroyed).toHaveBeenCalledTimes(1)
    expect(() => webContents.id).toThrow('Object has been destroyed')
    expect(() => webContents.send('evt', 1)).toThrow('Object has been destroyed')
    await electron.settled()
    expect(received).not.toHaveBeenCalled()
  })

  it('navigate emits did-start-navigation, will-frame-navigate, will-navigate, did-navigate in order', () => {
    const { webContents, page } = setup()
    const order: string[] = []
    for (const name of ['did-start-navigation', 'will-frame-navigate', 'will-navigate', 'did-navigate', 'did-navigate-in-page']) {
      webContents.on(name, () => order.push(name))
    }
    expect(webContents.navigate('app://atomiton/next.html', { initiator: 'renderer' })).toEqual({ committed: true })
    expect(order).toEqual(['did-start-navigation', 'will-frame-navigate', 'will-navigate', 'did-navigate'])
    expect(page.alive).toBe(false)
    expect(webContents.page).not.toBe(page)
    expect(webContents.getURL()).toBe('app://atomiton/next.html')
  })

  it('a will-navigate listener can cancel (after did-start-navigation has fired); same-document keeps the page', () => {
    const { webContents, page } = setup()
    const order: string[] = []
    webContents.on('did-start-navigation', () => order.push('did-start-navigation'))
    webContents.on('did-navigate', () => order.push('did-navigate'))
    webContents.on('will-navigate', (event: { preventDefault(): void }) => event.preventDefault())
    expect(webContents.navigate('https://evil.example/', { initiator: 'renderer' })).toEqual({ committed: false })
    expect(order).toEqual(['did-start-navigation'])
    expect(webContents.page).toBe(page)
    webContents.navigate('app://atomiton/index.html#x', { sameDocument: true })
    expect(webContents.page).toBe(page)
    expect(page.alive).toBe(true)
  })
})

describe('contextBridge.exposeInMainWorld', () => {
  it('copies the API into the page: functions become proxies, values are frozen copies', () => {
    const { page } = setup()
    const hello = (): string => 'hi'
    const api = { hello, data: { list: [1, 2] } }
    page.contextBridge.exposeInMainWorld('api', api)
    const exposed = page.window['api'] as typeof api
    expect(exposed).not.toBe(api)
    expect(exposed.hello).not.toBe(hello)
    expect(exposed.hello()).toBe('hi')
    expect(Object.isFrozen(exposed)).toBe(true)
    expect(Object.isFrozen(exposed.data.list)).toBe(true)
    expect(() => {
      ;(page.window as Record<string, unknown>)['api'] = {}
    }).toThrow(TypeError)
    expect(() => page.contextBridge.exposeInMainWorld('api', {})).toThrow(
      'Cannot bind an API on top of an existing property on the window object',
    )
  })

  it('does not preserve function identity: the same page function arrives as a new proxy each time', () => {
    const { page } = setup()
    const listeners = new Set<unknown>()
    page.contextBridge.exposeInMainWorld('api', {
      add: (fn: unknown) => void listeners.add(fn),
      has: (fn: unknown) => listeners.has(fn),
      remove: (fn: unknown) => listeners.delete(fn),
    })
    const api = page.window['api'] as { add(fn: unknown): void; has(fn: unknown): boolean; remove(fn: unknown): boolean }
    const listener = (): void => undefined
    api.add(listener)
    expect(api.has(listener)).toBe(false)
    expect(api.remove(listener)).toBe(false)
    expect(listeners.size).toBe(1)
    expect([...listeners][0]).not.toBe(listener)
  })

  it('unwraps a proxy sent back to the world of its original (proxy depth of one)', () => {
    const { page } = setup()
    page.contextBridge.exposeInMainWorld('api', { identity: (fn: unknown) => fn })
    const api = page.window['api'] as { identity<T>(fn: T): T }
    const fn = (): number => 1
    expect(api.identity(fn)).toBe(fn)
  })

  it('strips prototypes of values in both directions and drops symbols', () => {
    const { page } = setup()
    let inbound: unknown
    page.contextBridge.exposeInMainWorld('api', {
      point: new Point(3, 4),
      take: (value: unknown) => {
        inbound = value
      },
      give: () => ({ point: new Point(1, 0), sym: Symbol('x'), when: new Date(7) }),
    })
    const api = page.window['api'] as { point: Point; take(v: unknown): void; give(): { point: Point; sym: unknown; when: Date } }
    expect(api.point).not.toBeInstanceOf(Point)
    expect(api.point).toEqual({ x: 3, y: 4 })
    expect((api.point as Partial<Point>).norm).toBeUndefined()
    api.take(new Point(5, 12))
    expect(inbound).not.toBeInstanceOf(Point)
    expect(inbound).toEqual({ x: 5, y: 12 })
    const given = api.give()
    expect(given.point).toEqual({ x: 1, y: 0 })
    expect(given.sym).toBeUndefined()
    expect(given.when).toBeInstanceOf(Date)
    expect(given.when.getTime()).toBe(7)
  })

  it('copies thrown errors and rejections to a plain Error with the message only', async () => {
    const { page } = setup()
    page.contextBridge.exposeInMainWorld('api', {
      fail: () => {
        throw new CodedError('nope')
      },
      later: () => Promise.reject(new CodedError('later')),
      resolved: () => Promise.resolve(new Point(1, 1)),
    })
    const api = page.window['api'] as { fail(): void; later(): Promise<void>; resolved(): Promise<unknown> }
    let thrown: unknown
    try {
      api.fail()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Error)
    expect(thrown).not.toBeInstanceOf(CodedError)
    expect((thrown as Error).message).toBe('nope')
    expect(thrown).not.toHaveProperty('code')
    const rejected = await api.later().catch((error: unknown) => error)
    expect(rejected).not.toBeInstanceOf(CodedError)
    expect((rejected as Error).message).toBe('later')
    await expect(api.resolved()).resolves.toEqual({ x: 1, y: 1 })
  })

  it('creates the copies that enter the preload with the isolated world intrinsics', () => {
    const { page } = setup()
    page.runPreload(
      `const { contextBridge } = require('electron')
       globalThis.seen = []
       contextBridge.exposeInMainWorld('api', { take: (v) => { globalThis.seen.push(v) } })`,
      'preload.js',
    )
    ;(page.window['api'] as { take(v: unknown): void }).take({ a: [1] })
    const isolated = vm.runInContext('({ seen: globalThis.seen, ObjectProto: Object.prototype, ArrayProto: Array.prototype })', page.isolatedContext) as {
      seen: { a: number[] }[]
      ObjectProto: object
      ArrayProto: object
    }
    expect(Object.getPrototypeOf(isolated.seen[0])).toBe(isolated.ObjectProto)
    expect(Object.getPrototypeOf(isolated.seen[0]!.a)).toBe(isolated.ArrayProto)
    expect(Object.getPrototypeOf(isolated.seen[0])).not.toBe(Object.prototype)
  })
})

describe('sandboxed preload', () => {
  it('can require electron and nothing else', () => {
    const { page } = setup()
    page.runPreload(`globalThis.hasBridge = typeof require('electron').contextBridge.exposeInMainWorld`, 'a.js')
    expect(vm.runInContext('globalThis.hasBridge', page.isolatedContext)).toBe('function')
    for (const id of ['fs', 'node:fs', 'child_process', './local']) {
      expect(() => page.runPreload(`require(${JSON.stringify(id)})`, 'b.js')).toThrow(`module not found: ${id}`)
    }
  })
})

describe('ipcClone', () => {
  it('rethrows errors that are not clone failures (a throwing getter)', () => {
    const value = {
      get boom(): never {
        throw new RangeError('getter')
      },
    }
    expect(() => ipcClone(value)).toThrow(RangeError)
  })
})
