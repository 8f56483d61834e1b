/**
 * The client end of the MessagePort transport: an `AtomitonBridge` over one MessagePort (a
 * `MessageChannel` to a worker thread, a web worker, or a port the preload handed over). Browser-safe:
 * no Node imports; a Node `worker_threads` port fits too (see `MessagePortLike`).
 *
 * Values cross by structured clone, natively: `invoke(method, params)` posts `['i', n, method, params]`
 * and the host's envelope comes back in `['r', n, envelope]`, so Dates, Maps, typed arrays... arrive as
 * they would over Electron's IPC, and nothing is encoded to JSON on the way.
 *
 * Failure semantics, like the other bridges so the client's errors stay meaningful:
 * - Params that cannot be cloned make `postMessage` throw a `DataCloneError` ("... could not be
 *   cloned"): `invoke` rejects with it (the client answers INVALID_PARAMS) and `send` throws it.
 * - Once the port closes (either end; where the platform reports it) or `close()` is called, every
 *   pending call and every later `invoke` rejects with an Error saying the transport is unavailable
 *   (the client answers UNAVAILABLE), and `send` is dropped.
 */
import type { AtomitonBridge } from '../../common/bridge'
import { isFrameId, listenToPort, type ClientFrame, type MessagePortLike } from './frames'

export interface MessagePortBridgeOptions {
  /** Close the port itself on `close()`. Default true. */
  readonly closePort?: boolean
}

export interface MessagePortBridge extends AtomitonBridge {
  /** False once the port closed or `close()` was called. */
  readonly open: boolean
  /** Stops listening, rejects pending calls, drops listeners and (by default) closes the port. Idempotent. */
  close(): void
}

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

function unavailable(detail: string): Error {
  return new Error(`The MessagePort transport is unavailable: ${detail}`)
}

function rethrowLater(error: unknown): void {
  // A listener's bug must not stop delivery to the others, nor vanish.
  setTimeout(() => {
    throw error
  }, 0)
}

export function createMessagePortBridge(port: MessagePortLike, options: MessagePortBridgeOptions = {}): MessagePortBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, Pending>()
  let nextFrame = 0
  let open = true

  const emit = (event: string, payload: unknown): void => {
    const set = listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        listener(payload)
      } catch (error) {
        rethrowLater(error)
      }
    }
  }

  const onData = (data: unknown): void => {
    if (!Array.isArray(data)) return
    if (data[0] === 'r') {
      const n: unknown = data[1]
      if (!isFrameId(n)) return
      const call = pending.get(n)
      if (call === undefined) return
      pending.delete(n)
      call.resolve(data[2])
    } else if (data[0] === 'e' && typeof data[1] === 'string') {
      emit(data[1], data[2])
    }
  }

  const shutDown = (reason: string): void => {
    if (!open) return
    open = false
    stopListening()
    const calls = [...pending.values()]
    pending.clear()
    const error = unavailable(reason)
    for (const call of calls) call.reject(error)
  }

  const stopListening = listenToPort(port, onData, () => shutDown('the port was closed'))

  const post = (frame: ClientFrame): void => port.postMessage(frame)

  return {
    invoke(method, params) {
      if (!open) return Promise.reject(unavailable('the bridge is closed'))
      const n = ++nextFrame
      return new Promise((resolve, reject) => {
        pending.set(n, { resolve, reject })
        try {
          post(['i', n, method, params])
        } catch (error) {
          // Not cloneable (DataCloneError), or the port is gone: nothing was sent.
          pending.delete(n)
          reject(error as Error)
        }
      })
    },
    on(event, callback) {
      let set = listeners.get(event)
      if (set === undefined) listeners.set(event, (set = new Set()))
      // A wrapper per registration: registering the same callback twice is two listeners, as over IPC.
      const listener = (payload: unknown): void => callback(payload)
      set.add(listener)
      return () => {
        const current = listeners.get(event)
        current?.delete(listener)
        if (current?.size === 0) listeners.delete(event)
      }
    },
    send(method, params) {
      // Dropped once closed: a one-way message has no caller to tell. A value that cannot be cloned throws.
      if (open) post(['s', method, params])
    },
    get open() {
      return open
    },
    close() {
      if (!open) return
      shutDown('the bridge is closed')
      listeners.clear()
      if (options.closePort !== false) port.close?.()
    },
  }
}
