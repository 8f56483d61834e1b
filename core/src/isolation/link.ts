/**
 * One end of the link between the host and a plugin's process. Both ends speak the wire protocol of
 * core/src/common/protocol.ts, in both directions: `RequestMessage` (the host calling a procedure, or the
 * plugin calling the host as itself), `ResponseMessage`, `CancelMessage` (a deadline or a cancel crossing
 * the link) and `EventMessage` (events, logs, settings changes). One correlation id per call: the id of the
 * request is the id of its response and of its cancel; each end numbers its own requests.
 *
 * Methods that start with `$` are the link's own (load, activate, ping...): a domain can never start with
 * `$`, so they cannot be mistaken for a plugin's procedure.
 */
import { RpcError, type ErrorShape } from '../common/errors'
import {
  failure,
  isCancelMessage,
  isEventMessage,
  isRequestMessage,
  isResponseMessage,
  success,
  type CancelMessage,
  type EventMessage,
  type RequestId,
  type RequestMessage,
} from '../common/protocol'

/** What carries the messages: `ChildProcess` on the host, `process` in the plugin's process. */
export interface LinkPort {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): () => void
}

export interface LinkHandlers {
  /** Answers a request of the other end; `signal` aborts when it sends a cancel (or the link closes). */
  request(method: string, params: unknown, signal: AbortSignal): unknown
  event(event: string, payload: unknown): void
  /** A thrown value that is not an RpcError: logged by the owner, answered INTERNAL with no detail. */
  internalError?(error: unknown, method: string): ErrorShape
}

export interface LinkOptions {
  /** Most requests of the other end answered at once; more are refused with RATE_LIMITED. Default 1000. */
  readonly maxIncoming?: number
}

export interface LinkRequestOptions {
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
}

interface Pending {
  resolve(value: unknown): void
  reject(error: unknown): void
}

const INTERNAL_ERROR: ErrorShape = Object.freeze({ code: 'INTERNAL', message: 'Internal error' })

function shapeOf(error: unknown): ErrorShape | undefined {
  try {
    return error instanceof RpcError ? error.toShape() : undefined
  } catch {
    return undefined
  }
}

export class Link {
  readonly #port: LinkPort
  readonly #handlers: LinkHandlers
  readonly #maxIncoming: number
  readonly #pending = new Map<RequestId, Pending>()
  readonly #incoming = new Map<RequestId, AbortController>()
  readonly #detach: () => void
  #nextId = 0
  #closed: RpcError | undefined

  constructor(port: LinkPort, handlers: LinkHandlers, options: LinkOptions = {}) {
    this.#port = port
    this.#handlers = handlers
    this.#maxIncoming = options.maxIncoming ?? 1000
    this.#detach = port.onMessage((message) => this.#receive(message))
  }

  get closed(): boolean {
    return this.#closed !== undefined
  }

  /** Requests in flight from this end (tests, and the host's flood limit). */
  get pending(): number {
    return this.#pending.size
  }

