/**
 * Browser mode: the app without Electron. A plain Node process boots the same host and built-in plugins as
 * Electron's main (stores are conf files in `dataDir`, so plugins' data and their enabled state persist),
 * and one HTTP server on 127.0.0.1 serves both
 *
 * - the built renderer (`out/renderer`), as static files (see static.ts), with a Content-Security-Policy
 *   without `unsafe-eval` whose `connect-src` allows only this server's own WebSocket; and
 * - the RPC over a WebSocket at `/rpc` (`attachWebSocketHost`), admitted only with this start's random
 *   token (`?token=`) and only from this server's own origin (`http://127.0.0.1:<port>`).
 *
 * The page's URL carries the token (`http://127.0.0.1:<port>/?token=...`); the renderer reads it from
 * `location` and connects to `ws://<location.host>/rpc?token=...`. Responses carry
 * `Referrer-Policy: no-referrer` so the token never leaks in a Referer, and the token is never logged.
 *
 * A request whose `Host` is not this server (DNS rebinding: a foreign name resolving to 127.0.0.1) is
 * answered 421, except `localhost:<port>`, which is redirected to the 127.0.0.1 origin the socket accepts;
 * the WebSocket upgrade accepts only this server's own `Host` too (421 otherwise).
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import type { RuntimeInfo } from '@atomiton/core/plugin/context-types'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { silentLogger, type Logger } from '@atomiton/core/host/logger'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { attachWebSocketHost, type WebSocketHost } from '@atomiton/core/transports/websocket/server'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import type { IsolationOptions } from '@atomiton/core/isolation/isolated-plugin'
import { createLiveGrants } from '../common/live-grants'
import { contentSecurityPolicy } from '../main/security'
import { createStaticHandler } from './static'
import { handleWebhook, HOOKS_PATH } from './webhooks'

/** The WebSocket endpoint of the RPC. */
export const RPC_PATH = '/rpc'

export interface StartServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number
  /** The folder of the store files (created when missing); relative paths are resolved against the cwd. */
  readonly dataDir: string
  /** The built renderer, holding `index.html` (`out/renderer`). */
  readonly rendererDir: string
  /** The loopback IPv4 address to bind. Default `127.0.0.1`; anything not in 127.0.0.0/8 is refused. */
  readonly host?: string
  readonly logger?: Logger
  /** The plugins to load. Default: the built-in ones. */
  readonly plugins?: readonly AnyPluginDefinition[]
  /** The grants of every page. Default: the UI's grants (`app/common/grants.ts`), following the catalog. */
  readonly grants?: readonly string[]
  /** Overrides of the runtime information (`system.getInfo`); `mode` is `browser`. */
  readonly runtime?: Partial<RuntimeInfo>
  /** Ping interval of the WebSocket peers (0: off). Default 30 s. */
  readonly heartbeatMs?: number
  /** Start the required plugins only and load no installed package (`--safe-mode`). */
  readonly safeMode?: boolean
  /**
   * Run each installed package in its own process, started from this built entry (plugin-sdk/src/isolation/
   * entry.ts; `pluginProcessEntry()` builds it). `npm run serve` (cli.ts) always gives it; without it
   * (tests of the server alone) packages run in process.
   */
  readonly pluginProcess?: IsolationOptions
}

export interface RunningServer {
  /** The page to open, token included: `http://127.0.0.1:<port>/?token=...`. */
  readonly url: string
  /** `http://127.0.0.1:<port>`: the only origin the WebSocket accepts. */
  readonly origin: string
  /** `ws://127.0.0.1:<port>/rpc` (without the token). */
  readonly rpcUrl: string
  readonly port: number
  /** This start's secret: fresh on every start. */
  readonly token: string
  /** The Atomiton host serving the RPC. */
  readonly host: Host
  /** Closes the sockets and the HTTP server, then disposes the host (plugins). Idempotent. */
  close(): Promise<void>
}

const LOOPBACK_IPV4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

export function isLoopbackIPv4(address: string): boolean {
  const match = LOOPBACK_IPV4.exec(address)
  return match !== null && match.slice(1).every((part) => Number(part) <= 255)
}

/** A new random token: 32 bytes from the CSPRNG, base64url (URL-safe, 43 characters). */
export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The headers of every HTTP response. */
export function securityHeaders(port: number, bindHost = '127.0.0.1'): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ connectSrc: [`ws://${bindHost}:${port}`] }),
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
    // On every response, the refusals and redirects too, not only the files.
    'X-Content-Type-Options': 'nosniff',
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolvePromise(server.address() as AddressInfo)
    })
  })
}

