/**
 * The host end of browser mode's WebSocket transport (Node only): the same host that serves Electron's
 * windows serves a renderer running in a normal browser, over a WebSocket bound to 127.0.0.1.
 *
 * - A connection is admitted at the HTTP upgrade, before any WebSocket exists: a `Host` that is not this
 *   server's address is answered 421 (DNS rebinding), a foreign `Origin` 403, a missing or wrong `?token=`
 *   401 (compared in constant time), and a client already at its connection cap (or a server at its total
 *   cap) 503; none of them ever reaches the host. The token never appears in logs or in the returned `url`.
 * - Each token is one **client**: its sockets share one call budget (the host's rate limit counts per
 *   `caller.client`), so opening more sockets buys no more calls, and at most `maxConnectionsPerClient`
 *   of them are open at once. Browser mode has one token per start, so its tabs share one budget.
 * - **Backpressure**: a peer that does not read its replies cannot make the host buffer without bound.
 *   While a socket has more than `maxBufferedBytes` written but not yet taken by the peer, its new calls
 *   are answered UNAVAILABLE without running; a socket that reaches twice that (replies of calls already
 *   running, events) is terminated.
 * - Refused work is cheap: while a client is over its call budget (`host.retryAfterMs`), a frame from any
 *   of its sockets is answered RATE_LIMITED from its header alone (one small reply for a whole batch,
 *   nothing decoded or routed) and that socket is not read until the budget allows calls again (a bucket
 *   that ran dry reopens once a tenth of it refilled: rate-limiter.ts): TCP holds back the rest of a flood
 *   at no cost to anyone else.
 * - Each socket is one HostConnection (caller `ws:<n>`, kind `renderer`, the given grants) speaking the one
 *   protocol (`protocol.ts`): send frames go to `connection.send`, and what the connection pushes back (the
 *   answers to `$rpc` requests and batches through `reply`, events through `deliver`, i.e. only what the
 *   peer subscribed to) goes out as host message frames: responses, batch responses, `EventMessage`s.
 *   Invoke frames (the direct `bridge.invoke`) go to `connection.invoke` and are answered with a reply frame.
 * - Whatever ends the socket (close, error, a frame over `maxPayloadBytes` which ws closes with 1009, a
 *   peer that stops answering pings) closes the host connection: its calls are aborted and its
 *   subscriptions end.
 * - Hostile input never throws out of a handler: a malformed frame (or one over the frame limits: deep
 *   nesting, a huge BigInt, see frame-limits.ts) is answered BAD_REQUEST when its id is readable,
 *   otherwise logged and ignored.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { ErrorShape } from '../../common/errors'
import { eventMessage, failure, type HostMessage } from '../../common/protocol'
import type { Caller } from '../../host/caller'
import type { Connectable, HostConnection } from '../../host/connection'
import { silentLogger, type Logger } from '../../host/logger'
import { answerOf } from '../../host/rpc-connection'
import { unsendableAnswer, type Answer } from '../../host/unsendable-answer'
import { answerIdOf, decodeClientFrame, encodeMessage, encodeReply, isEncodable } from './codec'
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from './frame-limits'

export interface WebSocketHostOptions {
  /**
   * An existing HTTP server to attach to (its owner binds it, ideally to 127.0.0.1, and closes it), or
   * a port on which a server of our own listens on 127.0.0.1 only (0 picks a free port).
   */
  readonly server: Server | number
  readonly host: Connectable
  /**
   * The secret a client must present as `?token=`; several tokens admit several clients, each with its own
   * call budget and connection cap.
   */
  readonly token: string | readonly string[]
  /** Decides whether a page from `origin` may connect; `undefined` when the client sent no Origin (not a browser). */
  readonly allowedOrigins: (origin: string | undefined) => boolean
  /**
   * The grants of every socket's caller: a fixed list, or a function read on every call and subscription
   * (grants that follow the catalog; it must be cheap, and a throw counts as no grants).
   */
  readonly grants: readonly string[] | (() => readonly string[])
  readonly logger?: Logger
  /** Largest frame accepted; a larger one closes the socket with 1009. Default 4 MiB. */
  readonly maxPayloadBytes?: number
  /** What one frame may make the host do (nesting, BigInt digits). Default: `DEFAULT_FRAME_LIMITS`. */
  readonly frameLimits?: FrameLimits
  /** Bytes a peer may leave unread before its new calls are refused (twice this terminates it). Default 8 MiB. */
  readonly maxBufferedBytes?: number
  /** Sockets open at once, all clients together. Default 128. */
  readonly maxConnections?: number
  /** Sockets open at once per client (token). Default 32. */
  readonly maxConnectionsPerClient?: number
  /**
   * Decides whether a `Host` header names this server; `undefined` when there is none. Default: the
   * loopback names of the server's port (`127.0.0.1:<port>`, `localhost:<port>`, `[::1]:<port>`).
   */
  readonly allowedHosts?: (host: string | undefined) => boolean
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
  /** Bytes written to peers that they have not taken yet, all sockets together. */
  readonly bufferedBytes: number
  /** Closes every socket (and their host connections), detaches, and closes the server if it is ours. Idempotent. */
  close(): Promise<void>
}

