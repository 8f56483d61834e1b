/**
 * The in-memory bridge: a real `AtomitonBridge` wired to a real host connection, with Electron IPC's
 * semantics where they matter to a plugin author:
 * - every message, in both directions, goes through `structuredClone`: a function or class instance in
 *   params or a result fails here exactly where it would fail over IPC (and class instances arrive as
 *   plain objects);
 * - an answer that cannot be cloned rejects `invoke` with Electron's wrapping
 *   ("Error invoking remote method 'rpc:invoke': Error: An object could not be cloned.");
 * - it speaks the one protocol (`protocol.ts`): requests, batches and cancels sent one way on
 *   `PROTOCOL_METHOD`, every answer and event pushed to `on(PROTOCOL_METHOD)` a microtask later (an event's
 *   payload also to `on(eventName)`); the direct `invoke('domain.method', params)` is answered too;
 * - an answer that cannot be cloned is replaced by an INTERNAL envelope per response (as the transports do);
 * - `close()` tells the `PROTOCOL_METHOD` listeners (`DISCONNECTED_EVENT`) before going away; then `send`
 *   throws and `invoke` rejects.
 * It counts the messages it carries, so tests can assert batching.
 */
import type { AtomitonBridge } from '../common/bridge'
import { errorMessage } from '../common/describe-error'
import {
  DISCONNECTED_EVENT,
  eventMessage,
  isBatchMessage,
  isRequestMessage,
  PROTOCOL_METHOD,
  type HostMessage,
} from '../common/protocol'
import type { Caller } from '../host/caller'
import type { Connectable, HostConnection } from '../host/connection'
import { isStructuredCloneable, unsendableAnswer } from '../host/unsendable-answer'

export interface InMemoryBridgeStats {
  /** Messages that ask for an answer: a request or a batch (counted once) sent on `PROTOCOL_METHOD`, or an `invoke`. */
  invokes: number
  /** Other one-way messages: cancels, one-way calls. */
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
const NOT_CLONEABLE_ANSWER = 'The answer could not be sent over the bridge (not structured-cloneable)'

function clone<T>(value: T): T {
  try {
    return structuredClone(value)
  } catch {
    throw new Error(UNCLONEABLE)
  }
}

export function createInMemoryBridge(host: Connectable, caller: Caller): InMemoryBridge {
  const listeners = new Map<string, Set<(message: unknown) => void>>()
  const stats: InMemoryBridgeStats = { invokes: 0, sends: 0, events: 0 }
  let closed = false

  /** One host message reaches the peer a microtask later: its `PROTOCOL_METHOD` listeners, and an event's own. */
  const push = (message: HostMessage): void => {
    queueMicrotask(() => {
      for (const listener of [...(listeners.get(PROTOCOL_METHOD) ?? [])]) listener(message)
      if (message.kind !== 'event') return
      for (const listener of [...(listeners.get(message.event) ?? [])]) listener(message.payload)
    })
  }

  const connection = host.connect({
    caller,
    deliver(event, payload) {
      // Like webContents.send: the payload is cloned now (and throws if it cannot be), delivered later.
      const copy = clone(eventMessage(event, payload))
      stats.events++
      push(copy)
    },
    reply(answer) {
      let copy: HostMessage
      try {
        copy = structuredClone(answer)
      } catch {
        copy = unsendableAnswer(answer, isStructuredCloneable, NOT_CLONEABLE_ANSWER)
      }
      push(copy)
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
      if (closed) throw new Error('The bridge is closed')
      const message = clone({ method, params })
      if (method === PROTOCOL_METHOD && (isRequestMessage(params) || isBatchMessage(params))) stats.invokes++
      else stats.sends++
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
      // Nothing in flight will be answered now: the client hears it at once, as from a dropped socket.
      const gone = eventMessage(DISCONNECTED_EVENT, { reason: 'bridge closed' })
      for (const listener of [...(listeners.get(PROTOCOL_METHOD) ?? [])]) listener(gone)
      listeners.clear()
      connection.close('bridge closed')
    },
  }
}
