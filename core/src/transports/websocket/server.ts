/**
 * The host end of browser mode's WebSocket transport (Node only): the same host that serves Electron's
 * windows serves a renderer running in a normal browser, over a WebSocket bound to 127.0.0.1.
 *
 * - A connection is admitted at the HTTP upgrade, before any WebSocket exists: a foreign `Origin` is
 *   answered 403 and a missing or wrong `?token=` 401 (compared in constant time); neither ever reaches
 *   the host. The token never appears in logs or in the returned `url`.
 * - Each socket is one HostConnection (caller `ws:<n>`, kind `renderer`, the given grants): invoke frames
 *   go to `connection.invoke` and are answered with a reply frame, send frames go to `connection.send`,
 *   and events reach the peer only through `deliver`, i.e. only what it subscribed to.
 * - Whatever ends the socket (close, error, a frame over `maxPayloadBytes` which ws closes with 1009, a
 *   peer that stops answering pings) closes the host connection: its calls are aborted and its
 *   subscriptions end.
 * - Hostile input never throws out of a handler: a malformed frame is answered BAD_REQUEST when its id
 *   is readable, otherwise logged and ignored.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { failure, isBatchResponseMessage, isResponseMessage, type ErrorResponse, type ResponseMessage } from '../../common/protocol'
import type { Caller } from '../../host/caller'
import type { Connectable, HostConnection } from '../../host/connection'
import { silentLogger, type Logger } from '../../host/logger'
import { answerOf, type Answer } from '../../host/rpc-connection'
import { decodeClientFrame, encodeEvent, encodeReply, isEncodable } from './codec'

export interface WebSocketHostOptions {
  /**
   * An existing HTTP server to attach to (its owner binds it, ideally to 127.0.0.1, and closes it), or
   * a port on which a server of our own listens on 127.0.0.1 only (0 picks a free port).
   */
  readonly server: Server | number
  readonly host: Connectable
  /** The secret a client must present as `?token=`. */
  readonly token: string
  /** Decides whether a page from `origin` may connect; `undefined` when the client sent no Origin (not a browser). */
  readonly allowedOrigins: (origin: string | undefined) => boolean
  /**
   * The grants of every socket's caller: a fixed list, or a function read on every call and subscription
   * (grants that follow the catalog; it must be cheap, and a throw counts as no grants).
   */
  readonly grants: readonly string[] | (() => readonly string[])
  readonly logger?: Logger
  /** Largest frame accepted; a larger one closes the socket with 1009. Default 16 MiB. */
  readonly maxPayloadBytes?: number
  /** Ping every peer this often and terminate one that did not answer the previous ping; 0 turns it off. Default 30 s. */
  readonly heartbeatMs?: number
  /** The URL path of the endpoint; upgrades for other paths are left to other listeners. Default `/rpc`. */
  readonly path?: string
  /** How long `close()` waits for peers to finish the closing handshake before cutting them off. Default 1 s. */
  readonly closeGraceMs?: number
}

