/**
 * `createRPCClient(bridge)`: the typed Proxy client. `rpc.domain.method(input, { signal, timeoutMs })`.
 *
 * - It speaks the protocol (`protocol.ts`) over the bridge's one-way half: every request, batch and cancel
 *   goes out with `bridge.send(PROTOCOL_METHOD, ...)`, and every answer and event comes back to its one
 *   `bridge.on(PROTOCOL_METHOD, ...)` listener. A call's request id is its only correlation id, and this
 *   client's map of calls in flight the only one on the way.
 * - Calls made in the same tick travel as ONE bridge message (a batch), unless `batch: false`.
 * - A signal aborts the call at once (CANCELLED) and tells the host, whose handler sees its own signal.
 * - `timeoutMs` bounds the call here and on the host (the host uses the smaller of it and its own).
 * - Errors come back as `RpcError` with `code`, `message` and safe `data`.
 * - The proxy is not thenable, is never made reactive by Vue (`__v_skip`), and caches its sub-proxies,
 *   so it can live in a `ref` or a pinia store.
 */
import type { AtomitonBridge } from '../common/bridge'
import { RpcError } from '../common/errors'
import {
  DISCONNECTED_EVENT,
  isBatchResponseMessage,
  isEventMessage,
  isResponseMessage,
  PROTOCOL_METHOD,
  RECONNECTED_EVENT,
  type BatchMessage,
  type BatchResponseMessage,
  type CancelMessage,
  type RequestId,
  type RequestMessage,
  type ResponseMessage,
} from '../common/protocol'
import type { CallOptions } from '../plugin/definition'
import { fromTransportFailure } from './transport-errors'
import type { ClientView, RpcClient, SubscribeOptions, Subscription } from './types'

export interface ClientOptions {
  /** Send same-tick calls as one batch message. Default true. */
  readonly batch?: boolean
  /** A time limit for every call that sets none. Default: none here (the host's limits apply). */
  readonly timeoutMs?: number
  /**
   * Most requests in one batch message: more same-tick calls travel as several batches. Default 100; never
   * more than the host's `maxBatchSize` (default 1,000: a larger batch is refused whole, PAYLOAD_TOO_LARGE).
   */
  readonly maxBatchSize?: number
}

/**
 * The client's default batch size: a tenth of the host's limit, on purpose. A tick's 1,000 calls then travel
 * as ten messages that pipeline (the host answers the first while the client still sends the next, and the
 * client reads the first answers while the host works on the rest) instead of one that each side clones
 * whole in turn. Measured in scenario 3 (1,000 same-tick calls over Electron's IPC across a thread, three
 * interleaved runs, docs/benchmarks.md): unbatched ÷ batched 3.8x / 2.6x / 2.9x in one message of 1,000,
 * 5.1x / 2.7x / 4.1x in messages of 100; 250 and 50 were no better.
 */
export const DEFAULT_MAX_BATCH_SIZE = 100

interface Pending {
  readonly method: string
  readonly resolve: (value: unknown) => void
  readonly reject: (error: RpcError) => void
  timer: ReturnType<typeof setTimeout> | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

interface EventSubscription {
  readonly listeners: Set<(payload: unknown) => void>
  readonly options: Set<SubscribeOptions>
  ready: Promise<void>
}

const SUBSCRIPTION_ENDED = 'rpc.subscriptionEnded'

/** Property names the proxy never turns into a domain or a method (promises, Vue, JSON, inspection). */
function isInertKey(key: string): boolean {
  return key === 'then' || key === 'toJSON' || key === 'constructor' || key === 'valueOf' || key === 'toString' || key.startsWith('__v_') || key === '$$typeof'
}

class ClientCore {
  readonly #bridge: AtomitonBridge
  readonly #batch: boolean
  readonly #timeoutMs: number | undefined
  readonly #maxBatchSize: number
  /** The calls in flight, by their request id: the one correlation id of a call, on every transport. */
  readonly #pending = new Map<RequestId, Pending>()
  /** The batches in flight, by their id: which calls each carried (to fail them if it is refused whole). */
  readonly #batches = new Map<RequestId, readonly RequestMessage[]>()
  readonly #subscriptions = new Map<string, EventSubscription>()
  #queue: RequestMessage[] = []
  #scheduled = false
  /** A queued call was abandoned before the flush: the flush must drop it (rare; skips a filter otherwise). */
  #abandonedInQueue = false
  /** Bound once: a closure per flush is allocation on every tick that makes calls. */
  readonly #flushQueue = (): void => this.#flush()
  #nextId = 0
  readonly #stopListening: () => void