/** A 4 MiB frame parses in ~0.1-0.4 s on a slow machine; the storage plugin's values are at most 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024
export const DEFAULT_MAX_CONNECTIONS = 128
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32
/**
 * How long a socket of a client that ran out of budget is left unread, at least. Measured with a client
 * rotating 20 sockets of 1,000-call batches against nine others: with the socket read again as soon as the
 * budget allowed a call, the nine's 25 calls each took 2-3 s under the flood; with 1 s, about what they
 * take with no flood. The app's own client never runs out (see the default budget), so never waits.
 */
export const OVER_BUDGET_PAUSE_MS = 1000

const UNREAD_REPLIES: ErrorShape = Object.freeze({ code: 'UNAVAILABLE', message: 'Too many replies are waiting to be read; read them, then retry' })

interface Peer {
  readonly socket: WebSocket
  readonly connection: HostConnection
  readonly client: Client
  alive: boolean
  /** Set while the socket is left unread (its client is over budget). */
  resumeTimer: ReturnType<typeof setTimeout> | undefined
}

/** One token's holder. */
interface Client {
  readonly id: string
  readonly digest: Buffer
  sockets: number
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

/** The answer to send instead of one that cannot be encoded: each unencodable response becomes INTERNAL. */
function replacementFor(value: unknown): Answer {
  const answer = value as Answer
  if (typeof answer === 'object' && answer !== null && (answer.kind === 'batch' || answer.kind === 'response')) {
    return unsendableAnswer(answer, isEncodable, NOT_CLONEABLE)
  }
  return failure(null, { code: 'INTERNAL', message: NOT_CLONEABLE })
}

export async function attachWebSocketHost(options: WebSocketHostOptions): Promise<WebSocketHost> {
  const { host, allowedOrigins } = options
  const logger = (options.logger ?? silentLogger).child({ transport: 'websocket' })
  const path = options.path ?? '/rpc'
  const heartbeatMs = options.heartbeatMs ?? 30_000
  const closeGraceMs = options.closeGraceMs ?? 1_000
  const tokens = typeof options.token === 'string' ? [options.token] : [...options.token]
  if (tokens.length === 0 || tokens.some((token) => typeof token !== 'string' || token.length === 0)) {
    throw new Error('attachWebSocketHost needs non-empty tokens')
  }
  const clients: Client[] = tokens.map((token, index) => ({ id: `ws-client:${index + 1}`, digest: digest(token), sockets: 0 }))
  const source = options.grants
  const grants = typeof source === 'function' ? undefined : Object.freeze([...source])
  const liveGrants = (): readonly string[] => {
    try {
      return (source as () => readonly string[])()
    } catch {
      return []
    }
  }
  const frameLimits = options.frameLimits ?? DEFAULT_FRAME_LIMITS
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const maxConnectionsPerClient = options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT

  const ownServer = typeof options.server === 'number'
  const server = typeof options.server === 'number' ? await listen(options.server) : options.server
  if (!ownServer && server.listening && !isLoopback(addressOf(server).address)) {
    logger.warn({ address: addressOf(server).address }, 'The WebSocket host is attached to a server that is not bound to loopback')
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, clientTracking: false })
  const peers = new Set<Peer>()
  let socketCount = 0
  let openSockets = 0
  let closing: Promise<void> | undefined

