// Call budgets per authenticated client (the token), not per socket, and connection caps: a client that
// rotates sockets cannot reset its budget nor starve the others, and the app's own batching client is never
// refused under the default limits. A real host with its default rate limits, a real ws server.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createRPCClient } from '../../client/client'
import { type RpcError } from '../../common/errors'
import { createHost } from '../../host/create-host'
import { defaultRateLimitPolicy } from '../../host/rate-limiter'
import { definePlugin } from '../../plugin/definition'
import { createWebSocketBridge } from './bridge'
import { attachWebSocketHost, type WebSocketHostOptions } from './server'

const ORIGIN = 'http://127.0.0.1:5173'
const tokens = Array.from({ length: 10 }, (_, i) => `client-token-${i}`)

class BrowserSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN })
  }
}

const plain = definePlugin({
  id: 'plain',
  version: '1.0.0',
  procedures: (p) => ({ echo: p.procedure({ input: z.number(), expose: true, handler: (n) => n }) }),
})
type Plugins = readonly [typeof plain]

async function setup(options: Partial<WebSocketHostOptions> = {}) {
  // The host's default limits: what the app runs with.
  const host = await createHost({ plugins: [plain] })
  onTestFinished(() => host.dispose())
  const server = await attachWebSocketHost({ server: 0, host, token: tokens, allowedOrigins: (origin) => origin === ORIGIN, grants: ['*'], heartbeatMs: 0, ...options })
  onTestFinished(() => server.close())
  const client = async (token: string) => {
    const bridge = createWebSocketBridge({ url: server.url, token, WebSocket: BrowserSocket, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } })
    onTestFinished(() => bridge.close())
    await bridge.whenOpen()
    return createRPCClient<Plugins>(bridge)
  }
  /** Resolves with the open socket, or the HTTP status that refused it. */
  const socket = (token: string) =>
    new Promise<NodeWebSocket | number>((resolve) => {
      const ws = new BrowserSocket(`${server.url}?token=${token}`)
      ws.once('open', () => resolve(ws))
      ws.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0)
        ws.terminate()
      })
      ws.on('error', () => undefined)
    })
  return { host, server, client, socket }
}

/**
 * The flooding client, in a process of its own (as an attacker would be: its CPU is not the host's): 20
 * loops that each open a socket, send two batches of 1,000 calls, close it and start again, until told to
 * stop; then it reports how many calls were answered ok or RATE_LIMITED, and how many sockets it opened.
 */
