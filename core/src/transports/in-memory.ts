/**
 * The in-memory bridge: a real `AtomitonBridge` wired to a real host connection, with Electron IPC's
 * semantics where they matter to a plugin author:
 * - every message, in both directions, goes through `structuredClone`: a function or class instance in
 *   params or a result fails here exactly where it would fail over IPC (and class instances arrive as
 *   plain objects);
 * - an answer that cannot be cloned rejects `invoke` with Electron's wrapping
 *   ("Error invoking remote method 'rpc:invoke': Error: An object could not be cloned.");
 * - replies and events arrive asynchronously, events only through `on`, one-way messages only via `send`.
 * It counts the messages it carries, so tests can assert batching.
 */
import type { AtomitonBridge } from '../common/bridge'
import { errorMessage } from '../common/describe-error'
import type { Caller } from '../host/caller'
import type { Connectable, HostConnection } from '../host/connection'

export interface InMemoryBridgeStats {
  /** Messages sent with `invoke` (a batch counts once). */
  invokes: number
  sends: number
  events: number
}

export interface InMemoryBridge {
  readonly bridge: AtomitonBridge
  readonly connection: HostConnection
  readonly stats: InMemoryBridgeStats
  /** The peer goes away (a window closes): the host aborts its calls and ends its subscriptions. */
  close(): void
}

const UNCLONEABLE = 'An object could not be cloned.'

function clone<T>(value: T): T {
  try {
    return structuredClone(value)
  } catch {
    throw new Error(UNCLONEABLE)
  }
}

export function createInMemoryBridge(host: Connectable, caller: Caller): InMemoryBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const stats: InMemoryBridgeStats = { invokes: 0, sends: 0, events: 0 }
  let closed = false

  const connection = host.connect({
    caller,
    deliver(event, payload) {
      // Like webContents.send: the payload is cloned now (and throws if it cannot be), delivered later.
      const copy = clone(payload)
      stats.events++
      queueMicrotask(() => {
        for (const listener of [...(listeners.get(event) ?? [])]) listener(copy)
      })
    },
  })

  const bridge: AtomitonBridge = {
    async invoke(method, params) {
      if (closed) throw new Error('The bridge is closed')
      const message = clone({ method, params })
      stats.invokes++
      let answer: unknown
      try {
        answer = await connection.invoke(message.method, message.params)
      } catch (error) {
        // A host connection never rejects (failures are envelopes); if one did, the renderer would see
        // what Electron makes of an error thrown in `ipcMain.handle`, not the error itself.
        throw new Error(`Error invoking remote method 'rpc:invoke': Error: ${errorMessage(error)}`, { cause: error })
      }
      try {
        return structuredClone(answer)
      } catch {
        throw new Error(`Error invoking remote method 'rpc:invoke': Error: ${UNCLONEABLE}`)
      }
    },
    on(event, callback) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      // A wrapper per registration: the same callback registered twice is two listeners, as over IPC.
      const listener = (payload: unknown) => callback(payload)
      set.add(listener)
      return () => {
        listeners.get(event)?.delete(listener)
      }
    },
    send(method, params) {
      if (closed) return
      const message = clone({ method, params })
      stats.sends++
      queueMicrotask(() => connection.send(message.method, message.params))
    },
  }

  return {
    bridge,
    connection,
    stats,
    close() {
      if (closed) return
      closed = true
      listeners.clear()
      connection.close('bridge closed')
    },
  }
}
