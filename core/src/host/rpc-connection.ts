/**
 * The host side of one connection: turns the peer's `invoke`/`send` into dispatches, keeps the peer's
 * calls in flight (so a cancel finds them) and its subscriptions, and cleans both up when it closes.
 */
import { describeError } from '../common/describe-error'
import { RpcError, type ErrorShape } from '../common/errors'
import {
  failure,
  isBatchMessage,
  isCancelMessage,
  isRequestMessage,
  PROTOCOL_METHOD,
  type BatchMessage,
  type BatchResponseMessage,
  type RequestId,
  type RequestMessage,
  type ResponseMessage,
} from '../common/protocol'
import type { Caller } from './caller'
import type { ConnectOptions, HostConnection } from './connection'
import type { EventBus } from './event-bus'
import type { HostHooks } from './hooks'
import type { Logger } from './logger'
import type { ActiveCall } from './active-call'
import type { Router, Subscriber } from './router'

export interface ConnectionLimits {
  /** Most requests one batch may carry. */
  readonly maxBatchSize: number
}

export interface ConnectionDependencies {
  readonly router: Router
  readonly eventBus: EventBus
  readonly hooks: HostHooks
  readonly logger: Logger
  readonly limits: ConnectionLimits
}

let connectionCount = 0

/** What a connection answers a peer's invoke with. */
export type Answer = ResponseMessage | BatchResponseMessage

/**
 * For transports: the connection's answer, synchronously when it is known at once and the connection is
 * this package's own (`RpcConnection.answer`); otherwise `connection.invoke`'s promise.
 */
export function answerOf(connection: HostConnection, method: string, params: unknown): Answer | Promise<Answer> {
  return connection instanceof RpcConnection ? connection.answer(method, params) : connection.invoke(method, params)
}

export class RpcConnection implements HostConnection, Subscriber {
  readonly id: string
  readonly caller: Caller
  readonly #deliver: ConnectOptions['deliver']
  readonly #reply: ConnectOptions['reply']
  readonly #deps: ConnectionDependencies
  readonly #inflight = new Map<RequestId, ActiveCall>()
  #shorthandIds = 0
  #closed = false

  constructor(options: ConnectOptions, deps: ConnectionDependencies) {
    this.id = `connection:${++connectionCount}:${options.caller.id}`
    this.caller = options.caller
    this.#deliver = options.deliver
    this.#reply = options.reply
    this.#deps = deps
  }

  get closed(): boolean {
    return this.#closed
  }

  get inflightCount(): number {
    return this.#inflight.size
  }