export interface WebSocketHost {
  /** `ws://127.0.0.1:<port><path>`, without the token. */
  readonly url: string
  readonly port: number
  /** Peers currently connected. */
  readonly connectionCount: number
  /** Closes every socket (and their host connections), detaches, and closes the server if it is ours. Idempotent. */
  close(): Promise<void>
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024

interface Peer {
  readonly socket: WebSocket
  readonly connection: HostConnection
  alive: boolean
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

function listen(port: number): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' })
    response.end('This endpoint speaks WebSocket only\n')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

function addressOf(server: Server): AddressInfo {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The WebSocket host\'s HTTP server is not listening on a TCP port')
  return address
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1'
}

/** Answers an upgrade request with a plain HTTP error and hangs up. */
function refuse(socket: Duplex, status: number): void {
  socket.on('error', () => undefined)
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = `${STATUS_CODES[status] ?? 'Refused'}\n`
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

const NOT_CLONEABLE = 'The answer could not be sent over the WebSocket (not structured-cloneable)'

/** The reply to send instead of one that cannot be encoded: each unencodable response becomes INTERNAL. */
function replacementFor(value: unknown): unknown {
  const internal = (response: ResponseMessage): ResponseMessage | ErrorResponse =>
    isEncodable(response) ? response : failure(response.id, { code: 'INTERNAL', message: NOT_CLONEABLE })
  if (isBatchResponseMessage(value)) {
    return { kind: 'batch', responses: value.responses.map((response) => (isResponseMessage(response) ? internal(response) : failure(null, { code: 'INTERNAL', message: NOT_CLONEABLE }))) }
  }
  if (isResponseMessage(value)) return failure(value.id, { code: 'INTERNAL', message: NOT_CLONEABLE })
  return failure(null, { code: 'INTERNAL', message: NOT_CLONEABLE })
}

export async function attachWebSocketHost(options: WebSocketHostOptions): Promise<WebSocketHost> {
  const { host, allowedOrigins } = options
  const logger = (options.logger ?? silentLogger).child({ transport: 'websocket' })
  const path = options.path ?? '/rpc'
  const heartbeatMs = options.heartbeatMs ?? 30_000
  const closeGraceMs = options.closeGraceMs ?? 1_000
  if (options.token.length === 0) throw new Error('attachWebSocketHost needs a non-empty token')
  const expectedToken = digest(options.token)
  const source = options.grants
  const grants = typeof source === 'function' ? undefined : Object.freeze([...source])
  const liveGrants = (): readonly string[] => {
    try {
      return (source as () => readonly string[])()
    } catch {
      return []
    }
  }

  const ownServer = typeof options.server === 'number'
  const server = typeof options.server === 'number' ? await listen(options.server) : options.server
  if (!ownServer && server.listening && !isLoopback(addressOf(server).address)) {
    logger.warn({ address: addressOf(server).address }, 'The WebSocket host is attached to a server that is not bound to loopback')
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, clientTracking: false })
  const peers = new Set<Peer>()
  let socketCount = 0
  let closing: Promise<void> | undefined

  const tokenMatches = (given: string | null): boolean => {
    // Digests have the same length whatever was sent, so the comparison takes the same time.
    const same = timingSafeEqual(digest(given ?? ''), expectedToken)
    return same && given !== null
  }

  const originAllowed = (origin: string | undefined): boolean => {
    try {
      return allowedOrigins(origin) === true
    } catch (error) {
      logger.error({ err: error }, 'allowedOrigins threw; refusing the connection')
      return false
    }
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL
    try {
      url = new URL(request.url ?? '/', 'http://127.0.0.1')
    } catch {
      if (ownServer) refuse(socket, 400)
      return
    }
    if (url.pathname !== path) {
      // Not ours: on a shared server another listener (a dev server's HMR socket...) may take it.
      if (ownServer) refuse(socket, 404)
      return
    }
    const origin = request.headers.origin
    const remote = request.socket.remoteAddress
    if (closing) return refuse(socket, 503)
    if (!originAllowed(origin)) {
      logger.warn({ origin, remote, status: 403 }, 'Refused a WebSocket connection from a foreign origin')
      return refuse(socket, 403)
    }
    if (!tokenMatches(url.searchParams.get('token'))) {
      logger.warn({ origin, remote, status: 401 }, 'Refused a WebSocket connection without the right token')
      return refuse(socket, 401)
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, origin))
  }

