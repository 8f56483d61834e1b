/**
 * The host side of one connection: turns the peer's `invoke`/`send` into dispatches, keeps the peer's
 * calls in flight (so a cancel finds them) and its subscriptions, and cleans both up when it closes.
 */
import { RpcError } from '../common/errors'
import {
  failure,
  isBatchMessage,
  isCancelMessage,
  isRequestMessage,
  PROTOCOL_METHOD,
  type BatchResponseMessage,
  type RequestId,
  type ResponseMessage,
} from '../common/protocol'
import type { Caller } from './caller'
import type { ConnectOptions, HostConnection } from './connection'
import type { EventBus } from './event-bus'
import type { HostHooks } from './hooks'
import type { Logger } from './logger'
import type { ActiveCall, Router, Subscriber } from './router'

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

export class RpcConnection implements HostConnection, Subscriber {
  readonly id: string
  readonly caller: Caller
  readonly #deliver: ConnectOptions['deliver']
  readonly #deps: ConnectionDependencies
  readonly #inflight = new Map<RequestId, ActiveCall>()
  #shorthandIds = 0
  #closed = false

  constructor(options: ConnectOptions, deps: ConnectionDependencies) {
    this.id = `connection:${++connectionCount}:${options.caller.id}`
    this.caller = options.caller
    this.#deliver = options.deliver
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
    if (this.#closed) return Promise.resolve(failure(null, { code: 'UNAVAILABLE', message: 'Connection closed' }))
    const { router } = this.#deps
    if (method !== PROTOCOL_METHOD) {
      if (typeof method !== 'string') return Promise.resolve(failure(null, { code: 'BAD_REQUEST', message: 'method must be a string' }))
      // Shorthand `invoke('domain.method', params)`: answered with a plain response envelope.
      return router.dispatch(this.caller, { kind: 'request', id: `local-${++this.#shorthandIds}`, method, params }, this, this.#inflight)
    }
    if (isRequestMessage(params)) return router.dispatch(this.caller, params, this, this.#inflight)
    if (isBatchMessage(params)) {
      const { requests } = params
      if (requests.length > this.#deps.limits.maxBatchSize) {
        return Promise.resolve(
          failure(null, {
            code: 'PAYLOAD_TOO_LARGE',
            message: `A batch may carry at most ${this.#deps.limits.maxBatchSize} requests (got ${requests.length})`,
          }),
        )
      }
      const pending = requests.map((request) =>
        isRequestMessage(request)
          ? router.dispatch(this.caller, request, this, this.#inflight)
          : Promise.resolve(failure(idOf(request), { code: 'BAD_REQUEST', message: 'Malformed request in batch' })),
      )
      return Promise.all(pending).then((responses): BatchResponseMessage => ({ kind: 'batch', responses }))
    }
    return Promise.resolve(failure(idOf(params), { code: 'BAD_REQUEST', message: 'Expected a request or a batch' }))
  }

  send(method: string, params: unknown): void {
    if (this.#closed) return
    if (method === PROTOCOL_METHOD) {
      if (isCancelMessage(params)) {
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
      this.#deps.logger.error({ err: error }, 'A connectionClosed tap failed')
    }
  }
}

function idOf(value: unknown): RequestId | null {
  const id = (value as { id?: unknown } | null)?.id
  return typeof id === 'string' || typeof id === 'number' ? id : null
}
