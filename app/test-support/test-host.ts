/**
 * The real host (`createHost`, the kernel main uses) for the IPC transport's tests, with a small `test`
 * plugin and a record of what reached the host through the transport:
 *
 * - `test.echo(params)` answers `params`; `test.note(params)` is for one-way sends; `test.wait()` runs
 *   until its call is aborted (the window closing cancels it);
 * - the events `test.tick` and `test.tock` (any payload, exposed), subscribed to with the host's own
 *   `rpc.subscribe({ event })` and published with `publish('tick', payload)`;
 * - `connections` (each with its caller, close reason, calls in flight and subscriptions, read from the
 *   host itself), `invokes` and `sends` (every message the transport passed on, with its caller).
 *
 * Answers are the real host's envelopes: a shorthand `invoke('test.echo', x)` is answered with the id the
 * host gives it (`local-<n>`), errors carry the router's codes and messages.
 */
import { z } from 'zod'
import type { BatchResponseMessage, ResponseMessage } from '@atomiton/core/common/protocol'
import type { Caller } from '@atomiton/core/host/caller'
import type { Connectable, ConnectOptions, HostConnection } from '@atomiton/core/host/connection'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { RpcConnection } from '@atomiton/core/host/rpc-connection'
import { definePlugin, event } from '@atomiton/core/plugin/definition'

export const testPlugin = definePlugin({
  id: 'test',
  version: '1.0.0',
  events: {
    tick: event({ payload: z.unknown(), expose: true }),
    tock: event({ payload: z.unknown(), expose: true }),
  },
  procedures: (p) => ({
    echo: p.procedure({ input: z.unknown(), expose: true, handler: (params) => params }),
    note: p.procedure({ input: z.unknown(), expose: true, handler: () => undefined }),
    wait: p.procedure({
      expose: true,
      handler: (_input, ctx) =>
        new Promise<never>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))),
    }),
  }),
})

export interface RecordedCall {
  readonly connectionId: string
  readonly callerId: string
  readonly method: string
  readonly params: unknown
}

/** A connection the real host opened, as the transport uses it, recording what passes through. */
export class RecordedConnection implements HostConnection {
  closeReason: string | undefined
  readonly #inner: HostConnection
  readonly #owner: TestHost

  constructor(owner: TestHost, inner: HostConnection) {
    this.#owner = owner
    this.#inner = inner
  }

  get id(): string {
    return this.#inner.id
  }

  get caller(): Caller {
    return this.#inner.caller
  }

  get closed(): boolean {
    return this.#inner.closed
  }

  /** Calls of this connection still running in the host. */
  get pendingCount(): number {
    return this.#inner instanceof RpcConnection ? this.#inner.inflightCount : 0
  }

  /** The events this connection is subscribed to, as the host's event bus knows them. */
  get subscriptions(): readonly string[] {
    return this.#owner.host.eventBus.subscriptionsOf(this.#inner.id)
  }

  invoke(method: string, params: unknown): Promise<ResponseMessage | BatchResponseMessage> {
    this.#owner.invokes.push({ connectionId: this.id, callerId: this.caller.id, method, params })
    return this.#inner.invoke(method, params)
  }

  send(method: string, params: unknown): void {
    this.#owner.sends.push({ connectionId: this.id, callerId: this.caller.id, method, params })
    this.#inner.send(method, params)
  }

  close(reason = 'closed'): void {
    if (this.closed) return
    this.closeReason = reason
    this.#inner.close(reason)
  }
}

export class TestHost implements Connectable {
  readonly host: Host
  readonly connections: RecordedConnection[] = []
  readonly invokes: RecordedCall[] = []
  readonly sends: RecordedCall[] = []

  private constructor(host: Host) {
    this.host = host
  }

  static async create(): Promise<TestHost> {
    return new TestHost(await createHost({ plugins: [testPlugin], rateLimit: false }))
  }

  connect(options: ConnectOptions): RecordedConnection {
    const connection = new RecordedConnection(this, this.host.connect(options))
    this.connections.push(connection)
    return connection
  }

  /** The connections made for a caller id (`window:3`), oldest first. */
  connectionsOf(callerId: string): RecordedConnection[] {
    return this.connections.filter((connection) => connection.caller.id === callerId)
  }

  /** Emits `test.<event>` through the host's event bus; returns how many subscribers got it. */
  publish(name: 'tick' | 'tock', payload: unknown): number {
    return this.host.eventBus.emit(`test.${name}`, payload)
  }

  dispose(): Promise<void> {
    return this.host.dispose()
  }
}
