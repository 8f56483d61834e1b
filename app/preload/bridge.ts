/**
 * The preload's bridge: the whole of the generic bridge (the "Generic Transport Pattern"), over whatever
 * `ipcRenderer` it is given (Electron's in `index.ts`; the bench's stand-in across a thread). It knows no
 * domain, method or schema, and adding an API method never touches it: it moves `{ method, params }` to main
 * on two channels (`rpc:send` one way: the client's protocol messages; `rpc:invoke` answered: the direct
 * shorthand) and hands the page every host message from the one `rpc:message` channel: all of them to
 * `on('$rpc')`, an event's payload to `on(eventName)`. It can import nothing at run time (a sandboxed
 * preload), so the names live here, mirrored by `IPC_CHANNELS` in `app/main/ipc-transport.ts` (a test checks
 * that they agree). The IPC event object never reaches the page, and `on` returns an unsubscribe closure
 * made here, because functions crossing the contextBridge lose their identity.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron'
import type { AtomitonBridge } from '@atomiton/core/common/bridge'

const INVOKE_CHANNEL = 'rpc:invoke'
const SEND_CHANNEL = 'rpc:send'
const MESSAGE_CHANNEL = 'rpc:message'
const PROTOCOL_METHOD = '$rpc'
const misuse = (what: string): TypeError => new TypeError(`atomitonBridge: ${what}`)
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0

export function createPreloadBridge(ipc: Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>): AtomitonBridge {
  return {
    invoke(method, params) {
      if (!isName(method)) return Promise.reject(misuse('method must be a non-empty string'))
      return ipc.invoke(INVOKE_CHANNEL, { method, params })
    },
    on(name, callback) {
      if (!isName(name)) throw misuse('event must be a non-empty string')
      if (typeof callback !== 'function') throw misuse('callback must be a function')
      const listener = (_event: IpcRendererEvent, message: { kind?: unknown; event?: unknown; payload?: unknown }): void => {
        if (name !== PROTOCOL_METHOD && (message?.kind !== 'event' || message.event !== name)) return
        try {
          callback(name === PROTOCOL_METHOD ? message : message.payload)
        } catch (error) {
          console.error(error) // a throwing page callback must not starve the other listeners
        }
      }
      ipc.on(MESSAGE_CHANNEL, listener)
      return () => void ipc.removeListener(MESSAGE_CHANNEL, listener)
    },
    send(method, params) {
      if (!isName(method)) throw misuse('method must be a non-empty string')
      ipc.send(SEND_CHANNEL, { method, params })
    },
  }
}
