/**
 * One call in flight, and the handler's view of it (`HandlerContext`: caller, method, signal, logger,
 * services, settings, emit, call, client, and nothing of the call's machinery). Its AbortController is made
 * only when a handler looks at `signal`; it settles exactly once, with the handler's answer, or earlier when
 * it is cancelled, timed out or its plugin is disabled.
 */
import { RpcError, type ErrorShape } from '../common/errors'
import { failure, type RequestId, type RequestMessage, type ResponseMessage } from '../common/protocol'
import type { CallContext, CallOptions } from '../plugin/definition'
import type { ApiDescription, ContractClient } from '../plugin/contract'
import { contractClient } from '../plugin/contract-client'
import type { Caller } from './caller'
import type { Expirable } from './deadlines'
import { toErrorShape } from './error-mapping'
import type { CallInfo } from './hooks'
import type { Logger } from './logger'
import type { RouteEntry, Router, Subscriber } from './router'

/** One call in flight. */
export class ActiveCall implements CallContext<unknown>, CallInfo, Expirable {
  readonly caller: Caller
  readonly method: string
  readonly id: RequestId
  readonly entry: RouteEntry
  readonly subscriber: Subscriber | undefined
  deadline = Infinity
  startedAt = 0
  #controller: AbortController | undefined
  #abortReason: RpcError | undefined
  #logger: Logger | undefined
  #settled = false
  #resolve!: (response: ResponseMessage) => void
  readonly #router: Router
  readonly #inflight: Map<RequestId, ActiveCall> | undefined

  constructor(
    router: Router,
    caller: Caller,
    request: RequestMessage,
    entry: RouteEntry,
    subscriber: Subscriber | undefined,
    inflight: Map<RequestId, ActiveCall> | undefined,
  ) {
    this.#router = router
    this.caller = caller
    this.method = request.method
    this.id = request.id
    this.entry = entry
    this.subscriber = subscriber
    this.#inflight = inflight
  }

  get plugin(): string {
    return this.entry.plugin.id
  }

  /** Created on first use: most handlers never look at it, and an AbortController is not free. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#abortReason) this.#controller.abort(this.#abortReason)
    }
    return this.#controller.signal
  }

  get logger(): Logger {
    return (this.#logger ??= this.entry.plugin.logger.child({ method: this.method, caller: this.caller.id }))
  }

  get services(): unknown {
    return this.entry.plugin.services
  }

  get settings(): CallContext<unknown>['settings'] {
    return this.entry.plugin.settings as CallContext<unknown>['settings']
  }

  get settled(): boolean {
    return this.#settled
  }

  emit(event: string, payload: unknown): void {
    this.entry.plugin.emit(event, payload)
  }

  call(target: any, params?: unknown, options?: CallOptions): Promise<any> {
    return this.entry.plugin.call(target, params, { signal: this.signal, ...options })
  }

  /** Calls made through it carry this call's signal, like `call`. */
  client<C extends ApiDescription>(contract: C): ContractClient<C> {
    return contractClient(contract, (method, params, options) => this.call(method, params, options))
  }

