/**
 * The renderer end of browser mode's WebSocket transport: an `AtomitonBridge` over one WebSocket to the
 * host. Browser-safe (the global `WebSocket`, no Node imports); under Node 20, which has no global
 * WebSocket, pass a constructor (`ws`'s class).
 *
 * It carries the one protocol (`protocol.ts`) and keeps no map of its own for it: `send(method, params)`
 * goes out as a send frame (a `$rpc` request or batch names its id in the frame's header, see codec.ts),
 * and every host message frame (answers and events alike) reaches the `on(PROTOCOL_METHOD)` listeners as
 * it came; an `EventMessage`'s payload also reaches `on(eventName)`. The client matches answers to calls by
 * their request ids. Only the direct `invoke(method, params)` (scripts, tests) waits on a frame id here.
 *
 * Failure semantics, so the client's errors stay meaningful:
 * - `send` and `invoke` while not connected fail at once (`send` throws, `invoke` rejects) with an Error
 *   saying the transport is unavailable: the client answers UNAVAILABLE. When the socket drops, the
 *   `PROTOCOL_METHOD` listeners hear `DISCONNECTED_EVENT` (the client fails its calls in flight with
 *   UNAVAILABLE) and pending invokes reject. Nothing is queued for later, nothing is retried here (a call
 *   may or may not have run on the host).
 * - Params that cannot cross reject `invoke` (and throw from `send`) with a `DataCloneError` whose
 *   message says they "could not be cloned": the client answers INVALID_PARAMS.
 * - After a drop it reconnects with exponential backoff and jitter, for as long as it is not closed,
 *   and after each successful REconnect emits `RECONNECTED_EVENT` (an EventMessage) to its own listeners
 *   so the client subscribes again (the host ended the old connection's subscriptions).
 * - A refused handshake (wrong token, foreign origin) looks, from a browser, like any failed connection:
 *   it keeps retrying at the backoff's pace and never opens.
 */
import type { AtomitonBridge } from '../../common/bridge'
import { DISCONNECTED_EVENT, eventMessage, isEventMessage, isLocalEvent, PROTOCOL_METHOD, RECONNECTED_EVENT } from '../../common/protocol'
import { decodeHostFrame, encodeInvoke, encodeSend } from './codec'

/** What the bridge uses of a WebSocket: the DOM's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface ReconnectOptions {
  /** Delay before the first retry. Default 250 ms. */
  readonly initialDelayMs?: number
  /** Longest delay between retries. Default 10 s. */
  readonly maxDelayMs?: number
  /** Growth of the delay after each failed attempt. Default 2. */
  readonly factor?: number
}

export type WebSocketBridgeState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface WebSocketBridgeOptions {
  /** The host's endpoint, e.g. `ws://127.0.0.1:4310/rpc`. */
  readonly url: string
  /** Added to the URL as `?token=` (the URL given may carry it instead). */
  readonly token?: string
  /** The WebSocket class; the global one by default. */
  readonly WebSocket?: WebSocketConstructor
  readonly reconnect?: ReconnectOptions
  /** Told of every state change (e.g. to show "reconnecting..." in the UI). */
  readonly onStateChange?: (state: WebSocketBridgeState) => void
}

export interface WebSocketBridge extends AtomitonBridge {
  /**
   * `connecting`: a handshake is under way; `open`: calls flow; `reconnecting`: waiting for the next
   * attempt; `closed`: `close()` was called, for good.
   */
  readonly state: WebSocketBridgeState
  /** Resolves when the bridge is open (at once if it is); rejects if it is closed first. */
  whenOpen(): Promise<void>
  /** Closes the socket for good: pending calls reject, no reconnection, listeners are dropped. */
  close(): void
}

const OPEN = 1
const NORMAL_CLOSURE = 1000

interface Pending {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

function unavailable(detail: string): Error {
  return new Error(`The WebSocket transport is unavailable: ${detail}`)
}

function withToken(url: string, token: string | undefined): string {
  if (token === undefined) return url
  const parsed = new URL(url)
  parsed.searchParams.set('token', token)
  return parsed.toString()
}

/** The id a `$rpc` request or batch names, for the frame's header (codec.ts): a positive safe integer. */
function correlationIdOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const { kind, id } = params as { kind?: unknown; id?: unknown }
  if (kind !== 'request' && kind !== 'batch') return undefined
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined
}

function rethrowLater(error: unknown): void {
  // A listener's bug must not stop delivery to the others, nor vanish.
  setTimeout(() => {
    throw error
  }, 0)
}