  const clientOf = (given: string | null): Client | undefined => {
    // Digests have the same length whatever was sent, and every token is compared, so the time taken
    // says nothing about which token (if any) came close.
    const presented = digest(given ?? '')
    let found: Client | undefined
    for (const client of clients) if (timingSafeEqual(presented, client.digest)) found = client
    return given === null ? undefined : found
  }

  const hostAllowed = (hostHeader: string | undefined): boolean => {
    try {
      if (options.allowedHosts) return options.allowedHosts(hostHeader) === true
      const port = addressOf(server).port
      return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}` || hostHeader === `[::1]:${port}`
    } catch (error) {
      logger.error({ err: error }, 'allowedHosts threw; refusing the connection')
      return false
    }
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
    if (!hostAllowed(request.headers.host)) {
      logger.warn({ hostHeader: request.headers.host, remote, status: 421 }, 'Refused a WebSocket connection for another host name')
      return refuse(socket, 421)
    }
    if (!originAllowed(origin)) {
      logger.warn({ origin, remote, status: 403 }, 'Refused a WebSocket connection from a foreign origin')
      return refuse(socket, 403)
    }
    const client = clientOf(url.searchParams.get('token'))
    if (!client) {
      logger.warn({ origin, remote, status: 401 }, 'Refused a WebSocket connection without the right token')
      return refuse(socket, 401)
    }
    if (client.sockets >= maxConnectionsPerClient || openSockets >= maxConnections) {
      logger.warn({ client: client.id, sockets: client.sockets, total: openSockets, status: 503 }, 'Refused a WebSocket connection over the connection cap')
      return refuse(socket, 503)
    }
    // Counted from the upgrade on, so handshakes in progress count against the caps too.
    client.sockets++
    openSockets++
    let counted = true
    const release = (): void => {
      if (!counted) return
      counted = false
      client.sockets--
      openSockets--
    }
    socket.once('close', release)
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, origin, client, release))
  }

  function accept(socket: WebSocket, origin: string | undefined, client: Client, release: () => void): void {
    socket.once('close', release)
    if (closing) {
      socket.terminate()
      return
    }
    const id = `ws:${++socketCount}`
    const caller: Caller = Object.freeze(
      grants !== undefined
        ? { id, kind: 'renderer' as const, grants, client: client.id }
        : {
            id,
            kind: 'renderer' as const,
            client: client.id,
            get grants() {
              return liveGrants()
            },
          },
    )
    const log = logger.child({ caller: caller.id })
    /**
     * Everything the host writes to this peer goes through here. A peer that has left twice the bound
     * unread is not reading (a browser reads its socket even when the page is busy): it is cut off, and
     * what it left unread is freed with it.
     */
    const write = (text: string): void => {
      if (socket.readyState !== WebSocket.OPEN) return
      if (socket.bufferedAmount >= 2 * maxBufferedBytes) {
        log.warn({ bufferedBytes: socket.bufferedAmount }, 'A WebSocket peer is not reading what it is sent; terminating it')
        socket.terminate()
        return
      }
      socket.send(text)
    }
    /** An answer to a request or batch sent one way (a host message frame). */
    const post = (message: Answer): void => {
      if (socket.readyState !== WebSocket.OPEN) return
      write(encoded(message))
    }
    const encoded = (message: HostMessage): string => {
      try {
        // The compact (JSON) body when the message is exactly JSON: see codec.ts.
        return encodeMessage(message, 'compact')
      } catch (error) {
        if (message.kind === 'event') throw error
        log.error({ err: error }, 'A reply could not be encoded; answering INTERNAL')
        return encodeMessage(replacementFor(message))
      }
    }
    const connection = host.connect({
      caller,
      deliver(event, payload) {
        // Throws for a payload that cannot cross: the event bus logs it, as it does for any failed delivery.
        if (socket.readyState === WebSocket.OPEN) write(encoded(eventMessage(event, payload)))
      },
      reply: post,
    })
    const peer: Peer = { socket, connection, client, alive: true, resumeTimer: undefined }
    peers.add(peer)
    log.debug({ origin }, 'WebSocket peer connected')

    /** Stops reading this socket for a while: TCP holds the peer's next frames back at no cost to the host. */
    const leaveUnread = (waitMs: number): void => {
      if (peer.resumeTimer !== undefined) return
      socket.pause()
      peer.resumeTimer = setTimeout(() => {
        peer.resumeTimer = undefined
        socket.resume()
      }, Math.max(waitMs, OVER_BUDGET_PAUSE_MS))
    }
    /** After a frame was routed: a client that ran out of budget is not read until it has some again. */
    const pauseIfOverBudget = (): void => {
      const waitMs = host.retryAfterMs?.(caller) ?? 0
      if (waitMs > 0) leaveUnread(waitMs)
    }

    /**
     * An error for a frame refused from its header (or unreadable): an invoke gets its reply frame, a send
     * that named its correlation id an error envelope for that id (a call's or a whole batch's).
     */
    const refuseCall = (waiting: { readonly t: 'invoke' | 'send'; readonly n: number }, error: ErrorShape): void => {
      if (waiting.t === 'invoke') reply(waiting.n, failure(null, error))
      else post(failure(waiting.n, error))
    }

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
      write(text)
    }

    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        log.warn('Ignored a binary frame (the protocol is text frames)')
        return
      }
      const text = textOf(data)
      const waitMs = host.retryAfterMs?.(caller) ?? 0
      if (waitMs > 0) {
        const waiting = answerIdOf(text)
        const retryAfterMs = Math.ceil(waitMs)
        if (waiting !== undefined) refuseCall(waiting, { code: 'RATE_LIMITED', message: `Too many calls; retry in ${retryAfterMs} ms`, data: { retryAfterMs } })
        leaveUnread(waitMs)
        return
      }
      const decoded = decodeClientFrame(text, frameLimits)
      if (!decoded.ok) {
        log.warn({ reason: decoded.reason }, 'Malformed frame')
        const error: ErrorShape = { code: 'BAD_REQUEST', message: `Malformed frame: ${decoded.reason}` }
        if (decoded.n !== undefined) refuseCall({ t: 'invoke', n: decoded.n }, error)
        else if (decoded.sendId !== undefined) refuseCall({ t: 'send', n: decoded.sendId }, error)
        return
      }
      const frame = decoded.frame
      if (frame.t === 'send' && frame.n !== undefined && socket.bufferedAmount > maxBufferedBytes) {
        log.debug({ n: frame.n, bufferedBytes: socket.bufferedAmount }, 'Refused a call: the peer is not reading its replies')
        refuseCall({ t: 'send', n: frame.n }, UNREAD_REPLIES)
        return
      }
      if (frame.t === 'invoke') {
        if (socket.bufferedAmount > maxBufferedBytes) {
          // Cheap: not routed, and the refusal is a few bytes.
          log.debug({ n: frame.n, bufferedBytes: socket.bufferedAmount }, 'Refused a call: the peer is not reading its replies')
          refuseCall(frame, UNREAD_REPLIES)
          return
        }
        let answer: Answer | Promise<Answer>
        try {
          // A synchronous answer is sent in the same turn (no promise, no microtask): see `answerOf`.
          answer = answerOf(connection, frame.method, frame.params)
        } catch (error) {
          answer = Promise.reject(error)
        }
        if (!(answer instanceof Promise)) {
          reply(frame.n, answer)
          pauseIfOverBudget()
          return
        }
        pauseIfOverBudget()
        answer.then(
          (value) => reply(frame.n, value),
          (error: unknown) => {
            log.error({ err: error }, 'connection.invoke rejected')
            reply(frame.n, failure(null, { code: 'INTERNAL', message: 'The host failed to answer' }))
          },
        )
      } else {
        try {
          // A `$rpc` request or batch is answered through `reply` (`post`), in this turn when it can be.
          connection.send(frame.method, frame.params)
        } catch (error) {
          log.error({ err: error }, 'connection.send threw')
        }
        pauseIfOverBudget()
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
      clearTimeout(peer.resumeTimer)
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
    get bufferedBytes() {
      let total = 0
      for (const peer of peers) total += peer.socket.bufferedAmount
      return total
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