  constructor(bridge: AtomitonBridge, options: ClientOptions) {
    this.#bridge = bridge
    this.#batch = options.batch ?? true
    this.#timeoutMs = options.timeoutMs
    this.#maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE
    if (!Number.isSafeInteger(this.#maxBatchSize) || this.#maxBatchSize < 1) {
      throw new TypeError(`maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}`)
    }
    // Every host message (answers and events) arrives here: one listener, one protocol.
    this.#stopListening = bridge.on(PROTOCOL_METHOD, (message) => this.#receive(message))
  }

  call(method: string, params: unknown, options: CallOptions | undefined): Promise<unknown> {
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(new RpcError('CANCELLED', `${method} was cancelled`))
    const id = ++this.#nextId
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs
    const request: RequestMessage =
      timeoutMs === undefined ? { kind: 'request', id, method, params } : { kind: 'request', id, method, params, timeoutMs }
    return new Promise((resolve, reject) => {
      const pending: Pending = { method, resolve, reject, timer: undefined, signal, onAbort: undefined }
      this.#pending.set(id, pending)
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(
          () => this.#abandon(id, new RpcError('TIMEOUT', `${method} timed out after ${timeoutMs} ms`), 'timeout'),
          timeoutMs,
        )
      }
      if (signal) {
        pending.onAbort = () => this.#abandon(id, new RpcError('CANCELLED', `${method} was cancelled`))
        signal.addEventListener('abort', pending.onAbort, { once: true })
      }
      if (!this.#batch) {
        this.#send([request])
        return
      }
      this.#queue.push(request)
      if (!this.#scheduled) {
        this.#scheduled = true
        queueMicrotask(this.#flushQueue)
      }
    })
  }

  on(event: string, listener: (payload: unknown) => void, options: SubscribeOptions = {}): Subscription {
    let subscription = this.#subscriptions.get(event)
    if (!subscription) {
      subscription = { listeners: new Set(), options: new Set(), ready: Promise.resolve() }
      this.#subscriptions.set(event, subscription)
      subscription.ready = this.#subscribe(event, subscription)
    }
    const current = subscription
    current.listeners.add(listener)
    current.options.add(options)
    let active = true
    const unsubscribe = () => {
      if (!active) return
      active = false
      current.listeners.delete(listener)
      current.options.delete(options)
      if (current.listeners.size === 0 && this.#subscriptions.get(event) === current) {
        this.#subscriptions.delete(event)
        this.call('rpc.unsubscribe', { event }, undefined).catch(() => undefined)
      }
    }
    const ready = current.ready
    // `ready` is for whoever awaits it; an unobserved refusal is reported through onError only.
    ready.catch(() => undefined)
    return Object.assign(unsubscribe, { ready })
  }

  dispose(): void {
    this.#failAll(new RpcError('CANCELLED', 'The client was disposed'))
    this.#subscriptions.clear()
    this.#stopListening()
  }

  async #subscribe(event: string, subscription: EventSubscription): Promise<void> {
    try {
      await this.call('rpc.subscribe', { event }, undefined)
    } catch (error) {
      const rpcError = error instanceof RpcError ? error : new RpcError('INTERNAL', String(error))
      if (this.#subscriptions.get(event) === subscription) this.#subscriptions.delete(event)
      for (const options of subscription.options) options.onError?.(rpcError)
      throw rpcError
    }
  }

  /** A host message: an answer settles its calls, an event reaches its listeners. Anything else is ignored. */
  #receive(message: unknown): void {
    if (isResponseMessage(message)) this.#settle(message)
    else if (isBatchResponseMessage(message)) this.#settleBatch(message)
    else if (isEventMessage(message)) this.#onEvent(message.event, message.payload)
  }

  #onEvent(event: string, payload: unknown): void {
    if (event === SUBSCRIPTION_ENDED) {
      const { event: ended, reason } = (payload ?? {}) as { event?: string; reason?: string }
      const subscription = ended === undefined ? undefined : this.#subscriptions.get(ended)
      if (!subscription || ended === undefined) return
      this.#subscriptions.delete(ended)
      for (const options of subscription.options) options.onEnd?.(reason ?? 'ended')
    } else if (event === RECONNECTED_EVENT) {
      for (const [name, subscription] of this.#subscriptions) {
        subscription.ready = this.#subscribe(name, subscription)
        subscription.ready.catch(() => undefined)
      }
    } else if (event === DISCONNECTED_EVENT) {
      const { reason } = (payload ?? {}) as { reason?: unknown }
      this.#failAll(new RpcError('UNAVAILABLE', `The connection to the host was lost${typeof reason === 'string' ? ` (${reason})` : ''}`))
    } else {
      const subscription = this.#subscriptions.get(event)
      if (subscription === undefined) return
      for (const listener of [...subscription.listeners]) {
        try {
          listener(payload)
        } catch (error) {
          // A listener's bug must not stop delivery to the others, nor vanish.
          setTimeout(() => {
            throw error
          }, 0)
        }
      }
    }
  }

