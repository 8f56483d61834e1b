// The WebSocket transport end to end: a real host, a real `ws` server on 127.0.0.1, and the typed client
// over the bridge. No fakes and no sleeps: every wait is on an event, a promise or `expect.poll`.
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket, type RawData } from 'ws'
import { createRPCClient } from '../../client/client'
import { RpcError } from '../../common/errors'
import { PROTOCOL_METHOD, RECONNECTED_EVENT, type ResponseMessage } from '../../common/protocol'
import { createHost, type Host } from '../../host/create-host'
import { createMemoryLogger } from '../../host/logger'
import { createProbe, labPlugin, type LabPlugins } from '../test-support/lab-plugin'
import { createWebSocketBridge, type WebSocketBridgeOptions, type WebSocketBridgeState } from './bridge'
import { decodeHostFrame, encodeInvoke, type ReplyFrame } from './codec'
import { attachWebSocketHost, type WebSocketHost, type WebSocketHostOptions } from './server'

const TOKEN = 'a-long-random-test-token'
const ORIGIN = 'http://127.0.0.1:5173'
const FAST = { initialDelayMs: 2, maxDelayMs: 20, factor: 2 }




type Plugins = LabPlugins

/** `ws`'s client as a browser would present itself: with an Origin. */
class BrowserSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN })
  }
}

/** The same, recording every frame it sends. */
function recordingSocket(frames: string[]) {
  return class extends BrowserSocket {
    override send(data: any, options?: any, cb?: any): void {
      frames.push(String(data))
      super.send(data, options, cb)
    }
  }
}

async function setup(serverOptions: Partial<WebSocketHostOptions> = {}) {
  const probe = createProbe()
  const logger = createMemoryLogger('debug')
  const host: Host = await createHost({ plugins: [labPlugin(probe)], logger, rateLimit: false })
  onTestFinished(() => host.dispose())
  const attach = async (server: number) => {
    const attached = await attachWebSocketHost({
      server,
      host,
      token: TOKEN,
      allowedOrigins: (origin) => origin === ORIGIN,
      grants: ['*'],
      logger,
      ...serverOptions,
    })
    onTestFinished(() => attached.close())
    return attached
  }
  const server: WebSocketHost = await attach(0)

  const connect = (options: Partial<WebSocketBridgeOptions> = {}) => {
    const states: WebSocketBridgeState[] = []
    const bridge = createWebSocketBridge({
      url: server.url,
      token: TOKEN,
      WebSocket: BrowserSocket,
      reconnect: FAST,
      onStateChange: (state) => states.push(state),
      ...options,
    })
    const client = createRPCClient<Plugins>(bridge)
    onTestFinished(() => {
      client.$dispose()
      bridge.close()
    })
    return { bridge, client, states }
  }

  /** A raw `ws` client, for what a bridge would never send; resolves once it is open. */
  const raw = async (query = `?token=${TOKEN}`, options: { origin?: string; autoPong?: boolean } = { origin: ORIGIN }) => {
    const socket = new NodeWebSocket(`${server.url}${query}`, options)
    onTestFinished(() => socket.terminate())
    const replies: ReplyFrame[] = []
    socket.on('message', (data: RawData) => {
      const decoded = decodeHostFrame(String(data))
      if (decoded.ok && decoded.frame.t === 'reply') replies.push(decoded.frame)
    })
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return { socket, replies, closed }
  }

  /** Opens a raw socket that must be refused; resolves with the HTTP status of the refusal. */
  const refusedStatus = (query: string, origin: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const socket = new NodeWebSocket(`${server.url}${query}`, origin === undefined ? {} : { origin })
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0)
        socket.terminate()
      })
      socket.on('open', () => reject(new Error('the connection was accepted')))
      socket.on('error', () => undefined)
    })

  return { host, server, probe, logger, attach, connect, raw, refusedStatus }
}

const request = (id: number, method: string, params?: unknown) => ({ kind: 'request' as const, id, method, params })

