/**
 * The central router: the single source of truth for routing, permissions, validation and errors.
 *
 * Dispatch: resolve `domain.method` in a Map (never through a prototype: `__proto__`, `constructor`,
 * `toString` are simply unknown) -> check the caller may see and call it -> the `callStart` hook (rate
 * limiting, auditing) -> validate the input with the procedure's zod schema -> run the handler with its
 * context -> validate the output (outside production by default) -> answer an envelope. Never throws.
 */
import { z } from 'zod'
import { describeError } from '../common/describe-error'
import { RpcError, type ErrorShape } from '../common/errors'
import { failure, success, type RequestId, type RequestMessage, type ResponseMessage } from '../common/protocol'
import { ActiveCall } from './active-call'
import type { CallOptions, Procedure, Schema } from '../plugin/definition'
import { isGranted, type Caller } from './caller'
import { Deadlines } from './deadlines'
import { INTERNAL, invalidParams } from './error-mapping'
import type { DomainRegistration, HostHooks } from './hooks'
import type { Logger } from './logger'
import type { PluginHandle } from './plugin-handle'

export interface RouterConfig {
  /** Applies to procedures that set no `timeoutMs`. */
  readonly defaultTimeoutMs: number
  /** Validate handler results against their output schema. */
  readonly validateOutput: boolean
  /** Development only: send internal error messages and stacks to callers. */
  readonly exposeErrors: boolean
}

export interface RouteEntry {
  readonly method: string
  readonly domain: string
  readonly name: string
  readonly procedure: Procedure
  readonly permission: string
  readonly plugin: PluginHandle
  readonly inflight: Set<ActiveCall>
}

/** Who receives events for a caller: a connection (in-process callers have none). */
export interface Subscriber {
  readonly id: string
  readonly caller: Caller
  deliver(event: string, payload: unknown): void
}

/** Explains a method that is not routed: e.g. its plugin is disabled. Set by the plugin host. */
export type MissingMethodExplainer = (domain: string, name: string, caller: Caller) => RpcError | undefined

/**
 * zod's `safeParse`, except for values zod cannot even read: a getter that throws or a Proxy makes zod
 * throw instead of reporting an issue. Those (only ever from in-process callers or handlers: nothing
 * that crosses a transport has getters) answer `undefined`.
 */
function parseSafely(schema: Schema, value: unknown): z.ZodSafeParseResult<unknown> | undefined {
  try {
    return z.safeParse(schema, value)
  } catch {
    return undefined
  }
}

const UNREADABLE_PARAMS: ErrorShape = Object.freeze({
  code: 'INVALID_PARAMS',
  message: 'Invalid params: they could not be read (a getter threw, or a Proxy refused)',
  data: { issues: [] },
})

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer delay fires after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647

/**
 * Checks a configured time limit (the host's default, a procedure's own). `Infinity` would silently turn
 * the limit off, `0`, a negative or NaN would time every call out at once, and past Node's timer range
 * the timer fires at once too: each is refused with a clear error.
 */