  deliver(event: string, payload: unknown): void {
    if (!this.#closed) this.#deliver(event, payload)
  }

  invoke(method: string, params: unknown): Promise<ResponseMessage | BatchResponseMessage> {
    const answer = this.answer(method, params)
    return answer instanceof Promise ? answer : Promise.resolve(answer)
  }

  /**
   * `invoke`, without the promise when the answer is known at once (see `Router.route`): the transports
   * of this package use it through `answerOf`, so a small synchronous call is answered in the same turn,
   * with no promise, no `then` closures and no microtask between the request and the reply, and a batch
   * of synchronous calls is assembled without one promise per request and a `Promise.all` (measured: the
   * host's time for a batch of 1,000 small calls, ~0.27 ms -> ~0.17 ms; see docs/benchmarks.md, scenario 3).
   * Never throws: an envelope that cannot even be read (a Proxy, a getter that throws, passed in process;
   * nothing that crossed a transport can be one) answers BAD_REQUEST.
   */
  answer(method: string, params: unknown): Answer | Promise<Answer> {
    try {
      return this.#answer(method, params)
    } catch (error) {
      this.#deps.logger.warn({ err: describeError(error), connection: this.id }, 'Refused an unreadable message')
      return failure(null, UNREADABLE)
    }
  }

  /**
   * Failures are envelopes; the router answers each request, so one that fails inside a batch leaves the
   * others' outcomes as they were.
   */
  #answer(method: string, params: unknown): Answer | Promise<Answer> {
    if (this.#closed) return failure(null, { code: 'UNAVAILABLE', message: 'Connection closed' })
    const { router } = this.#deps
    if (method !== PROTOCOL_METHOD) {
      if (typeof method !== 'string') return failure(null, { code: 'BAD_REQUEST', message: 'method must be a string' })
      // Shorthand `invoke('domain.method', params)`: answered with a plain response envelope.
      return router.route(this.caller, { kind: 'request', id: `local-${++this.#shorthandIds}`, method, params }, this, this.#inflight)
    }
    if (isRequestMessage(params)) return router.route(this.caller, params, this, this.#inflight)
    if (isBatchMessage(params)) {
      const { requests } = params
      // Read once: a Proxy passed in process could answer a different length each time.
      const count = requests.length
      if (count > this.#deps.limits.maxBatchSize) {
        return failure(params.id ?? null, {
          code: 'PAYLOAD_TOO_LARGE',
          message: `A batch may carry at most ${this.#deps.limits.maxBatchSize} requests (got ${count})`,
        })
      }
      const responses = new Array<ResponseMessage>(count)
      let waiting: Promise<void>[] | undefined
      for (let i = 0; i < count; i++) {
        const response = this.#batchItem(requests, i)
        if (response instanceof Promise) {
          waiting ??= []
          waiting.push(response.then((settled) => void (responses[i] = settled)))
        } else responses[i] = response
      }
      const batch: BatchResponseMessage = params.id === undefined ? { kind: 'batch', responses } : { kind: 'batch', id: params.id, responses }
      return waiting === undefined ? batch : Promise.all(waiting).then(() => batch)
    }
    return failure(idOf(params), { code: 'BAD_REQUEST', message: 'Expected a request or a batch' })
  }

  /** One request of a batch, answered alone: an unreadable one fails by itself. */
  #batchItem(requests: readonly unknown[], index: number): ResponseMessage | Promise<ResponseMessage> {
    let request: unknown
    try {
      request = requests[index]
      if (isRequestMessage(request)) return this.#deps.router.route(this.caller, request, this, this.#inflight)
    } catch {
      return failure(null, UNREADABLE)
    }
    return failure(idOf(request), { code: 'BAD_REQUEST', message: 'Malformed request in batch' })
  }

  /** Never throws (the contract of `HostConnection.send`): what cannot be read is logged and dropped. */
  send(method: string, params: unknown): void {
    try {
      this.#send(method, params)
    } catch (error) {
      this.#deps.logger.warn({ err: describeError(error), connection: this.id }, 'Ignored an unreadable one-way message')
    }
  }

  #send(method: string, params: unknown): void {
    if (this.#closed) return
    if (method === PROTOCOL_METHOD) {
      if (isRequestMessage(params) || isBatchMessage(params)) {
        this.#answerOneWay(params)
      } else if (isCancelMessage(params)) {
        const call = this.#inflight.get(params.id)
        call?.abort(
          params.reason === 'timeout'
            ? new RpcError('TIMEOUT', `${call.method} timed out (the caller's limit)`)
            : new RpcError('CANCELLED', 'Cancelled by the caller'),
        )
      } else {
        this.#deps.logger.warn({ connection: this.id }, 'Ignored a malformed one-way protocol message')
      }
      return
    }
    if (typeof method !== 'string') return
    // A one-way call: nobody waits for it, so a failure is only logged.
    void this.#deps.router
      .dispatch(this.caller, { kind: 'request', id: `send-${++this.#shorthandIds}`, method, params }, this)
      .then((response) => {
        if (!response.ok) this.#deps.logger.warn({ method, error: response.error, connection: this.id }, 'One-way call failed')
      })
  }

  /** A request or batch sent one way (the protocol's usual path): its answer goes to `reply`, in this turn when known at once. */
  #answerOneWay(message: RequestMessage | BatchMessage): void {
    const reply = this.#reply
    if (reply === undefined) {
      this.#deps.logger.warn({ connection: this.id }, 'Dropped a one-way request: this connection has no reply channel')
      return
    }
    const answer = this.answer(PROTOCOL_METHOD, message)
    const push = (settled: Answer): void => {
      if (this.#closed) return
      try {
        reply(settled)
      } catch (error) {
        this.#deps.logger.error({ err: describeError(error), connection: this.id }, 'A reply could not be pushed to the peer')
      }
    }
    if (!(answer instanceof Promise)) return push(answer)
    answer.then(push, (error: unknown) => {
      this.#deps.logger.error({ err: describeError(error), connection: this.id }, 'An answer failed to settle')
    })
  }

  close(reason = 'disconnected'): void {
    if (this.#closed) return
    this.#closed = true
    const cancelled = new RpcError('CANCELLED', `Connection closed (${reason})`)
    for (const call of [...this.#inflight.values()]) call.abort(cancelled)
    this.#inflight.clear()
    const ended = this.#deps.eventBus.unsubscribeAll(this)
    this.#deps.logger.debug({ connection: this.id, reason, subscriptions: ended }, 'Connection closed')
    try {
      this.#deps.hooks.connectionClosed.hook.call(this.caller)
    } catch (error) {
      this.#deps.logger.error({ err: describeError(error) }, 'A connectionClosed tap failed')
    }
  }
}

const UNREADABLE: ErrorShape = Object.freeze({
  code: 'BAD_REQUEST',
  message: 'Malformed request: it could not be read (a getter threw, or a Proxy refused)',
})

function idOf(value: unknown): RequestId | null {
  try {
    const id = (value as { id?: unknown } | null)?.id
    return typeof id === 'string' || typeof id === 'number' ? id : null
  } catch {
    return null
  }
}
