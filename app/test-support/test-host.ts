/**
 * A small but real `Connectable` for transport tests, standing in for the kernel's host until it exists.
 *
 * It speaks the real wire protocol (`success` / `failure` envelopes from `protocol.ts`, `$rpc` requests and
 * batches and the `invoke('domain.method', params)` shorthand), records every call with its caller, keeps
 * per-connection subscriptions and pending calls, and on `close()` ends both: pending calls answer
 * CANCELLED, subscriptions stop receiving. Built-in methods:
 *
 * - `test.echo(params)` answers `params`;
 * - `test.subscribe({ event })` / `test.unsubscribe({ event })` manage this connection's subscriptions,
 *   which `publish(event, payload)` delivers to;
 * - `test.wait()` stays pending until the connection closes (then answers CANCELLED).
 *
 * Any other method is answered from the `answers` map (a thrown RpcError becomes its error envelope, any
 * other throw INTERNAL) or with METHOD_NOT_FOUND. The transport only sees `Connectable`, so swapping in the
 * real host is one line where the fixture builds it.
 */
import { ErrorCodes, RpcError, type ErrorShape } from '@atomiton/core/common/errors'
import {
  failure,
  isBatchMessage,
  isRequestMessage,
  PROTOCOL_METHOD,
  success,
  type BatchResponseMessage,
  type RequestId,
  type ResponseMessage,
} from '@atomiton/core/common/protocol'
import type { Caller } from '@atomiton/core/host/caller'
import type { Connectable, ConnectOptions, HostConnection } from '@atomiton/core/host/connection'

export type Answer = (params: unknown, caller: Caller) => unknown

export interface RecordedCall {
  readonly connectionId: string
  readonly callerId: string
  readonly method: string
  readonly params: unknown
}

/** The id the host answers a shorthand `invoke('domain.method', params)` with (it carries no request id). */
export const SHORTHAND_ID = 0

let nextConnection = 1

export class TestConnection implements HostConnection {
  readonly id = `conn:${nextConnection++}`
  readonly caller: Caller
  readonly subscriptions = new Set<string>()
  closeReason: string | undefined
  readonly #host: TestHost
  readonly #deliver: ConnectOptions['deliver']
  readonly #pending = new Set<(response: ResponseMessage) => void>()
  #closed = false

  constructor(host: TestHost, options: ConnectOptions) {
    this.#host = host
    this.caller = options.caller
    this.#deliver = options.deliver
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Calls still waiting for an answer. */
  get pendingCount(): number {
    return this.#pending.size
  }

  async invoke(method: string, params: unknown): Promise<ResponseMessage | BatchResponseMessage> {
    this.#host.invokes.push({ connectionId: this.id, callerId: this.caller.id, method, params })
    if (this.#closed) return failure(null, { code: ErrorCodes.UNAVAILABLE, message: 'Connection closed' })
    if (method !== PROTOCOL_METHOD) return this.#answer(SHORTHAND_ID, method, params)
    if (isRequestMessage(params)) return this.#answer(params.id, params.method, params.params)
    if (isBatchMessage(params)) {
      const responses = await Promise.all(
        params.requests.map((request) =>
          isRequestMessage(request)
            ? this.#answer(request.id, request.method, request.params)
            : failure(null, { code: ErrorCodes.BAD_REQUEST, message: 'Malformed request in batch' }),
        ),
      )
      return { kind: 'batch', responses }
    }
    return failure(null, { code: ErrorCodes.BAD_REQUEST, message: 'Malformed request' })
  }

  send(method: string, params: unknown): void {
    this.#host.sends.push({ connectionId: this.id, callerId: this.caller.id, method, params })
  }

  close(reason = 'closed'): void {
    if (this.#closed) return
    this.#closed = true
    this.closeReason = reason
    this.subscriptions.clear()
    const pending = [...this.#pending]
    this.#pending.clear()
    for (const settle of pending) settle(failure(SHORTHAND_ID, { code: ErrorCodes.CANCELLED, message: `Connection closed: ${reason}` }))
  }

  /** @internal Pushes an event if this connection subscribed to it and is open. */
  push(event: string, payload: unknown): boolean {
    if (this.#closed || !this.subscriptions.has(event)) return false
    this.#deliver(event, payload)
    return true
  }

  async #answer(id: RequestId, method: string, params: unknown): Promise<ResponseMessage> {
    switch (method) {
      case 'test.echo':
        return success(id, params)
      case 'test.subscribe':
      case 'test.unsubscribe': {
        const event = (params as { event?: unknown } | undefined)?.event
        if (typeof event !== 'string') return failure(id, { code: ErrorCodes.INVALID_PARAMS, message: 'event must be a string' })
        if (method === 'test.subscribe') this.subscriptions.add(event)
        else this.subscriptions.delete(event)
        return success(id, null)
      }
      case 'test.wait':
        return new Promise<ResponseMessage>((resolve) => {
          this.#pending.add((response) => resolve({ ...response, id }))
        })
    }
    const answer = this.#host.answers[method]
    if (!answer) return failure(id, { code: ErrorCodes.METHOD_NOT_FOUND, message: `No method ${method}` })
    try {
      return success(id, await answer(params, this.caller))
    } catch (error) {
      const shape: ErrorShape = RpcError.is(error) ? error.toShape() : { code: ErrorCodes.INTERNAL, message: 'Internal error' }
      return failure(id, shape)
    }
  }
}

export class TestHost implements Connectable {
  readonly connections: TestConnection[] = []
  readonly invokes: RecordedCall[] = []
  readonly sends: RecordedCall[] = []
  readonly answers: Readonly<Record<string, Answer>>

  constructor(answers: Readonly<Record<string, Answer>> = {}) {
    this.answers = answers
  }

  connect(options: ConnectOptions): TestConnection {
    const connection = new TestConnection(this, options)
    this.connections.push(connection)
    return connection
  }

  /** Connections not yet closed. */
  get open(): TestConnection[] {
    return this.connections.filter((connection) => !connection.closed)
  }

  /** The connections made for a caller id (`window:3`), oldest first. */
  connectionsOf(callerId: string): TestConnection[] {
    return this.connections.filter((connection) => connection.caller.id === callerId)
  }

  /** Pushes an event to every open connection subscribed to it; returns how many got it. */
  publish(event: string, payload: unknown): number {
    let delivered = 0
    for (const connection of this.connections) if (connection.push(event, payload)) delivered++
    return delivered
  }
}