export function checkTimeLimit(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be a number of milliseconds greater than 0 and at most ${MAX_TIMER_MS} (got ${String(value)})`)
  }
}

/** The result of an in-process call, or the RpcError it answered with. */
function unwrap(response: ResponseMessage): unknown {
  if (response.ok) return response.result
  throw RpcError.fromShape(response.error)
}

export interface RouterDependencies {
  readonly hooks: HostHooks
  readonly logger: Logger
  readonly routerConfig: RouterConfig
}

export class Router {
  readonly #routes = new Map<string, RouteEntry>()
  readonly #domains = new Map<string, RouteEntry[]>()
  readonly #hooks: HostHooks
  readonly #logger: Logger
  readonly config: RouterConfig
  readonly deadlines = new Deadlines()
  #localIds = 0
  explainMissing: MissingMethodExplainer = () => undefined
  /**
   * While the host is still starting a plugin (an installed package activating in the background), a
   * promise that settles when it is up (undefined) or was refused (its error): a call to it waits for that,
   * within the call's own time limit, instead of being refused at once. Set by `createHost`.
   */
  awaitActivation: (domain: string) => Promise<RpcError | undefined> | undefined = () => undefined

  constructor({ hooks, logger, routerConfig }: RouterDependencies) {
    this.#hooks = hooks
    this.#logger = logger
    this.config = routerConfig
    hooks.registerDomain.tap({ name: 'router', owner: 'host', stage: -10 }, (registration) => this.register(registration))
    hooks.unregisterDomain.tap({ name: 'router', owner: 'host', stage: 10 }, (domain) => this.unregister(domain))
  }

  get size(): number {
    return this.#routes.size
  }

  has(method: string): boolean {
    return this.#routes.has(method)
  }

  get(method: string): RouteEntry | undefined {
    return this.#routes.get(method)
  }

  entries(): IterableIterator<RouteEntry> {
    return this.#routes.values()
  }

  domains(): IterableIterator<string> {
    return this.#domains.keys()
  }

  register({ domain, plugin, procedures }: DomainRegistration): void {
    if (this.#domains.has(domain)) throw new Error(`Domain "${domain}" is already registered`)
    for (const name of Object.keys(procedures)) {
      const limit = procedures[name]!.timeoutMs
      if (limit !== undefined) checkTimeLimit(`${domain}.${name}: timeoutMs`, limit)
    }
    const entries: RouteEntry[] = []
    for (const name of Object.keys(procedures)) {
      const procedure = procedures[name]!
      const method = `${domain}.${name}`
      const entry: RouteEntry = {
        method,
        domain,
        name,
        procedure,
        permission: procedure.permission ?? method,
        plugin,
        inflight: new Set(),
      }
      entries.push(entry)
      this.#routes.set(method, entry)
    }
    this.#domains.set(domain, entries)
  }

  /** Removes a domain; its calls in flight are aborted with PLUGIN_DISABLED. */
  unregister(domain: string): void {
    const entries = this.#domains.get(domain)
    if (!entries) return
    this.#domains.delete(domain)
    for (const entry of entries) {
      this.#routes.delete(entry.method)
      for (const call of [...entry.inflight]) {
        call.abort(new RpcError('PLUGIN_DISABLED', `Plugin "${domain}" was disabled during the call`, { plugin: domain }))
      }
    }
  }

  /**
   * Dispatches one request. Never rejects. `inflight` (a connection's map of calls by id) lets a cancel
   * message find the call; `subscriber` is the connection, for the subscription procedures.
   */
  dispatch(
    caller: Caller,
    request: RequestMessage,
    subscriber?: Subscriber,
    inflight?: Map<RequestId, ActiveCall>,
  ): Promise<ResponseMessage> {
    const answer = this.route(caller, request, subscriber, inflight)
    return answer instanceof Promise ? answer : Promise.resolve(answer)
  }

  /**
   * @internal `dispatch`, answering without a promise when the answer is known at once: a refusal, an
   * invalid input, or a handler that returned synchronously. Batches and in-process calls use it, so a
   * synchronous answer costs them no promise of its own. Never throws for a well-formed request.
   */
  route(
    caller: Caller,
    request: RequestMessage,
    subscriber?: Subscriber,
    inflight?: Map<RequestId, ActiveCall>,
  ): ResponseMessage | Promise<ResponseMessage> {
    try {
      return this.#route(caller, request, subscriber, inflight)
    } catch (error) {
      // The causes are handled where they arise (handler errors, unreadable params or outputs); this is
      // the contract's last line: whatever else throws answers this request, never its neighbours in a
      // batch, and never a transport.
      return this.crashed(request.id, request.method, error)
    }
  }

  /** @internal The INTERNAL answer to a call whose handling threw; the error is logged, safely described. */
  crashed(id: RequestId, method: string, error: unknown): ResponseMessage {
    const requestId = crypto.randomUUID()
    try {
      this.#logger.error({ err: describeError(error), method, requestId }, 'A call failed inside the host')
    } catch {
      // A logger that throws on a plain description has nothing better to tell.
    }
    return failure(id, { ...INTERNAL, data: { requestId } })
  }

  #route(
    caller: Caller,
    request: RequestMessage,
    subscriber: Subscriber | undefined,
    inflight: Map<RequestId, ActiveCall> | undefined,
  ): ResponseMessage | Promise<ResponseMessage> {
    const entry = this.#routes.get(request.method)
    if (entry === undefined || (caller.kind === 'renderer' && !entry.procedure.expose)) {
      const dot = request.method.indexOf('.')
      const activation = entry === undefined && dot > 0 ? this.awaitActivation(request.method.slice(0, dot)) : undefined
      if (activation !== undefined) return this.#afterActivation(activation, caller, request, subscriber, inflight)
      return failure(request.id, this.#missing(request.method, caller).toShape())
    }
    if (!isGranted(caller.grants, entry.permission)) {
      return failure(request.id, {
        code: 'FORBIDDEN',
        message: `Caller may not call ${request.method} (needs "${entry.permission}")`,
        data: { permission: entry.permission },
      })
    }
    if (inflight?.has(request.id)) {
      return failure(request.id, { code: 'BAD_REQUEST', message: `Request id ${request.id} is already in flight` })
    }
    const call = new ActiveCall(this, caller, request, entry, subscriber, inflight)
    if (this.#hooks.callEnd.isUsed()) call.startedAt = performance.now()
    if (this.#hooks.callStart.isUsed()) {
      let refusal: RpcError | undefined
      try {
        refusal = this.#hooks.callStart.hook.call(call)
      } catch (error) {
        this.#logger.error({ err: describeError(error), method: request.method }, 'A callStart tap failed')
        refusal = new RpcError('INTERNAL', 'Internal error')
      }
      if (refusal) return this.finish(call, failure(request.id, refusal.toShape()))
    }
    const schema = entry.procedure.input
    let input: unknown
    if (schema !== undefined) {
      const parsed = parseSafely(schema, request.params)
      if (parsed === undefined) return this.finish(call, failure(request.id, UNREADABLE_PARAMS))
      if (!parsed.success) return this.finish(call, failure(request.id, invalidParams(parsed.error.issues).toShape()))
      input = parsed.data
    } else if (request.params !== undefined && request.params !== null) {
      return this.finish(call, failure(request.id, { code: 'INVALID_PARAMS', message: `${request.method} takes no params`, data: { issues: [] } }))
    }
    const limit = entry.procedure.timeoutMs ?? this.config.defaultTimeoutMs
    return call.start(input, request.timeoutMs !== undefined && request.timeoutMs < limit ? request.timeoutMs : limit)
  }

  /**
   * Routes a call to a plugin that is still starting once it is up, with what is left of the call's time
   * limit (the host's default or the request's own, whichever is shorter); TIMEOUT if it is not up by then,
   * the plugin's refusal if it fails to start.
   */
  #afterActivation(
    activation: Promise<RpcError | undefined>,
    caller: Caller,
    request: RequestMessage,
    subscriber: Subscriber | undefined,
    inflight: Map<RequestId, ActiveCall> | undefined,
  ): Promise<ResponseMessage> {
    const limit = request.timeoutMs !== undefined && request.timeoutMs < this.config.defaultTimeoutMs ? request.timeoutMs : this.config.defaultTimeoutMs
    const started = performance.now()
    return new Promise<ResponseMessage>((resolve) => {
      const timer = setTimeout(() => {
        resolve(failure(request.id, { code: 'TIMEOUT', message: `${request.method} timed out after ${limit} ms: its plugin is still starting` }))
      }, limit)
      void activation.then((refusal) => {
        clearTimeout(timer)
        if (refusal !== undefined) return resolve(failure(request.id, refusal.toShape()))
        const left = Math.max(1, Math.floor(limit - (performance.now() - started)))
        // The plugin is up (or blocked, disabled...): routed as any call, which answers whatever it is now.
        resolve(this.dispatch(caller, { ...request, timeoutMs: left }, subscriber, inflight))
      })
    })
  }

  /**
   * Calls a procedure in process and returns its result, or throws the RpcError it answered with.
   * Used by plugins (`ctx.call`), by the host's own code and by tests.
   *
   * Without a signal nothing can cancel the call, so it needs no map of calls in flight and no abort
   * listener (both were made per call before; measured in scenario 1): the request goes straight to
   * `route`, and a synchronous answer becomes the returned promise directly.
   */
  call(caller: Caller, method: string, params?: unknown, options?: CallOptions): Promise<unknown> {
    const signal = options?.signal
    const timeoutMs = options?.timeoutMs
    if (signal !== undefined) return this.#callWithSignal(caller, method, params, signal, timeoutMs)
    const id = ++this.#localIds
    const request: RequestMessage =
      timeoutMs === undefined ? { kind: 'request', id, method, params } : { kind: 'request', id, method, params, timeoutMs }
    let answer: ResponseMessage | Promise<ResponseMessage>
    try {
      answer = this.route(caller, request)
    } catch (error) {
      return Promise.reject(error)
    }
    if (answer instanceof Promise) return answer.then(unwrap)
    return answer.ok ? Promise.resolve(answer.result) : Promise.reject(RpcError.fromShape(answer.error))
  }

  async #callWithSignal(caller: Caller, method: string, params: unknown, signal: AbortSignal, timeoutMs: number | undefined): Promise<unknown> {
    const id = ++this.#localIds
    const inflight = new Map<RequestId, ActiveCall>()
    if (signal.aborted) throw new RpcError('CANCELLED', `${method} was cancelled`)
    const onAbort = () => inflight.get(id)?.abort(new RpcError('CANCELLED', `${method} was cancelled`))
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.dispatch(
        caller,
        { kind: 'request', id, method, params, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
        undefined,
        inflight,
      )
      return unwrap(response)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** @internal Builds the success envelope, validating the output when configured. */
  answer(call: ActiveCall, value: unknown): ResponseMessage {
    const schema = call.entry.procedure.output
    if (schema !== undefined && this.config.validateOutput) {
      const parsed = parseSafely(schema, value)
      if (parsed === undefined) {
        call.entry.plugin.logger.error({ method: call.method }, 'Handler returned an output that cannot be read')
        return failure(call.id, { code: 'INTERNAL', message: this.config.exposeErrors ? 'The output could not be read' : 'Internal error' })
      }
      if (!parsed.success) {
        const error = invalidParams(parsed.error.issues, 'output')
        call.entry.plugin.logger.error({ method: call.method, issues: error.data?.issues }, 'Handler returned invalid output')
        return failure(call.id, {
          code: 'INTERNAL',
          message: this.config.exposeErrors ? error.message : 'Internal error',
          ...(this.config.exposeErrors ? { data: error.data } : {}),
        })
      }
      return success(call.id, parsed.data)
    }
    return success(call.id, value)
  }

  /** @internal Reports the outcome to the `callEnd` hook. */
  finish(call: ActiveCall, response: ResponseMessage): ResponseMessage {
    if (this.#hooks.callEnd.isUsed()) {
      const durationMs = call.startedAt === 0 ? 0 : performance.now() - call.startedAt
      try {
        this.#hooks.callEnd.hook.call(call, response.ok ? { ok: true, durationMs } : { ok: false, error: response.error, durationMs })
      } catch (error) {
        this.#logger.error({ err: describeError(error), method: call.method }, 'A callEnd tap failed')
      }
    }
    return response
  }

  #missing(method: string, caller: Caller): RpcError {
    const dot = method.indexOf('.')
    if (dot > 0) {
      const explained = this.explainMissing(method.slice(0, dot), method.slice(dot + 1), caller)
      if (explained) return explained
    }
    return new RpcError('METHOD_NOT_FOUND', `Method not found: ${method.length > 200 ? `${method.slice(0, 200)}...` : method}`)
  }
}
