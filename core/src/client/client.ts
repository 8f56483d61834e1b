/**
 * `createRPCClient(bridge)`: the typed Proxy client. `rpc.domain.method(input, { signal, timeoutMs })`.
 *
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
  isBatchResponseMessage,
  isResponseMessage,
  PROTOCOL_METHOD,
  RECONNECTED_EVENT,
  type CancelMessage,
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
   * Most requests in one batch message: more same-tick calls travel as several batches. Default 1,000,
   * the host's default `maxBatchSize` (a larger batch would be refused whole, PAYLOAD_TOO_LARGE).
   */
  readonly maxBatchSize?: number
}

/** The host's default `maxBatchSize`, and so the client's. */
export const DEFAULT_MAX_BATCH_SIZE = 1000

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
  readonly stopListening: () => void
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
  readonly #pending = new Map<number, Pending>()
  readonly #subscriptions = new Map<string, EventSubscription>()
  #queue: RequestMessage[] = []
  #scheduled = false
  /** A queued call was abandoned before the flush: the flush must drop it (rare; skips a filter otherwise). */
  #abandonedInQueue = false
  /** Bound once: a closure per flush is allocation on every tick that makes calls. */
  readonly #flushQueue = (): void => this.#flush()
  #nextId = 0
  #stopProtocolListeners: (() => void) | undefined

  constructor(bridge: AtomitonBridge, options: ClientOptions) {
    this.#bridge = bridge
    this.#batch = options.batch ?? true
    this.#timeoutMs = options.timeoutMs
    this.#maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE
    if (!Number.isSafeInteger(this.#maxBatchSize) || this.#maxBatchSize < 1) {
      throw new TypeError(`maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}`)
    }
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
    this.#listenToProtocolEvents()
    let subscription = this.#subscriptions.get(event)
    if (!subscription) {
      const listeners = new Set<(payload: unknown) => void>()
      subscription = {
        listeners,
        options: new Set(),
        stopListening: this.#bridge.on(event, (payload) => {
          for (const each of [...listeners]) each(payload)
        }),
        ready: Promise.resolve(),
      }
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
        current.stopListening()
        this.call('rpc.unsubscribe', { event }, undefined).catch(() => undefined)
      }
    }
    const ready = current.ready
    // `ready` is for whoever awaits it; an unobserved refusal is reported through onError only.
    ready.catch(() => undefined)
    return Object.assign(unsubscribe, { ready })
  }

  dispose(): void {
    for (const id of [...this.#pending.keys()]) this.#abandon(id, new RpcError('CANCELLED', 'The client was disposed'))
    for (const subscription of this.#subscriptions.values()) subscription.stopListening()
    this.#subscriptions.clear()
    this.#stopProtocolListeners?.()
    this.#stopProtocolListeners = undefined
  }

  async #subscribe(event: string, subscription: EventSubscription): Promise<void> {
    try {
      await this.call('rpc.subscribe', { event }, undefined)
    } catch (error) {
      const rpcError = error instanceof RpcError ? error : new RpcError('INTERNAL', String(error))
      if (this.#subscriptions.get(event) === subscription) {
        this.#subscriptions.delete(event)
        subscription.stopListening()
      }
      for (const options of subscription.options) options.onError?.(rpcError)
      throw rpcError
    }
  }

  #listenToProtocolEvents(): void {
    if (this.#stopProtocolListeners) return
    const stopEnded = this.#bridge.on(SUBSCRIPTION_ENDED, (payload) => {
      const { event, reason } = (payload ?? {}) as { event?: string; reason?: string }
      const subscription = event === undefined ? undefined : this.#subscriptions.get(event)
      if (!subscription || event === undefined) return
      this.#subscriptions.delete(event)
      subscription.stopListening()
      for (const options of subscription.options) options.onEnd?.(reason ?? 'ended')
    })
    const stopReconnected = this.#bridge.on(RECONNECTED_EVENT, () => {
      for (const [event, subscription] of this.#subscriptions) {
        subscription.ready = this.#subscribe(event, subscription)
        subscription.ready.catch(() => undefined)
      }
    })
    this.#stopProtocolListeners = () => {
      stopEnded()
      stopReconnected()
    }
  }

  #flush(): void {
    this.#scheduled = false
    const requests = this.#queue
    this.#queue = []
    // Calls abandoned before the flush (cancelled in the same tick) need not travel.
    const live = this.#abandonedInQueue ? requests.filter((request) => this.#pending.has(request.id as number)) : requests
    this.#abandonedInQueue = false
    if (live.length <= this.#maxBatchSize) {
      if (live.length > 0) this.#send(live)
      return
    }
    for (let start = 0; start < live.length; start += this.#maxBatchSize) this.#send(live.slice(start, start + this.#maxBatchSize))
  }

  #send(requests: RequestMessage[]): void {
    const message = requests.length === 1 ? requests[0] : { kind: 'batch' as const, requests }
    let reply: Promise<unknown>
    try {
      reply = this.#bridge.invoke(PROTOCOL_METHOD, message)
    } catch (error) {
      reply = Promise.reject(error)
    }
    reply.then(
      (value) => this.#receive(requests, value),
      (error) => {
        for (const request of requests) this.#settleError(request.id as number, fromTransportFailure(error, request.method))
      },
    )
  }

  #receive(requests: RequestMessage[], value: unknown): void {
    if (isBatchResponseMessage(value)) {
      for (const response of value.responses) this.#settle(response)
    } else if (isResponseMessage(value)) {
      if (value.id === null && !value.ok) {
        for (const request of requests) this.#settleError(request.id as number, RpcError.fromShape(value.error))
      } else this.#settle(value)
    }
    // Only a call the reply left unanswered gets an error: building one per call answered (an Error
    // captures a stack trace) cost more than the rest of the client's work on a small call (measured:
    // scenario 4, where it was the main thread's top JavaScript function by self time, and the typed call
    // cost ~17 µs more than a bare `bridge.invoke`; now about the same).
    for (const request of requests) {
      if (this.#pending.has(request.id as number)) {
        this.#settleError(request.id as number, new RpcError('INTERNAL', `No answer to ${request.method} in the host's reply`))
      }
    }
  }

  #settle(response: ResponseMessage): void {
    if (typeof response.id !== 'number') return
    if (response.ok) {
      const pending = this.#take(response.id)
      pending?.resolve(response.result)
    } else this.#settleError(response.id, RpcError.fromShape(response.error))
  }

  #settleError(id: number, error: RpcError): void {
    this.#take(id)?.reject(error)
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

  #take(id: number): Pending | undefined {
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