function refuseUpgrade(socket: Duplex, status: number): void {
  socket.on('error', () => undefined)
  const text = STATUS_CODES[status] ?? 'Refused'
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger
  const bindHost = options.host ?? '127.0.0.1'
  if (!isLoopbackIPv4(bindHost)) {
    throw new Error(`Browser mode binds a loopback IPv4 address only (127.x.y.z), not ${JSON.stringify(bindHost)}`)
  }
  const rendererDir = resolve(options.rendererDir)
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer in ${rendererDir} (index.html is missing): run \`npm run build\` first`)
  }
  const dataDir = resolve(options.dataDir)
  await mkdir(dataDir, { recursive: true })
  const token = createToken()

  const host = await createHost({
    plugins: options.plugins ?? builtinPlugins,
    stores: createConfStoreFactory({ directory: dataDir, logger }),
    logger,
    runtime: { mode: 'browser', ...options.runtime },
    // Installed plugin packages: `<data-dir>/plugins/<id>/` (also what `npx atomiton plugin ... --data-dir` uses).
    packages: { dir: join(dataDir, 'plugins'), hostModules, devReload: true, ...(options.pluginProcess ? { process: options.pluginProcess } : {}) },
    isolation: options.pluginProcess ? 'process' : 'in-process',
    safeMode: options.safeMode ?? false,
  })
  if (options.safeMode) logger.warn('Safe mode: only the required plugins started; no installed package was loaded')
  const grants = options.grants ?? createLiveGrants(host).current

  let port = 0
  let headers: Record<string, string> = {}
  const log = logger.child({ component: 'serve' })
  const serveFile = await createStaticHandler({
    rootDir: rendererDir,
    headers: () => headers,
    onError: (error) => log.debug({ err: error }, 'A file transfer ended early'),
  })

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const hostHeader = request.headers.host
    if (hostHeader !== `${bindHost}:${port}`) {
      if (hostHeader === `localhost:${port}` && (request.url ?? '/').startsWith('/')) {
        response.writeHead(308, { ...headers, Location: `http://${bindHost}:${port}${request.url ?? '/'}`, 'Content-Length': '0' })
        response.end()
        return
      }
      log.warn({ hostHeader }, 'Refused a request for another host name')
      response.writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
      response.end('Misdirected request\n')
      return
    }
    const started = performance.now()
    response.once('finish', () => {
      // The path only: the query carries the token.
      const path = (request.url ?? '/').split(/[?#]/, 1)[0]
      log.debug({ method: request.method, path, status: response.statusCode, durationMs: performance.now() - started }, 'http')
    })
    const handle = (request.url ?? '/').startsWith(HOOKS_PATH) ? handleWebhook(host, request, response, headers) : serveFile(request, response)
    handle.catch((error: unknown) => {
      log.error({ err: error }, 'Serving a file failed')
      if (!response.headersSent) {
        response.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
        response.end('Internal error\n')
      } else {
        response.destroy()
      }
    })
  }

  const server = createServer(onRequest)
  // Upgrades for any path but the RPC's are refused (attachWebSocketHost leaves them to the server's owner).
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const path = (request.url ?? '/').split(/[?#]/, 1)[0]
    if (path !== RPC_PATH) refuseUpgrade(socket, 404)
  })

  let wsHost: WebSocketHost
  try {
    port = (await listen(server, options.port ?? 0, bindHost)).port
    headers = securityHeaders(port, bindHost)
    const origin = `http://${bindHost}:${port}`
    wsHost = await attachWebSocketHost({
      server,
      host,
      token,
      allowedOrigins: (given) => given === origin,
      // Exactly the page's own host (localhost is redirected to it for pages, so no socket ever needs it).
      allowedHosts: (given) => given === `${bindHost}:${port}`,
      grants,
      logger,
      path: RPC_PATH,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    })
  } catch (error) {
    server.close()
    await host.dispose()
    throw error
  }

  const origin = `http://${bindHost}:${port}`
  let closing: Promise<void> | undefined
  log.info({ origin, dataDir, rendererDir }, 'Browser mode is serving')

  return {
    url: `${origin}/?token=${token}`,
    origin,
    rpcUrl: `ws://${bindHost}:${port}${RPC_PATH}`,
    port,
    token,
    host,
    close() {
      return (closing ??= (async () => {
        await wsHost.close()
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose())
          server.closeAllConnections()
        })
        await host.dispose()
        log.info('Browser mode stopped')
      })())
    },
  }
}