  function accept(socket: WebSocket, origin: string | undefined): void {
    if (closing) {
      socket.terminate()
      return
    }
    const id = `ws:${++socketCount}`
    const caller: Caller = Object.freeze(
      grants !== undefined
        ? { id, kind: 'renderer' as const, grants }
        : {
            id,
            kind: 'renderer' as const,
            get grants() {
              return liveGrants()
            },
          },
    )
    const log = logger.child({ caller: caller.id })
    const connection = host.connect({
      caller,
      deliver(event, payload) {
        if (socket.readyState !== WebSocket.OPEN) return
        // Throws for a payload that cannot cross: the event bus logs it, as it does for any failed delivery.
        socket.send(encodeEvent(event, payload, 'compact'))
      },
    })
    const peer: Peer = { socket, connection, alive: true }
    peers.add(peer)
    log.debug({ origin }, 'WebSocket peer connected')

    const reply = (n: number, value: unknown): void => {
      if (socket.readyState !== WebSocket.OPEN) return
      let text: string
      try {
        // The compact (JSON) body when the answer is exactly JSON: see codec.ts.
        text = encodeReply(n, value, 'compact')
      } catch (error) {
        log.error({ err: error }, 'A reply could not be encoded; answering INTERNAL')
        text = encodeReply(n, replacementFor(value))
      }
      socket.send(text)
    }

    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        log.warn('Ignored a binary frame (the protocol is text frames)')
        return
      }
      const decoded = decodeClientFrame(textOf(data))
      if (!decoded.ok) {
        log.warn({ reason: decoded.reason }, 'Malformed frame')
        if (decoded.n !== undefined) reply(decoded.n, failure(null, { code: 'BAD_REQUEST', message: `Malformed frame: ${decoded.reason}` }))
        return
      }
      const frame = decoded.frame
      if (frame.t === 'invoke') {
        let answer: Answer | Promise<Answer>
        try {
          // A synchronous answer is sent in the same turn (no promise, no microtask): see `answerOf`.
          answer = answerOf(connection, frame.method, frame.params)
        } catch (error) {
          answer = Promise.reject(error)
        }
        if (!(answer instanceof Promise)) {
          reply(frame.n, answer)
          return
        }
        answer.then(
          (value) => reply(frame.n, value),
          (error: unknown) => {
            log.error({ err: error }, 'connection.invoke rejected')
            reply(frame.n, failure(null, { code: 'INTERNAL', message: 'The host failed to answer' }))
          },
        )
      } else {
        try {
          connection.send(frame.method, frame.params)
        } catch (error) {
          log.error({ err: error }, 'connection.send threw')
        }
      }
    })
    socket.on('pong', () => {
      peer.alive = true
    })
    socket.on('error', (error) => {
      // ws closes the socket after an error (1009 for an oversized frame, 1007 for bad UTF-8...): 'close' follows.
      log.warn({ err: error }, 'WebSocket error')
    })
    socket.on('close', (code) => {
      peers.delete(peer)
      connection.close(`socket closed (${code})`)
      log.debug({ code }, 'WebSocket peer disconnected')
    })
  }

  const heartbeat =
    heartbeatMs > 0
      ? setInterval(() => {
          for (const peer of peers) {
            if (!peer.alive) {
              logger.warn({ caller: peer.connection.caller.id }, 'A WebSocket peer stopped answering pings; terminating it')
              peer.socket.terminate()
              continue
            }
            peer.alive = false
            try {
              peer.socket.ping()
            } catch {
              // Not open any more: its 'close' is on the way.
            }
          }
        }, heartbeatMs)
      : undefined
  heartbeat?.unref()

  server.on('upgrade', onUpgrade)

  const urlHost = (): string => {
    if (ownServer) return '127.0.0.1'
    const { address, family } = addressOf(server)
    if (address === '::' || address === '0.0.0.0') return '127.0.0.1'
    return family === 'IPv6' ? `[${address}]` : address
  }

  return {
    get url() {
      return `ws://${urlHost()}:${addressOf(server).port}${path}`
    },
    get port() {
      return addressOf(server).port
    },
    get connectionCount() {
      return peers.size
    },
    close() {
      return (closing ??= (async () => {
        if (heartbeat !== undefined) clearInterval(heartbeat)
        server.off('upgrade', onUpgrade)
        const gone = [...peers].map(
          (peer) =>
            new Promise<void>((resolve) => {
              if (peer.socket.readyState === WebSocket.CLOSED) return resolve()
              peer.socket.once('close', () => resolve())
              peer.socket.close(1001, 'host closing')
              peer.connection.close('host closing')
            }),
        )
        const grace = setTimeout(() => {
          for (const peer of peers) peer.socket.terminate()
        }, closeGraceMs)
        await Promise.all(gone)
        clearTimeout(grace)
        await new Promise<void>((resolve) => wss.close(() => resolve()))
        if (ownServer) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          })
        }
      })())
    },
  }
}
