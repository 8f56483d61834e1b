/**
 * The preload: the whole of the generic bridge (the "Generic Transport Pattern").
 *
 * It knows no domain, method or schema: it moves `{ method, params }` to main on two channels and
 * forwards `rpc:event:<name>` pushes to the page. Main validates the sender and everything else.
 * Bundled to ONE sandbox-compatible CommonJS file (`out/preload/index.cjs`) that requires nothing but
 * `electron`, so the channel names live here, mirrored by `IPC_CHANNELS` in `app/main/ipc-transport.ts`
 * (a test checks that they agree). The IPC event object never reaches the page, and `on` returns an
 * unsubscribe closure made here, because functions crossing the contextBridge lose their identity.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { AtomitonBridge } from '@atomiton/core/common/bridge'

const INVOKE_CHANNEL = 'rpc:invoke'
const SEND_CHANNEL = 'rpc:send'
const EVENT_CHANNEL_PREFIX = 'rpc:event:'

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function misuse(what: string): TypeError {
  return new TypeError(`atomitonBridge: ${what}`)
}

const bridge: AtomitonBridge = {
  invoke(method, params) {
    if (!isName(method)) return Promise.reject(misuse('method must be a non-empty string'))
    return ipcRenderer.invoke(INVOKE_CHANNEL, { method, params })
  },
  on(event, callback) {
    if (!isName(event)) throw misuse('event must be a non-empty string')
    if (typeof callback !== 'function') throw misuse('callback must be a function')
    const channel = EVENT_CHANNEL_PREFIX + event
    // Drops the IpcRendererEvent; a throwing page callback must not starve the other listeners.
    const listener = (_event: IpcRendererEvent, payload: unknown): void => {
      try {
        callback(payload)
      } catch (error) {
        console.error(error)
      }
    }
    ipcRenderer.on(channel, listener)
    return () => void ipcRenderer.removeListener(channel, listener)
  },
  send(method, params) {
    if (!isName(method)) throw misuse('method must be a non-empty string')
    ipcRenderer.send(SEND_CHANNEL, { method, params })
  },
}

contextBridge.exposeInMainWorld('atomitonBridge', bridge)