  /** Calls the other end; rejects with its RpcError, CANCELLED when `signal` aborts, or the link's closing error. */
  request(method: string, params?: unknown, options: LinkRequestOptions = {}): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed)
    const { signal, timeoutMs } = options
    if (signal?.aborted) return Promise.reject(abortError(signal, method))
    const id = ++this.#nextId
    const message: RequestMessage =
      timeoutMs === undefined ? { kind: 'request', id, method, params } : { kind: 'request', id, method, params, timeoutMs }
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.#pending.delete(id)) return
        const error = abortError(signal!, method)
        this.#send({ kind: 'cancel', id, reason: error.code === 'TIMEOUT' ? 'timeout' : 'cancelled' } satisfies CancelMessage)
        reject(error)
      }
      const done = (): void => {
        this.#pending.delete(id)
        signal?.removeEventListener('abort', onAbort)
      }
      this.#pending.set(id, {
        resolve: (value) => (done(), resolve(value)),
        reject: (error) => (done(), reject(error)),
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      const unsent = this.#trySend(message)
      if (unsent) this.#pending.get(id)?.reject(unsent)
    })
  }

  /** Sends an event to the other end. */
  notify(event: string, payload: unknown): boolean {
    return this.#send({ kind: 'event', event, payload } satisfies EventMessage)
  }

  /** Fails every request in flight with `error` at once and aborts the other end's requests. */
  close(error: RpcError): void {
    if (this.#closed) return
    this.#closed = error
    this.#detach()
    for (const pending of [...this.#pending.values()]) pending.reject(error)
    this.#pending.clear()
    for (const controller of this.#incoming.values()) controller.abort(error)
    this.#incoming.clear()
  }

  /**
   * Sends one message; answers why it could not: the link is closed, the channel closed under us (the
   * exit handler then closes the link with the reason), or the message is not structured-clone data.
   */
  #trySend(message: unknown): RpcError | undefined {
    if (this.#closed) return this.#closed
    try {
      this.#port.send(message)
      return undefined
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name
      if (name === 'DataCloneError') return new RpcError('BAD_REQUEST', 'The message is not plain data (a function, a class instance with methods...)')
      return new RpcError('UNAVAILABLE', 'The plugin process is gone')
    }
  }

  #send(message: unknown): boolean {
    return this.#trySend(message) === undefined
  }

  #receive(message: unknown): void {
    if (isResponseMessage(message)) {
      if (message.id === null) return
      const pending = this.#pending.get(message.id)
      if (!pending) return
      this.#pending.delete(message.id)
      if (message.ok) pending.resolve(message.result)
      else pending.reject(RpcError.fromShape(message.error))
    } else if (isRequestMessage(message)) {
      this.#answer(message)
    } else if (isCancelMessage(message)) {
      this.#incoming.get(message.id)?.abort(
        message.reason === 'timeout' ? new RpcError('TIMEOUT', 'The call timed out') : new RpcError('CANCELLED', 'The call was cancelled'),
      )
    } else if (isEventMessage(message)) {
      try {
        this.#handlers.event(message.event, message.payload)
      } catch {
        // An event handler's failure is its owner's to log; the link keeps reading.
      }
    }
  }

  #answer(request: RequestMessage): void {
    const { id, method } = request
    if (this.#incoming.has(id)) {
      this.#send(failure(id, { code: 'BAD_REQUEST', message: `Request id ${String(id)} is already in flight` }))
      return
    }
    if (this.#incoming.size >= this.#maxIncoming) {
      this.#send(failure(id, { code: 'RATE_LIMITED', message: `More than ${this.#maxIncoming} calls in flight on the plugin link` }))
      return
    }
    const controller = new AbortController()
    this.#incoming.set(id, controller)
    const settle = (answer: () => unknown): void => {
      if (this.#incoming.get(id) !== controller) return
      this.#incoming.delete(id)
      const unsent = this.#trySend(answer())
      if (unsent?.code === 'BAD_REQUEST') this.#send(failure(id, { code: 'INTERNAL', message: 'The answer is not plain data and could not cross the plugin link' }))
    }
    const fail = (error: unknown): void =>
      settle(() => failure(id, shapeOf(error) ?? this.#handlers.internalError?.(error, method) ?? INTERNAL_ERROR))
    try {
      const result = this.#handlers.request(method, request.params, controller.signal)
      if (result instanceof Promise) result.then((value) => settle(() => success(id, value)), fail)
      else settle(() => success(id, result))
    } catch (error) {
      fail(error)
    }
    controller.signal.addEventListener('abort', () => fail(controller.signal.reason), { once: true })
  }
}

function abortError(signal: AbortSignal, method: string): RpcError {
  const reason: unknown = signal.reason
  return reason instanceof RpcError ? reason : new RpcError('CANCELLED', `${method} was cancelled`)
}
