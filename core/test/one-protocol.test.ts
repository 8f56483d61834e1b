// Issue 9, item 3: one protocol on every transport. The same cases run through the in-memory bridge and a
// real WebSocket server on 127.0.0.1 (the Electron IPC emulation runs them in app/main/bridge.e2e.test.ts):
// the client's requests, batches and cancels travel one way on `$rpc`, every answer and every event comes
// back as a host message on `on('$rpc')` (events as `EventMessage`, the one kind), a call's request id is
// its only correlation id, and the direct `invoke('domain.method', params)` shorthand still answers.
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createRPCClient } from '../src/client/client'
import type { AtomitonBridge } from '../src/common/bridge'
import { PROTOCOL_METHOD, type HostMessage } from '../src/common/protocol'
import { createHost, type Host } from '../src/host/create-host'
import { createInMemoryBridge } from '../src/transports/in-memory'
import { createProbe, labPlugin, type LabPlugins, type Probe } from '../src/transports/test-support/lab-plugin'
import { createWebSocketBridge } from '../src/transports/websocket/bridge'
import { attachWebSocketHost } from '../src/transports/websocket/server'

interface Opened {
  readonly host: Host
  readonly probe: Probe
  readonly bridge: AtomitonBridge
  /** The peer goes away (the in-memory bridge closes, the socket drops). */
  drop(): Promise<void>
}

const transports: [string, (maxBatchSize?: number) => Promise<Opened>][] = [
  [
    'the in-memory bridge',
    async (maxBatchSize) => {
      const probe = createProbe()
      const host = await createHost({ plugins: [labPlugin(probe)], rateLimit: false, ...(maxBatchSize ? { maxBatchSize } : {}) })
      onTestFinished(() => host.dispose())
      const memory = createInMemoryBridge(host, { id: 'window:one-protocol', kind: 'renderer', grants: ['*'] })
      onTestFinished(() => memory.close())
      return { host, probe, bridge: memory.bridge, drop: async () => memory.close() }
    },
  ],
  [
    'a WebSocket server on 127.0.0.1',
    async (maxBatchSize) => {
      const probe = createProbe()
      const host = await createHost({ plugins: [labPlugin(probe)], rateLimit: false, ...(maxBatchSize ? { maxBatchSize } : {}) })
      onTestFinished(() => host.dispose())
      const server = await attachWebSocketHost({ server: 0, host, token: 'one-protocol-token', allowedOrigins: (origin) => origin === undefined, grants: ['*'] })
      onTestFinished(() => server.close())
      const bridge = createWebSocketBridge({ url: server.url, token: 'one-protocol-token', WebSocket: NodeWebSocket })
      onTestFinished(() => bridge.close())
      await bridge.whenOpen()
      return { host, probe, bridge, drop: () => server.close() }
    },
  ],
]

/** Every host message the bridge hands to `on('$rpc')`, and a way to wait for the n-th. */
function hostMessages(bridge: AtomitonBridge) {
  const seen: HostMessage[] = []
  bridge.on(PROTOCOL_METHOD, (message) => seen.push(message as HostMessage))
  return seen
}

describe.each(transports)('through %s', (_name, open) => {
  it('answers the direct invoke("domain.method", params) with a response envelope', async () => {
    const { bridge } = await open()
    await expect(bridge.invoke('lab.echo', { n: new Date(5) })).resolves.toEqual({
      kind: 'response',
      id: expect.anything(),
      ok: true,
      result: { n: new Date(5) },
    })
    await expect(bridge.invoke('lab.nope', 1)).resolves.toMatchObject({ kind: 'response', ok: false, error: { code: 'METHOD_NOT_FOUND' } })
  })

  it('answers a request and a batch sent one way on $rpc with host messages naming their own ids', async () => {
    const { bridge } = await open()
    const seen = hostMessages(bridge)
    bridge.send(PROTOCOL_METHOD, { kind: 'request', id: 41, method: 'lab.echo', params: 'one' })
    bridge.send(PROTOCOL_METHOD, {
      kind: 'batch',
      id: 44,
      requests: [42, 43].map((id) => ({ kind: 'request', id, method: 'lab.later', params: id })),
    })
    await expect.poll(() => seen).toHaveLength(2)
    expect(seen).toEqual([
      { kind: 'response', id: 41, ok: true, result: 'one' },
      { kind: 'batch', id: 44, responses: [42, 43].map((id) => ({ kind: 'response', id, ok: true, result: id })) },
    ])
  })

  it('pushes events as EventMessages on $rpc, and their payloads to on(event)', async () => {
    const { bridge } = await open()
    const seen = hostMessages(bridge)
    const payloads: unknown[] = []
    bridge.on('lab.tick', (payload) => payloads.push(payload))
    await expect(bridge.invoke('rpc.subscribe', { event: 'lab.tick' })).resolves.toMatchObject({ ok: true })
    await expect(bridge.invoke('lab.emitTick', { n: 7 })).resolves.toMatchObject({ ok: true })
    await expect.poll(() => payloads).toEqual([{ n: 7 }])
    expect(seen).toEqual([{ kind: 'event', event: 'lab.tick', payload: { n: 7 } }])
  })

  it('the typed client: its request id is the one correlation id, calls and events share one listener', async () => {
    const { bridge } = await open()
    const seen = hostMessages(bridge)
    const client = createRPCClient<LabPlugins>(bridge)
    onTestFinished(() => client.$dispose())
    const ticks: unknown[] = []
    await client.$on('lab.tick', (payload) => ticks.push(payload)).ready
    await expect(Promise.all([client.lab.echo('a'), client.lab.later('b')])).resolves.toEqual(['a', 'b'])
    await client.lab.emitTick({ n: 1 })
    await expect.poll(() => ticks).toEqual([{ n: 1 }])
    // rpc.subscribe was call 1; the batch carried calls 2 and 3 under its own id 4; emitTick was call 5, whose
    // handler emitted the event before it returned.
    expect(seen.map((message) => (message.kind === 'event' ? message.event : message.id))).toEqual([1, 4, 'lab.tick', 5])
  })

  it('refuses a batch too large as a whole, under the batch’s id: each of its calls fails with it', async () => {
    const { bridge } = await open(2)
    const seen = hostMessages(bridge)
    const client = createRPCClient<LabPlugins>(bridge)
    onTestFinished(() => client.$dispose())
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => client.lab.echo(n)))
    expect(outcomes).toEqual([1, 2, 3].map(() => expect.objectContaining({ status: 'rejected', reason: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) })))
    expect(seen).toEqual([expect.objectContaining({ kind: 'response', id: 4, ok: false })])
    await expect(client.lab.echo('after')).resolves.toBe('after')
  })

  it('fails the client’s calls in flight with UNAVAILABLE when the peer goes away', async () => {
    const { bridge, probe, drop } = await open()
    const client = createRPCClient<LabPlugins>(bridge)
    onTestFinished(() => client.$dispose())
    // Caught at once: it may fail while `drop()` is still closing the server.
    const pending = client.lab.hang().catch((error: unknown) => error)
    await probe.started.promise
    await drop()
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE' })
    await expect(probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
  })
})