function startFlooder(url: string) {
  const script = `
    import { WebSocket } from 'ws'
    const url = process.argv[1]
    const stats = { ok: 0, limited: 0, sockets: 0, refused: 0 }
    let stop = false
    process.stdin.on('data', () => { stop = true })
    const requests = Array.from({ length: 1000 }, (_, i) => ({ kind: 'request', id: i + 1, method: 'plain.echo', params: i }))
    const frame = (n) => 'I' + n + ':' + JSON.stringify(['$rpc', { kind: 'batch', requests }])
    const open = () => new Promise((resolve) => {
      const ws = new WebSocket(url, { origin: ${JSON.stringify(ORIGIN)} })
      ws.once('open', () => resolve(ws))
      ws.once('unexpected-response', () => { ws.terminate(); resolve(undefined) })
      ws.on('error', () => resolve(undefined))
    })
    const call = (ws, n) => new Promise((resolve) => {
      ws.on('message', (data) => {
        const text = String(data)
        const value = JSON.parse(text.slice(text.indexOf(':') + 1))
        if (value.kind === 'batch') for (const r of value.responses) r.ok ? stats.ok++ : r.error.code === 'RATE_LIMITED' && stats.limited++
        else if (value.error && value.error.code === 'RATE_LIMITED') stats.limited += requests.length
        resolve()
      })
      ws.once('close', resolve)
      ws.send(frame(n))
    })
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (!stop) {
        const ws = await open()
        if (!ws) { stats.refused++; continue }
        stats.sockets++
        if (stats.sockets === 20) console.log('running')
        for (let n = 1; n <= 2 && !stop; n++) { await call(ws, n); ws.removeAllListeners('message') }
        ws.terminate()
      }
    }))
    console.log(JSON.stringify(stats))
    process.exit(0)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, url], { stdio: ['pipe', 'pipe', 'inherit'] })
  onTestFinished(() => void child.kill())
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return {
    /** Resolves once 20 sockets were opened. */
    running: lines.next(),
    async stop(): Promise<{ ok: number; limited: number; sockets: number }> {
      child.stdin.write('stop\n')
      const line = await lines.next()
      return JSON.parse(String(line.value)) as { ok: number; limited: number; sockets: number }
    },
  }
}

describe('fair limits on the WebSocket server', { timeout: 60_000 }, () => {
  it("never refuses the app's own batching client under the default limits (1,000 same-tick calls, twice)", async () => {
    const t = await setup()
    const client = await t.client(tokens[0]!)
    for (let round = 0; round < 2; round++) {
      const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => client.plain.echo(i)))
      const refused = results.filter((result) => result.status === 'rejected')
      expect(refused.map((result) => (result.reason as RpcError).code).slice(0, 3)).toEqual([])
    }
  })

  it('sends more same-tick calls than a batch may carry as several batches, none refused (1,500 calls)', async () => {
    const t = await setup()
    const client = await t.client(tokens[0]!)
    const results = await Promise.allSettled(Array.from({ length: 1500 }, (_, i) => client.plain.echo(i)))
    expect(results.filter((result) => result.status === 'rejected')).toEqual([])
  })

  it('caps the sockets of one client, and of all clients together, at the handshake', async () => {
    const t = await setup({ maxConnectionsPerClient: 3, maxConnections: 5 })
    const first = await Promise.all([1, 2, 3].map(() => t.socket(tokens[0]!)))
    expect(first.every((ws) => ws instanceof NodeWebSocket)).toBe(true)
    expect(await t.socket(tokens[0]!)).toBe(503)
    expect(await t.socket(tokens[1]!)).toBeInstanceOf(NodeWebSocket)
    expect(await t.socket(tokens[2]!)).toBeInstanceOf(NodeWebSocket)
    expect(await t.socket(tokens[3]!)).toBe(503)
    // A socket that closes gives its place back.
    const closed = first[0] as NodeWebSocket
    await new Promise((resolve) => {
      closed.once('close', resolve)
      closed.close()
    })
    await expect.poll(() => t.server.connectionCount).toBe(4)
    expect(await t.socket(tokens[0]!)).toBeInstanceOf(NodeWebSocket)
  })

  it('keeps nine well-behaved clients served while a tenth rotates 20 sockets, whose budget rotation does not reset', async () => {
    const t = await setup()
    const started = performance.now()
    const flooder = startFlooder(`${t.server.url}?token=${tokens[0]}`)
    await flooder.running
    // Nine others, each making 25 calls one after the other.
    const others = await Promise.all(tokens.slice(1).map((token) => t.client(token)))
    const completed = await Promise.all(
      others.map(async (client) => {
        let done = 0
        for (let i = 0; i < 25; i++) if ((await client.plain.echo(i)) === i) done++
        return done
      }),
    )
    const flood = await flooder.stop()
    const seconds = (performance.now() - started) / 1000

    expect(completed).toEqual(Array(9).fill(25))
    expect(flood.sockets).toBeGreaterThan(20)
    // Per client: the flood got at most one burst plus the refill over the run, however many sockets it opened.
    const budget = defaultRateLimitPolicy.renderer as { capacity: number; perSecond: number }
    expect(flood.ok).toBeGreaterThan(0)
    expect(flood.ok).toBeLessThanOrEqual(budget.capacity + budget.perSecond * seconds + 1000)
    expect(flood.limited).toBeGreaterThan(0)
  })
})
