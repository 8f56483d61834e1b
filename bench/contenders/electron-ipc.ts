/**
 * Electron's IPC, played across a worker thread for scenarios 2 and 3: the REAL preload bridge
 * (`app/preload/bridge.ts`) in the main thread (standing for the renderer) and the REAL main-process
 * transport (`attachIpcTransport`, `app/main/ipc-transport.ts`) in the worker (standing for the main process),
 * with a MessagePort carrying what Electron's IPC would: one structured clone per hop, a channel name and
 * one argument. Only the three calls Electron provides are stood in for, as thinly as Electron does them:
 * `ipcRenderer.send` / `webContents.send` post `[channel, arg]`, and `ipcRenderer.invoke` (Electron
 * correlates it internally) posts `[channel, arg, n]` answered by `n`.
 */
import type { MessagePort } from 'node:worker_threads'
import type { IpcMain, IpcMainEvent, IpcRenderer, IpcRendererEvent } from 'electron'
import { createPreloadBridge } from '../../app/preload/bridge'
import { attachIpcTransport } from '../../app/main/ipc-transport'
import type { AtomitonBridge } from '@atomiton/core/common/bridge'
import type { Connectable } from '@atomiton/core/host/connection'
import { silentLogger } from '@atomiton/core/host/logger'

type Listener = (event: unknown, arg: unknown) => unknown
type ToMain = readonly [channel: string, arg: unknown, invokeId?: number]
type ToRenderer = readonly [channel: string | number, arg: unknown]

/** The renderer's half: `window.atomitonBridge` as the preload builds it, over an `ipcRenderer` on `port`. */
export function preloadBridgeOverPort(port: MessagePort): AtomitonBridge {
  const listeners = new Map<string, Set<Listener>>()
  const invokes = new Map<number, (value: unknown) => void>()
  let next = 0
  const rendererEvent = {} as IpcRendererEvent
  port.on('message', ([channel, arg]: ToRenderer) => {
    if (typeof channel === 'number') {
      invokes.get(channel)?.(arg)
      invokes.delete(channel)
    } else for (const listener of listeners.get(channel) ?? []) listener(rendererEvent, arg)
  })
  const ipcRenderer = {
    invoke: (channel: string, arg: unknown) =>
      new Promise((resolve) => {
        invokes.set(++next, resolve)
        port.postMessage([channel, arg, next] satisfies ToMain)
      }),
    send: (channel: string, arg: unknown) => port.postMessage([channel, arg] satisfies ToMain),
    on(channel: string, listener: Listener) {
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      set.add(listener)
      return ipcRenderer
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener)
      return ipcRenderer
    },
  }
  return createPreloadBridge(ipcRenderer as unknown as Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>)
}

/** The main process's half: `attachIpcTransport` serving `host` to one window whose IPC arrives on `port`. */
export function serveIpcOverPort(port: MessagePort, host: Connectable): void {
  const mainFrame = { url: 'app://atomiton/index.html', parent: null, processId: 1, routingId: 1 }
  const sender = {
    id: 1,
    mainFrame,
    isDestroyed: () => false,
    send: (channel: string, arg: unknown) => port.postMessage([channel, arg] satisfies ToRenderer),
    once: () => sender,
    on: () => sender,
    removeListener: () => sender,
  }
  const event = { sender, senderFrame: mainFrame, processId: 1, frameId: 1 } as unknown as IpcMainEvent
  const handlers = new Map<string, Listener>()
  const listeners = new Map<string, Listener>()
  const ipcMain = {
    handle: (channel: string, handler: Listener) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void handlers.delete(channel),
    on: (channel: string, listener: Listener) => (listeners.set(channel, listener), ipcMain),
    removeListener: (channel: string) => (listeners.delete(channel), ipcMain),
  }
  port.on('message', ([channel, arg, invokeId]: ToMain) => {
    if (invokeId === undefined) listeners.get(channel)?.(event, arg)
    else void Promise.resolve(handlers.get(channel)?.(event, arg)).then((result) => port.postMessage([invokeId, result] satisfies ToRenderer))
  })
  attachIpcTransport({
    ipcMain: ipcMain as unknown as Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>,
    host,
    isAllowedOrigin: (url) => url === mainFrame.url,
    grantsFor: () => ['*'],
    logger: silentLogger,
  })
}