describe('the WebSocket transport', () => {
  it('answers a send frame it cannot read with an error envelope for the id its header names', async () => {
    const t = await setup()
    const { socket } = await t.raw()
    const messages: unknown[] = []
    socket.on('message', (data: RawData) => {
      const decoded = decodeHostFrame(String(data))
      if (decoded.ok && decoded.frame.t === 'message') messages.push(decoded.frame.message)
    })
    socket.send('S9:["$rpc",{"kind":"batch","id":9,')
    socket.send('s:[')
    socket.send(`S10:${JSON.stringify([PROTOCOL_METHOD, request(10, 'lab.echo', 'fine')])}`)
    await expect.poll(() => messages).toHaveLength(2)
    expect(messages).toEqual([
      { kind: 'response', id: 9, ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('Malformed frame') } },
      { kind: 'response', id: 10, ok: true, result: 'fine' },
    ])
  })

  it('answers a call over a real socket', async () => {
    const t = await setup()
    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    expect(bridge.state).toBe('open')
    expect(Object.keys(bridge).sort()).toEqual(['close', 'invoke', 'on', 'send', 'state', 'whenOpen'])
    await expect(client.lab.echo({ hello: 'world' })).resolves.toEqual({ hello: 'world' })
    await expect(client.rpc.ping()).resolves.toBeDefined()
    expect(t.server.connectionCount).toBe(1)
    expect(t.server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/rpc$/)
  })

  it('keeps Date, Map, Set, BigInt, typed arrays and undefined, both ways', async () => {
    const t = await setup()
    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    const value = {
      when: new Date(Date.UTC(2024, 4, 1, 12)),
      map: new Map<string, unknown>([['set', new Set([1, 'two', 3n])]]),
      big: 2n ** 64n + 1n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      missing: undefined,
      list: [undefined, { deep: new Date(0) }],
    }
    const copy = (await client.lab.echo(value)) as typeof value
    expect(copy).toEqual(value)
    expect(copy.when).toBeInstanceOf(Date)
    expect(copy.map.get('set')).toBeInstanceOf(Set)
    expect(copy.big).toBe(2n ** 64n + 1n)
    expect(copy.bytes).toBeInstanceOf(Uint8Array)
    expect(Object.hasOwn(copy, 'missing')).toBe(true)
  })

  it('sends calls made in the same tick as one frame', async () => {
    const t = await setup()
    const frames: string[] = []
    const { bridge, client } = t.connect({ WebSocket: recordingSocket(frames) })
    await bridge.whenOpen()
    const answers = await Promise.all([client.lab.echo(1), client.lab.echo(2), client.lab.echo(new Set([3]))])
    expect(answers).toEqual([1, 2, new Set([3])])
    expect(frames).toHaveLength(1)
    // One send frame: the batch envelope, whose id (after its three requests' 1-3) the header repeats.
    expect(frames[0]).toMatch(/^s4:\[/)
  })

  it('delivers events only to the clients that subscribed', async () => {
    const t = await setup()
    const a = t.connect()
    const b = t.connect()
    const seenByA: unknown[] = []
    const seenByB: unknown[] = []
    await Promise.all([a.bridge.whenOpen(), b.bridge.whenOpen()])
    await a.client.$on('lab.tick', (payload) => seenByA.push(payload)).ready
    b.bridge.on('lab.tick', (payload) => seenByB.push(payload))
    await b.client.lab.emitTick({ n: 1 })
    await expect.poll(() => seenByA).toEqual([{ n: 1 }])
    // Had the event been delivered to b, its frame would have preceded the reply to b's call.
    expect(seenByB).toEqual([])
    expect(t.host.eventBus.subscriptionCount('lab.tick')).toBe(1)
  })

  it('carries a cancel as a one-way frame: the handler on the host sees its signal abort', async () => {
    const t = await setup()
    const frames: string[] = []
    const { bridge, client } = t.connect({ WebSocket: recordingSocket(frames) })
    await bridge.whenOpen()
    const controller = new AbortController()
    const pending = client.lab.hang(undefined, { signal: controller.signal })
    await t.probe.started.promise
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(t.probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
    // The request names its id in the header (so it can be refused unread); the cancel expects no answer.
    expect(frames.map((frame) => frame.slice(0, frame.indexOf(':')))).toEqual(['s1', 'S'])
  })

  it('maps values that cannot cross: params to INVALID_PARAMS, a result to INTERNAL', async () => {
    const t = await setup()
    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    await expect(client.lab.echo({ fn: () => 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(client.lab.leak()).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('not structured-cloneable') })
    // One bad result in a batch fails only its own call.
    const [good, bad] = await Promise.allSettled([client.lab.echo('fine'), client.lab.leak()])
    expect(good).toEqual({ status: 'fulfilled', value: 'fine' })
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'INTERNAL' } })
    expect(() => bridge.send(PROTOCOL_METHOD, { fn: () => 1 })).toThrow(/could not be cloned/)
    await expect(client.lab.echo('still fine')).resolves.toBe('still fine')
  })

  it('refuses a wrong or missing token at the HTTP upgrade, before the host sees anything', async () => {
    const t = await setup()
    let connects = 0
    const connect = t.host.connect.bind(t.host)
    t.host.connect = (options) => (connects++, connect(options))
    await expect(t.refusedStatus('?token=wrong', ORIGIN)).resolves.toBe(401)
    await expect(t.refusedStatus('', ORIGIN)).resolves.toBe(401)
    await expect(t.refusedStatus(`?token=${TOKEN}x`, ORIGIN)).resolves.toBe(401)

    const refusals = () => t.logger.entries.filter((entry) => entry['status'] === 401).length
    const before = refusals()
    const { bridge, client, states } = t.connect({ token: 'wrong' })
    // It tried, was refused, and tried again (and was refused again).
    await expect.poll(refusals).toBeGreaterThanOrEqual(before + 2)
    expect(states).not.toContain('open')
    expect(bridge.state).not.toBe('open')
    await expect(client.lab.echo(1)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(connects).toBe(0)
    expect(t.server.connectionCount).toBe(0)
    expect(JSON.stringify(t.logger.entries)).not.toContain(TOKEN)
  })

  it('refuses a foreign or missing Origin at the HTTP upgrade', async () => {
    const t = await setup()
    await expect(t.refusedStatus(`?token=${TOKEN}`, 'https://evil.example')).resolves.toBe(403)
    await expect(t.refusedStatus(`?token=${TOKEN}`, 'null')).resolves.toBe(403)
    await expect(t.refusedStatus(`?token=${TOKEN}`, undefined)).resolves.toBe(403)
    expect(t.server.connectionCount).toBe(0)
    // Not the endpoint's path: 404 on a server of our own.
    const status = await new Promise<number>((resolve) => {
      const socket = new NodeWebSocket(t.server.url.replace('/rpc', '/other') + `?token=${TOKEN}`, { origin: ORIGIN })
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0)
        socket.terminate()
      })
      socket.on('error', () => undefined)
    })
    expect(status).toBe(404)
  })

  it('survives a server restart: pending calls fail UNAVAILABLE, then it reconnects and subscribes again', async () => {
    const t = await setup()
    const { bridge, client, states } = t.connect()
    const reconnected: unknown[] = []
    bridge.on(RECONNECTED_EVENT, (payload) => reconnected.push(payload))
    const ticks: unknown[] = []
    await bridge.whenOpen()
    await client.$on('lab.tick', (payload) => ticks.push(payload)).ready
    expect(t.host.eventBus.subscriptionCount('lab.tick')).toBe(1)

    const port = t.server.port
    const pending = client.lab.hang().catch((caught: unknown) => caught)
    await t.probe.started.promise
    await t.server.close()
    const error = await pending
    expect(RpcError.is(error, 'UNAVAILABLE')).toBe(true)
    // The host aborted the call it was running and ended the subscription.
    await expect(t.probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
    expect(t.host.eventBus.subscriptionCount()).toBe(0)

    // While it is down, calls fail at once: nothing can be sent.
    await expect.poll(() => bridge.state).not.toBe('open')
    await expect(client.lab.echo(1)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(() => bridge.send('lab.tick', { n: 0 })).toThrow(/unavailable/)

    await t.attach(port)
    await bridge.whenOpen()
    expect(reconnected).toEqual([undefined])
    await expect.poll(() => t.host.eventBus.subscriptionCount('lab.tick')).toBe(1)
    t.host.eventBus.emit('lab.tick', { n: 2 })
    await expect.poll(() => ticks).toEqual([{ n: 2 }])
    await expect(client.lab.echo('back')).resolves.toBe('back')
    expect(states.filter((state) => state === 'open')).toHaveLength(2)
  })

  it('closes the host connection when the socket goes: subscriptions end, running handlers are aborted', async () => {
    const t = await setup()
    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    await client.$on('lab.tick', () => undefined).ready
    const pending = client.lab.hang()
    await t.probe.started.promise
    expect(t.host.eventBus.subscriptionCount()).toBe(1)

    bridge.close()
    expect(bridge.state).toBe('closed')
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    const reason = await t.probe.aborted.promise
    expect(reason).toMatchObject({ code: 'CANCELLED' })
    await expect.poll(() => t.host.eventBus.subscriptionCount()).toBe(0)
    await expect.poll(() => t.server.connectionCount).toBe(0)
    await expect(bridge.whenOpen()).rejects.toThrow(/unavailable/)
  })

  it('shrugs off hostile frames: garbage is ignored, a readable id gets BAD_REQUEST, the socket lives on', async () => {
    const t = await setup()
    const { socket, replies } = await t.raw()
    for (const junk of ['garbage', '', '\u0000\uFFFF', 'i:[]', 'r1:[1]', 'e:[[1,2],"x",1]', `i3:${'['.repeat(100_000)}`]) socket.send(junk)
    socket.send(Buffer.from('binary frame'), { binary: true })
    socket.send('i5:{not devalue')
    socket.send('i6:[[1,2],7,1]')
    socket.send(encodeInvoke(7, PROTOCOL_METHOD, request(1, 'lab.echo', new Map([[1, 2]]))))
    await expect.poll(() => replies.map((reply) => reply.n).sort()).toEqual([3, 5, 6, 7])
    const byId = new Map(replies.map((reply) => [reply.n, reply.value as ResponseMessage]))
    for (const n of [3, 5, 6]) expect(byId.get(n)).toMatchObject({ ok: false, id: null, error: { code: 'BAD_REQUEST' } })
    expect(byId.get(7)).toEqual({ kind: 'response', id: 1, ok: true, result: new Map([[1, 2]]) })
    expect(t.logger.entries.filter((entry) => entry.msg === 'Malformed frame').length).toBeGreaterThanOrEqual(9)
    expect(t.server.connectionCount).toBe(1)
  })

  it('closes a socket that sends an oversized frame with 1009, cleaning up its calls, and keeps serving', async () => {
    const t = await setup({ maxPayloadBytes: 4096 })
    const { socket, closed } = await t.raw()
    socket.send(encodeInvoke(1, PROTOCOL_METHOD, request(1, 'lab.hang')))
    await t.probe.started.promise
    socket.send(`s:${'x'.repeat(8192)}`)
    await expect(closed).resolves.toBe(1009)
    await expect(t.probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
    await expect.poll(() => t.server.connectionCount).toBe(0)

    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    await expect(client.lab.echo('alive')).resolves.toBe('alive')
  })

  it('terminates a peer that stops answering pings, and keeps the ones that answer', async () => {
    const t = await setup({ heartbeatMs: 50 })
    const { bridge, client } = t.connect()
    await bridge.whenOpen()
    const silent = await t.raw(`?token=${TOKEN}`, { origin: ORIGIN, autoPong: false })
    await expect(silent.closed).resolves.toBe(1006)
    await expect.poll(() => t.server.connectionCount).toBe(1)
    expect(t.logger.entries.some((entry) => entry.msg?.includes('stopped answering pings'))).toBe(true)
    expect(bridge.state).toBe('open')
    await expect(client.lab.echo('alive')).resolves.toBe('alive')
  })

  it("refuses an upgrade whose Host is not the server's own loopback address (421), by default", async () => {
    const t = await setup()
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new NodeWebSocket(`${t.server.url}?token=${TOKEN}`, { origin: ORIGIN, headers: { Host: host } })
        socket.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0)
          socket.terminate()
        })
        socket.on('open', () => {
          socket.terminate()
          resolve(101)
        })
        socket.on('error', reject)
      })
    expect(await status(`evil.example:${t.server.port}`)).toBe(421)
    expect(await status(`127.0.0.1:${t.server.port + 1}`)).toBe(421)
    expect(await status(`127.0.0.1:${t.server.port}`)).toBe(101)
    expect(await status(`localhost:${t.server.port}`)).toBe(101)
  })

  it('attaches to an existing HTTP server without taking its other upgrades', async () => {
    const { createServer } = await import('node:http')
    const probe = createProbe()
    const host = await createHost({ plugins: [labPlugin(probe)], rateLimit: false })
    onTestFinished(() => host.dispose())
    const http = createServer((_request, response) => response.end('page'))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => http.close(() => resolve())))
    const attached = await attachWebSocketHost({ server: http, host, token: TOKEN, allowedOrigins: (origin) => origin === ORIGIN, grants: ['*'] })
    onTestFinished(() => attached.close())
    expect(attached.url).toBe(`ws://127.0.0.1:${(http.address() as { port: number }).port}/rpc`)

    const others: string[] = []
    http.on('upgrade', (request, socket) => {
      if (request.url?.startsWith('/hmr')) {
        others.push(request.url)
        socket.destroy()
      }
    })
    const hmr = new NodeWebSocket(attached.url.replace('/rpc', '/hmr'))
    await new Promise((resolve) => hmr.once('error', resolve))
    expect(others).toEqual(['/hmr'])

    const bridge = createWebSocketBridge({ url: attached.url, token: TOKEN, WebSocket: BrowserSocket, reconnect: FAST })
    onTestFinished(() => bridge.close())
    const client = createRPCClient<Plugins>(bridge)
    await bridge.whenOpen()
    await expect(client.lab.echo('shared')).resolves.toBe('shared')
    await attached.close()
    expect(http.listening).toBe(true)
  })
})