  #flush(): void {
    this.#scheduled = false
    const requests = this.#queue
    this.#queue = []
    // Calls abandoned before the flush (cancelled in the same tick) need not travel.
    const live = this.#abandonedInQueue ? requests.filter((request) => this.#pending.has(request.id)) : requests
    this.#abandonedInQueue = false
    if (live.length <= this.#maxBatchSize) {
      if (live.length > 0) this.#send(live)
      return
    }
    for (let start = 0; start < live.length; start += this.#maxBatchSize) this.#send(live.slice(start, start + this.#maxBatchSize))
  }

  #send(requests: RequestMessage[]): void {
    let message: RequestMessage | BatchMessage
    if (requests.length === 1) message = requests[0] as RequestMessage
    else {
      const id = ++this.#nextId
      message = { kind: 'batch', id, requests }
      this.#batches.set(id, requests)
    }
    try {
      this.#bridge.send(PROTOCOL_METHOD, message)
    } catch (error) {
      // Nothing travelled: params that cannot be cloned, or a transport that is down.
      if (message.kind === 'batch') this.#batches.delete(message.id as number)
      for (const request of requests) this.#settleError(request.id, fromTransportFailure(error, request.method))
    }
  }

  #settle(response: ResponseMessage): void {
    if (response.id === null) return
    if (response.ok) {
      const pending = this.#take(response.id)
      pending?.resolve(response.result)
      return
    }
    const refusedBatch = this.#batches.get(response.id)
    if (refusedBatch === undefined) return this.#settleError(response.id, RpcError.fromShape(response.error))
    // The batch was refused whole (too large, over the rate limit...): each of its calls fails with it.
    this.#batches.delete(response.id)
    for (const request of refusedBatch) this.#settleError(request.id, RpcError.fromShape(response.error))
  }

  #settleBatch(message: BatchResponseMessage): void {
    for (const response of message.responses) this.#settle(response)
    if (message.id === undefined) return
    const requests = this.#batches.get(message.id)
    if (requests === undefined) return
    this.#batches.delete(message.id)
    // Only a call the reply left unanswered gets an error: building one per call answered (an Error
    // captures a stack trace) cost more than the rest of the client's work on a small call (measured:
    // scenario 4, where it was the main thread's top JavaScript function by self time).
    for (const request of requests) {
      if (this.#pending.has(request.id)) {
        this.#settleError(request.id, new RpcError('INTERNAL', `No answer to ${request.method} in the host's reply`))
      }
    }
  }

  #settleError(id: RequestId, error: RpcError): void {
    this.#take(id)?.reject(error)
  }

  #failAll(error: RpcError): void {
    this.#batches.clear()
    for (const id of [...this.#pending.keys()]) this.#settleError(id, error)
  }

  /** Gives up on a call here and tells the host to stop it. */
  #abandon(id: number, error: RpcError, reason: CancelMessage['reason'] = 'cancelled'): void {
    const pending = this.#take(id)
    if (!pending) return
    if (this.#scheduled) this.#abandonedInQueue = true
    pending.reject(error)
    const cancel: CancelMessage = { kind: 'cancel', id, reason }
    try {
      this.#bridge.send(PROTOCOL_METHOD, cancel)
    } catch {
      // The transport is gone: nothing to cancel there.
    }
  }

  #take(id: RequestId): Pending | undefined {
    const pending = this.#pending.get(id)
    if (!pending) return undefined
    this.#pending.delete(id)
    if (pending.timer !== undefined) clearTimeout(pending.timer)
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort)
    return pending
  }
}

export function createRPCClient<T, V extends ClientView = 'renderer'>(
  bridge: AtomitonBridge,
  options: ClientOptions = {},
): RpcClient<T, V> {
  const core = new ClientCore(bridge, options)
  const domains = new Map<string, object>()
  const methods = {
    $on: (event: string, listener: (payload: unknown) => void, subscribeOptions?: SubscribeOptions) =>
      core.on(event, listener, subscribeOptions),
    $call: (method: string, params?: unknown, callOptions?: CallOptions) => core.call(method, params, callOptions),
    $dispose: () => core.dispose(),
  }

  const domainProxy = (domain: string): object => {
    const callers = new Map<string, (input?: unknown, callOptions?: CallOptions) => Promise<unknown>>()
    return new Proxy(Object.create(null) as object, {
      get(_target, key) {
        if (typeof key !== 'string') return undefined
        if (key === '__v_skip') return true
        if (isInertKey(key)) return undefined
        let caller = callers.get(key)
        if (!caller) {
          const method = `${domain}.${key}`
          caller = (input?: unknown, callOptions?: CallOptions) => core.call(method, input, callOptions)
          callers.set(key, caller)
        }
        return caller
      },
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    })
  }

  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined
      if (key === '__v_skip') return true
      if (key === '$on' || key === '$call' || key === '$dispose') return methods[key]
      if (isInertKey(key) || key.startsWith('$')) return undefined
      let proxy = domains.get(key)
      if (!proxy) domains.set(key, (proxy = domainProxy(key)))
      return proxy
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as RpcClient<T, V>
}
