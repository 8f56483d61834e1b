/**
 * The server halves of the transport contenders. They run inside a worker thread (bench/workers/*), so the
 * client side (the main thread, standing for the renderer) and the server side (standing for the host)
 * have a thread each, as a renderer and the main process would.
 */
import type { MessagePort } from 'node:worker_threads'
import { RPCHandler as OrpcPortHandler } from '@orpc/server/message-port'
import { RPCHandler as OrpcWsHandler } from '@orpc/server/ws'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import type { WebSocketServer } from 'ws'
import { serveAtomitonOnWebSocket, serveAtomitonOverIpc, type AtomitonTransportOptions } from './atomiton'
import { orpcRouter, trpcRouter } from './routers'

// ── Message port (scenarios 2 and 3) ──

export type PortServerKind = 'echo' | 'orpc' | 'atomiton'

export interface PortServerData {
  readonly kind: PortServerKind
  readonly port: MessagePort
  readonly atomiton?: AtomitonTransportOptions
}

export const portServers: Record<PortServerKind, (data: PortServerData) => void | Promise<void>> = {
  /** The limit: posts back whatever arrives (a `[id, payload]` call or an array of them), no decoding, no validation. */
  echo({ port }) {
    port.on('message', (message: unknown) => port.postMessage(message))
  },
  orpc({ port }) {
    new OrpcPortHandler(orpcRouter).upgrade(port)
    port.start()
  },
  atomiton({ port, atomiton }) {
    return serveAtomitonOverIpc(port, atomiton ?? {})
  },
}

// ── WebSocket (scenario 4) ──

export type WsServerKind = 'json-echo' | 'trpc' | 'orpc' | 'atomiton'

/**
 * Each kind serves on the `WebSocketServer` it is given (already listening on 127.0.0.1), except Atomiton's,
 * which is the real `attachWebSocketHost` (its own HTTP server, token and Origin checks at the upgrade)
 * and answers its own URL instead.
 */
export const wsServers: Record<Exclude<WsServerKind, 'atomiton'>, (wss: WebSocketServer) => void | Promise<void>> = {
  /** The limit: each text frame is parsed and its JSON sent back (a server has to decode to route). */
  'json-echo'(wss) {
    wss.on('connection', (socket) => {
      socket.on('message', (data) => socket.send(JSON.stringify(JSON.parse(String(data)))))
    })
  },
  trpc(wss) {
    applyWSSHandler({ wss, router: trpcRouter, createContext: () => ({}) })
  },
  orpc(wss) {
    const handler = new OrpcWsHandler(orpcRouter)
    wss.on('connection', (socket) => void handler.upgrade(socket))
  },
}

export { serveAtomitonOnWebSocket }
