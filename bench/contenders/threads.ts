/** Scenarios 2 and 3: calls across a worker thread over a MessageChannel; the server half runs in the worker. */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/message-port'
import type { RouterClient } from '@orpc/server'
import type { Contender } from '../harness'
import type { AtomitonTransportOptions } from './atomiton'
import type { OrpcRouter } from './routers'
import type { PortServerData, PortServerKind } from './servers'
import type { Small } from './shared'
import { Pending, startWorker } from './worker'

export interface PortServer {
  /** The client end of the channel; the worker holds the other one. */
  readonly port: MessagePort
  onFailure(listener: (error: Error) => void): void
  close(): Promise<void>
}

/** Starts `bench/workers/port-server` serving `kind` on a fresh MessageChannel and returns the client end. */
export async function startPortServer(kind: PortServerKind, atomiton?: AtomitonTransportOptions): Promise<PortServer> {
  const { port1, port2 } = new MessageChannel()
  const data: PortServerData = { kind, port: port2, ...(atomiton === undefined ? {} : { atomiton }) }
  const started = await startWorker<{ ready: true }>('port-server', data, [port2])
  return {
    port: port1,
    onFailure: (listener) => started.onFailure(listener),
    async close() {
      port1.close()
      await started.terminate()
    },
  }
}

type Call = readonly [id: number, payload: unknown]

/** The limit: each call is its own `postMessage([id, payload])`, echoed back by the worker. */
export const rawPortEcho: Contender<Small> = {
  name: 'raw postMessage echo (limit)',
  async setup() {
    const server = await startPortServer('echo')
    const pending = new Pending<unknown>()
    server.onFailure((error) => pending.failAll(error))
    server.port.on('message', ([id, payload]: Call) => pending.settle(id, payload))
    return {
      call(payload) {
        const { id, promise } = pending.open()
        server.port.postMessage([id, payload] satisfies Call)
        return promise
      },
      close: () => server.close(),
    }
  },
}

/** The batching limit: the calls made in the same tick leave as one `postMessage` of `[id, payload][]`. */
export const rawPortBatchedEcho: Contender<Small> = {
  name: 'raw postMessage, one per tick (limit)',
  async setup() {
    const server = await startPortServer('echo')
    const pending = new Pending<unknown>()
    server.onFailure((error) => pending.failAll(error))
    server.port.on('message', (batch: Call[]) => {
      for (const [id, payload] of batch) pending.settle(id, payload)
    })
    let queue: Call[] = []
    const flush = (): void => {
      const batch = queue
      queue = []
      server.port.postMessage(batch)
    }
    return {
      call(payload) {
        const { id, promise } = pending.open()
        if (queue.push([id, payload]) === 1) queueMicrotask(flush)
        return promise
      },
      close: () => server.close(),
    }
  },
}

/** oRPC's message-port adapter: `RPCLink` from `@orpc/client/message-port`, `RPCHandler` from `@orpc/server/message-port` in the worker. */
export const orpcMessagePort: Contender<Small> = {
  name: 'oRPC message-port',
  async setup() {
    const server = await startPortServer('orpc')
    const client: RouterClient<OrpcRouter> = createORPCClient(new RPCLink({ port: server.port }))
    server.port.start()
    return { call: (payload) => client.echo(payload), close: () => server.close() }
  },
}
