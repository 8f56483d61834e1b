/** Scenario 4: calls over a WebSocket on loopback; the server half runs in a worker thread. */
import { once } from 'node:events'
import { createORPCClient } from '@orpc/client'
import { RPCLink } from '@orpc/client/websocket'
import type { RouterClient } from '@orpc/server'
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client'
import { WebSocket } from 'ws'
import type { Contender } from '../harness'
import type { OrpcRouter, TrpcRouter } from './routers'
import type { WsServerKind } from './servers'
import type { Small } from './shared'
import { Pending, startWorker } from './worker'

export interface WsServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string
  onFailure(listener: (error: Error) => void): void
  close(): Promise<void>
}

/** Starts `bench/workers/ws-server` serving `kind` on 127.0.0.1, random port. */
export async function startWsServer(kind: WsServerKind): Promise<WsServer> {
  const started = await startWorker<{ url: string }>('ws-server', { kind })
  return { url: started.hello.url, onFailure: (listener) => started.onFailure(listener), close: () => started.terminate() }
}

/** Opens a `ws` client socket and waits until it is open. */
export async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url)
  await once(socket, 'open')
  return socket
}

async function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return
  const closed = once(socket, 'close')
  socket.close()
  await closed
}

/** The `ws` class where a library expects the DOM's `WebSocket` (Node 20 has no global one). */
const DomWebSocket = WebSocket as unknown as typeof globalThis.WebSocket

/** The limit: `JSON.stringify([id, payload])` per call on a `ws` socket, the server parses and sends the JSON back. */
export const rawWsJson: Contender<Small> = {
  name: 'raw ws JSON echo (limit)',
  async setup() {
    const server = await startWsServer('json-echo')
    const socket = await openSocket(server.url)
    const pending = new Pending<unknown>()
    server.onFailure((error) => pending.failAll(error))
    socket.on('close', () => pending.failAll(new Error('socket closed')))
    socket.on('message', (data) => {
      const [id, payload] = JSON.parse(String(data)) as [number, unknown]
      pending.settle(id, payload)
    })
    return {
      call(payload) {
        const { id, promise } = pending.open()
        socket.send(JSON.stringify([id, payload]))
        return promise
      },
      async close() {
        await closeSocket(socket)
        await server.close()
      },
    }
  },
}

/** tRPC over its WebSocket link: `createWSClient` + `wsLink`, `applyWSSHandler` in the worker. */
export const trpcWs: Contender<Small> = {
  name: 'tRPC wsLink',
  async setup() {
    const server = await startWsServer('trpc')
    const wsClient = createWSClient({ url: server.url, WebSocket: DomWebSocket })
    const client = createTRPCClient<TrpcRouter>({ links: [wsLink({ client: wsClient })] })
    return {
      call: (payload) => client.echo.query(payload),
      async close() {
        await wsClient.close()
        await server.close()
      },
    }
  },
}

/** oRPC over its WebSocket adapter: `RPCLink` from `@orpc/client/websocket`, `RPCHandler` from `@orpc/server/ws` in the worker. */
export const orpcWs: Contender<Small> = {
  name: 'oRPC websocket',
  async setup() {
    const server = await startWsServer('orpc')
    const socket = await openSocket(server.url)
    const websocket = socket as unknown as InstanceType<typeof globalThis.WebSocket>
    const client: RouterClient<OrpcRouter> = createORPCClient(new RPCLink({ websocket }))
    return {
      call: (payload) => client.echo(payload),
      async close() {
        await closeSocket(socket)
        await server.close()
      },
    }
  },
}