  /** Stops the call: the handler's signal fires with `reason`, and the caller is answered with it now. */
  abort(reason: RpcError): void {
    if (this.#settled) return
    this.#abortReason = reason
    this.#controller?.abort(reason)
    this.settle(failure(this.id, reason.toShape()))
  }

  expire(): void {
    this.abort(new RpcError('TIMEOUT', `${this.method} timed out`))
  }

  /**
   * @internal Runs the handler. Answers synchronously when the handler does (the common case of a
   * small procedure), otherwise tracks the call until its promise settles.
   *
   * Why two paths (measured, see docs/benchmarks.md, scenario 1): a call answered before its handler
   * returns can be neither cancelled, nor timed out, nor aborted by its plugin being disabled (each of
   * these happens on a later turn of the event loop), so registering it in the procedure's in-flight
   * set, the connection's map and the deadline timer, and wrapping its answer in a `new Promise` with a
   * resolve closure, was pure cost. Only a handler that returns a promise is tracked, from then on.
   */
  start(input: unknown, timeoutMs: number): ResponseMessage | Promise<ResponseMessage> {
    let result: unknown
    try {
      result = this.entry.procedure.handler(input, new HandlerContext(this))
      // A thenable (an object with a `then` method) is awaited like a promise, not answered as a value.
      if (!(result instanceof Promise) && !isThenable(result)) return this.#answerNow(this.#router.answer(this, result))
    } catch (error) {
      return this.#answerNow(this.#failure(error))
    }
    this.deadline = Date.now() + timeoutMs
    this.entry.inflight.add(this)
    this.#inflight?.set(this.id, this)
    this.#router.deadlines.add(this)
    const pending = result instanceof Promise ? result : Promise.resolve(result)
    return new Promise<ResponseMessage>((resolve) => {
      this.#resolve = resolve
      // Neither callback can throw (see #settleWith), so this chain never leaves a promise unhandled.
      try {
        pending.then(
          (value) => this.#settleWith(() => this.#router.answer(this, value)),
          (error) => this.#settleWith(() => this.#failure(error)),
        )
      } catch (error) {
        // A Promise subclass whose own `then` throws.
        this.#settleWith(() => this.#failure(error))
      }
    })
  }

  #answerNow(response: ResponseMessage): ResponseMessage {
    this.#settled = true
    return this.#router.finish(this, response)
  }

  /**
   * Settles with what `outcome` builds. Already answered (aborted, timed out): whatever the handler
   * answers afterwards is not reported. If building the answer itself fails (a logger that throws on the
   * handler's error...), the caller still gets INTERNAL now rather than waiting out its time limit.
   */
  #settleWith(outcome: () => ResponseMessage): void {
    if (this.#settled) return
    let response: ResponseMessage
    try {
      response = outcome()
    } catch (error) {
      response = this.#router.crashed(this.id, this.method, error)
    }
    this.settle(response)
  }

  #failure(error: unknown): ResponseMessage {
    const shape: ErrorShape = toErrorShape(error, this.#router.config.exposeErrors, this.entry.plugin.logger, {
      method: this.method,
      caller: this.caller.id,
    })
    return failure(this.id, shape)
  }

  private settle(response: ResponseMessage): void {
    if (this.#settled) return
    this.#settled = true
    this.entry.inflight.delete(this)
    if (this.#inflight?.get(this.id) === this) this.#inflight.delete(this.id)
    this.#router.deadlines.delete(this)
    this.#router.finish(this, response)
    this.#resolve(response)
  }
}

/**
 * What a handler gets as `ctx`: the call as CallContext describes it, and nothing else. Not the ActiveCall
 * itself, whose subscriber would let a handler deliver made-up events of any domain to its caller, and whose
 * abort, entry and start are the router's.
 */
class HandlerContext implements CallContext<unknown> {
  readonly #call: ActiveCall

  constructor(call: ActiveCall) {
    this.#call = call
  }

  /** The connection a handler's call came through, for the host's own `rpc.subscribe` (not a plugin's to reach). */
  static subscriberOf(ctx: unknown): Subscriber | undefined {
    return ctx instanceof HandlerContext ? ctx.#call.subscriber : undefined
  }

  get caller(): Caller {
    return this.#call.caller
  }

  get method(): string {
    return this.#call.method
  }

  get signal(): AbortSignal {
    return this.#call.signal
  }

  get logger(): Logger {
    return this.#call.logger
  }

  get services(): unknown {
    return this.#call.services
  }

  get settings(): CallContext<unknown>['settings'] {
    return this.#call.settings
  }

  emit(event: string, payload: unknown): void {
    this.#call.emit(event, payload)
  }

  call(target: any, params?: unknown, options?: CallOptions): Promise<any> {
    return this.#call.call(target, params, options)
  }

  client<C extends ApiDescription>(contract: C): ContractClient<C> {
    return this.#call.client(contract)
  }
}

/** The connection the call behind a handler's `ctx` came through (undefined in process). */
export function subscriberOfHandler(ctx: unknown): Subscriber | undefined {
  return HandlerContext.subscriberOf(ctx)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