export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const Socket: WebSocketConstructor | undefined = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined)
  if (Socket === undefined) throw new Error('No WebSocket class: pass one as the `WebSocket` option')
  const url = withToken(options.url, options.token)
  const initialDelayMs = options.reconnect?.initialDelayMs ?? 250
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000
  const factor = options.reconnect?.factor ?? 2

  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, Pending>()
  const waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>()
  let state: WebSocketBridgeState = 'connecting'
  let socket: WebSocketLike | undefined
  let nextFrame = 0
  let failedAttempts = 0
  let openedBefore = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  const setState = (next: WebSocketBridgeState): void => {
    if (state === next) return
    state = next
    if (next === 'open' || next === 'closed') {
      for (const waiter of [...waiters]) {
        if (next === 'open') waiter.resolve()
        else waiter.reject(unavailable('the bridge is closed'))
      }
      waiters.clear()
    }
    options.onStateChange?.(next)
  }

  const emitTo = (name: string, value: unknown): void => {
    const set = listeners.get(name)
    if (!set) return
    for (const listener of [...set]) {
      try {
        listener(value)
      } catch (error) {
        rethrowLater(error)
      }
    }
  }

  /** A host message: to every `PROTOCOL_METHOD` listener, and an event's payload to that event's own. */
  const emit = (message: unknown): void => {
    emitTo(PROTOCOL_METHOD, message)
    if (isEventMessage(message)) emitTo(message.event, message.payload)
  }

  /** The host is gone: nothing in flight will be answered. */
  const failPending = (error: Error): void => {
    const calls = [...pending.values()]
    pending.clear()
    for (const call of calls) call.reject(error)
    emit(eventMessage(DISCONNECTED_EVENT, { reason: error.message }))
  }

  const onMessage = (data: unknown): void => {
    const decoded = decodeHostFrame(data)
    if (!decoded.ok) {
      console.warn(`[atomiton] Ignored a malformed frame from the host: ${decoded.reason}`)
      if (decoded.n === undefined) return
      const call = pending.get(decoded.n)
      pending.delete(decoded.n)
      call?.reject(unavailable(`the host's reply could not be decoded (${decoded.reason})`))
      return
    }
    const frame = decoded.frame
    if (frame.t === 'reply') {
      const call = pending.get(frame.n)
      pending.delete(frame.n)
      call?.resolve(frame.value)
    } else if (!(isEventMessage(frame.message) && isLocalEvent(frame.message.event))) {
      // The local events are this bridge's own: the host never sends them.
      emit(frame.message)
    }
  }

  const connect = (): void => {
    setState('connecting')
    let current: WebSocketLike
    try {
      current = new Socket(url)
    } catch (error) {
      // A malformed URL: retrying will not help, but staying in the retry loop keeps one behaviour.
      console.warn(`[atomiton] Could not open a WebSocket to the host: ${error instanceof Error ? error.message : String(error)}`)
      scheduleRetry()
      return
    }
    socket = current
    current.addEventListener('open', () => {
      if (socket !== current) return
      failedAttempts = 0
      const reconnected = openedBefore
      openedBefore = true
      setState('open')
      if (reconnected) emit(eventMessage(RECONNECTED_EVENT, undefined))
    })
    current.addEventListener('message', (event: { data?: unknown }) => {
      if (socket === current) onMessage(event.data)
    })
    current.addEventListener('close', (event: { code?: number }) => {
      if (socket !== current) return
      socket = undefined
      failPending(unavailable(`the connection to the host was lost (code ${event.code ?? 'unknown'})`))
      if (state !== 'closed') scheduleRetry()
    })
    // 'error' is always followed by 'close', which does the work.
    current.addEventListener('error', () => undefined)
  }

  const scheduleRetry = (): void => {
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** failedAttempts)
    failedAttempts++
    // Equal jitter: between half and all of the delay, so many tabs do not retry in step.
    const delay = base / 2 + Math.random() * (base / 2)
    setState('reconnecting')
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      if (state !== 'closed') connect()
    }, delay)
  }

  const isOpen = (): boolean => state === 'open' && socket !== undefined && socket.readyState === OPEN

  connect()

  return {
    invoke(method, params) {
      if (!isOpen()) return Promise.reject(unavailable(`not connected (${state})`))
      const n = ++nextFrame
      let text: string
      try {
        // The compact (JSON) body when the params are exactly JSON: see codec.ts.
        text = encodeInvoke(n, method, params, 'compact')
      } catch (error) {
        return Promise.reject(error as Error)
      }
      return new Promise((resolve, reject) => {
        pending.set(n, { resolve, reject })
        socket!.send(text)
      })
    },
    on(event, callback) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      // A wrapper per registration: registering the same callback twice is two listeners.
      const listener = (payload: unknown) => callback(payload)
      set.add(listener)
      return () => {
        const current = listeners.get(event)
        current?.delete(listener)
        if (current?.size === 0) listeners.delete(event)
      }
    },
    send(method, params) {
      const text = encodeSend(method, params, method === PROTOCOL_METHOD ? correlationIdOf(params) : undefined, 'compact')
      if (!isOpen()) throw unavailable(`not connected (${state})`)
      socket!.send(text)
    },
    get state() {
      return state
    },
    whenOpen() {
      if (state === 'open') return Promise.resolve()
      if (state === 'closed') return Promise.reject(unavailable('the bridge is closed'))
      return new Promise<void>((resolve, reject) => waiters.add({ resolve, reject }))
    },
    close() {
      if (state === 'closed') return
      setState('closed')
      if (retryTimer !== undefined) clearTimeout(retryTimer)
      retryTimer = undefined
      const current = socket
      socket = undefined
      failPending(unavailable('the bridge is closed'))
      listeners.clear()
      try {
        current?.close(NORMAL_CLOSURE, 'bridge closed')
      } catch {
        // Already closing.
      }
    },
  }
}
