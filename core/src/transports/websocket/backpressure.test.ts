// Backpressure on the WebSocket server's writes: a peer that never reads its replies must not grow the
// host's memory without bound (measured before the fix: 17 MB -> 409 MB with 450 requests for a 900 KB
// value). A real socket that stops reading, a real host, a real ws server.
import { z } from 'zod'
import { deferred } from '@atomiton/plugin-sdk/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createRPCClient } from '../../client/client'
import { PROTOCOL_METHOD } from '../../common/protocol'
import { createHost } from '../../host/create-host'
import { createMemoryLogger } from '../../host/logger'
import { definePlugin } from '../../plugin/definition'
import { openNonReadingClient } from '../test-support/raw-websocket'
import { createWebSocketBridge } from './bridge'
import { encodeInvoke } from './codec'
import { attachWebSocketHost } from './server'

const TOKEN = 'backpressure-test-token'
const ORIGIN = 'http://127.0.0.1:5173'
const BIG = 'x'.repeat(900_000)
const MAX_BUFFERED = 4 * 1024 * 1024
const REQUESTS = 450

class BrowserSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN })
  }
}

async function setup() {
  const release = deferred<void>()
  const bulky = definePlugin({
    id: 'bulky',
    version: '1.0.0',
    procedures: (p) => ({
      big: p.procedure({ expose: true, handler: () => BIG }),
      bigLater: p.procedure({ expose: true, handler: async () => (await release.promise, BIG) }),
      echo: p.procedure({ input: z.string(), expose: true, handler: (input) => input }),
    }),
  })
  const logger = createMemoryLogger('debug')
  const host = await createHost({ plugins: [bulky], logger, rateLimit: false })
  onTestFinished(() => host.dispose())
  const server = await attachWebSocketHost({
    server: 0,
    host,
    token: TOKEN,
    allowedOrigins: (origin) => origin === ORIGIN,
    grants: ['*'],
    logger,
    maxBufferedBytes: MAX_BUFFERED,
    heartbeatMs: 0,
  })
  onTestFinished(() => server.close())
  const started: string[] = []
  host.hooks.callStart.tap({ name: 'test-count', owner: 'test' }, (call) => void started.push(call.method))
  const slowReader = async () => {
    const client = await openNonReadingClient(server.port, `/rpc?token=${TOKEN}`, { Origin: ORIGIN })
    onTestFinished(() => client.destroy())
    return client
  }
  const frames = (method: string) =>
    Array.from({ length: REQUESTS }, (_, i) => encodeInvoke(i + 1, PROTOCOL_METHOD, { kind: 'request', id: i + 1, method }, 'compact'))
  const wellBehaved = async () => {
    const bridge = createWebSocketBridge({ url: server.url, token: TOKEN, WebSocket: BrowserSocket })
    onTestFinished(() => bridge.close())
    await bridge.whenOpen()
    return createRPCClient<readonly [typeof bulky]>(bridge)
  }
  return { host, server, logger, release, started, slowReader, frames, wellBehaved }
}

const memory = () => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

describe('a WebSocket peer that does not read', { timeout: 30_000 }, () => {
  it('gets its new calls refused while its unread replies are over the bound; the host stays bounded and serves others', async () => {
    const t = await setup()
    const before = memory()
    const reader = await t.slowReader()
    await reader.sendAll(t.frames('bulky.big'))
    const refusals = () => t.logger.entries.filter((entry) => entry.msg === 'Refused a call: the peer is not reading its replies').length
    await expect.poll(() => t.started.length + refusals(), { timeout: 20_000 }).toBe(REQUESTS)

    expect(refusals()).toBeGreaterThan(REQUESTS / 2)
    expect(t.server.bufferedBytes).toBeLessThanOrEqual(2 * MAX_BUFFERED + BIG.length)
    // Unbounded, this held ~400 MB of replies; bounded, about the bound plus what the kernel buffers.
    expect(memory() - before).toBeLessThan(120 * 1024 * 1024)
    expect(t.server.connectionCount).toBe(1)

    const client = await t.wellBehaved()
    await expect(client.bulky.echo('still serving')).resolves.toBe('still serving')
  })

  it('is terminated when the replies of calls already running pile up past twice the bound', async () => {
    const t = await setup()
    const closed = new Promise<string>((resolve) => t.host.hooks.connectionClosed.tap({ name: 'test-closed', owner: 'test' }, (caller) => resolve(caller.id)))
    const before = memory()
    const reader = await t.slowReader()
    await reader.sendAll(t.frames('bulky.bigLater'))
    await expect.poll(() => t.started.length, { timeout: 20_000 }).toBe(REQUESTS)
    t.release.resolve()

    await expect(closed).resolves.toMatch(/^ws:/)
    expect(t.logger.entries.some((entry) => entry.msg === 'A WebSocket peer is not reading what it is sent; terminating it')).toBe(true)
    expect(memory() - before).toBeLessThan(120 * 1024 * 1024)
    expect(t.server.connectionCount).toBe(0)

    const client = await t.wellBehaved()
    await expect(client.bulky.echo('still serving')).resolves.toBe('still serving')
  })
})
