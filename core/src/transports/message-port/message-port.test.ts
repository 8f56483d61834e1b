// The MessagePort transport end to end: a real host, a real worker_threads MessageChannel (both ends in
// this thread; the platform still clones every message), and the typed client over the bridge.
// No fakes of the transport and no sleeps: every wait is on an event, a promise or `expect.poll`.
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createRPCClient } from '../../client/client'
import type { ClientOptions } from '../../client/client'
import { PROTOCOL_METHOD, type ResponseMessage } from '../../common/protocol'
import { createHost, type Host } from '../../host/create-host'
import { createMemoryLogger } from '../../host/logger'
import { createProbe, labPlugin, type LabPlugins } from '../test-support/lab-plugin'
import { createMessagePortBridge } from './bridge'
import type { MessagePortLike } from './frames'
import { attachMessagePortHost } from './server'



type Plugins = LabPlugins

/** Records what a port posted (what the platform accepted), and can pose as a DOM port (no `on`: `addEventListener` and `event.data`). */
function observed(port: MessagePort, style: 'node' | 'dom') {
  const posted: unknown[] = []
  const like: MessagePortLike =
    style === 'node'
      ? {
          postMessage: (message) => (port.postMessage(message), posted.push(message)),
          on: (type, listener) => port.on(type, listener),
          off: (type, listener) => port.off(type, listener),
          close: () => port.close(),
        }
      : {
          postMessage: (message) => (port.postMessage(message), posted.push(message)),
          addEventListener: (type, listener) => port.addEventListener(type, listener),
          removeEventListener: (type, listener) => port.removeEventListener(type, listener),
          start: () => port.start(),
          close: () => port.close(),
        }
  return { like, posted }
}

async function setup(options: { style?: 'node' | 'dom'; client?: ClientOptions } = {}) {
  const probe = createProbe()
  const logger = createMemoryLogger('debug')
  const host: Host = await createHost({ plugins: [labPlugin(probe)], logger, rateLimit: false })
  onTestFinished(() => host.dispose())
  const ports = attachMessagePortHost({ host, grants: ['*'], logger })
  onTestFinished(() => ports.close())
  const channel = new MessageChannel()
  const served = ports.serve(channel.port2)
  const client = observed(channel.port1, options.style ?? 'node')
  const bridge = createMessagePortBridge(client.like)
  const rpc = createRPCClient<Plugins>(bridge, options.client)
  onTestFinished(() => {
    rpc.$dispose()
    bridge.close()
  })
  return { host, probe, logger, ports, served, channel, bridge, client: rpc, posted: client.posted }
}

describe('the MessagePort transport', () => {
  it('answers calls, synchronous and asynchronous, over a real channel', async () => {
    const t = await setup()
    await expect(t.client.lab.echo({ hello: 'world' })).resolves.toEqual({ hello: 'world' })
    await expect(t.client.lab.later('soon')).resolves.toBe('soon')
    await expect(t.client.rpc.ping()).resolves.toMatchObject({ pong: true })
    expect(t.ports.connectionCount).toBe(1)
    expect(t.served.connection.caller).toMatchObject({ kind: 'renderer', grants: ['*'] })
    expect(Object.keys(t.bridge).sort()).toEqual(['close', 'invoke', 'on', 'open', 'send'])
  })

  it('posts envelopes as objects, cloned by the platform: no JSON on the way', async () => {
    const t = await setup()
    const value = {
      when: new Date(Date.UTC(2024, 4, 1, 12)),
      map: new Map<string, unknown>([['set', new Set([1, 'two', 3n])]]),
      big: 2n ** 64n + 1n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      missing: undefined,
      special: [NaN, -0, Infinity],
    }
    const copy = (await t.client.lab.echo(value)) as typeof value
    expect(copy).toEqual(value)
    expect(copy.when).toBeInstanceOf(Date)
    expect(copy.map.get('set')).toBeInstanceOf(Set)
    expect(copy.bytes).toBeInstanceOf(Uint8Array)
    expect(Object.is(copy.special[1], -0)).toBe(true)
    expect(Object.hasOwn(copy, 'missing')).toBe(true)
    const [frame] = t.posted as [unknown[]]
    expect(frame[0]).toBe('i')
    expect(frame[2]).toBe(PROTOCOL_METHOD)
    expect(frame[3]).toMatchObject({ kind: 'request', method: 'lab.echo', params: { when: value.when } })
    expect(typeof frame[3]).toBe('object')
  })

  it('works with a DOM-style port (addEventListener, event.data, start)', async () => {
    const t = await setup({ style: 'dom' })
    await expect(t.client.lab.echo([1, 2, 3])).resolves.toEqual([1, 2, 3])
  })

  it('sends calls made in the same tick as one message, and can be told not to', async () => {
    const t = await setup()
    await expect(Promise.all([t.client.lab.echo(1), t.client.lab.later(2), t.client.lab.echo(new Set([3]))])).resolves.toEqual([1, 2, new Set([3])])
    expect(t.posted).toHaveLength(1)
    const unbatched = await setup({ client: { batch: false } })
    await Promise.all([unbatched.client.lab.echo(1), unbatched.client.lab.echo(2)])
    expect(unbatched.posted).toHaveLength(2)
  })

  it('shows a renderer only what plugins expose', async () => {
    const t = await setup()
    await expect(t.client.$call('lab.internal')).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    const main = attachMessagePortHost({ host: t.host, grants: ['*'], kind: 'main' })
    const channel = new MessageChannel()
    main.serve(channel.port2)
    const bridge = createMessagePortBridge(channel.port1)
    onTestFinished(() => (bridge.close(), main.close()))
    await expect(bridge.invoke('lab.internal')).resolves.toMatchObject({ ok: true, result: 'main only' } satisfies Partial<ResponseMessage>)
  })

  it('delivers events only to subscribers, as event frames', async () => {
    const t = await setup()
    const seen: unknown[] = []
    await t.client.$on('lab.tick', (payload) => seen.push(payload)).ready
    const other = await setup()
    const unseen: unknown[] = []
    other.bridge.on('lab.tick', (payload) => unseen.push(payload))
    await t.client.lab.emitTick({ n: 1 })
    await expect.poll(() => seen).toEqual([{ n: 1 }])
    expect(unseen).toEqual([])
    expect(t.host.eventBus.subscriptionCount('lab.tick')).toBe(1)
  })

  it('carries a cancel as a one-way frame: the handler sees its signal abort', async () => {
    const t = await setup()
    const controller = new AbortController()
    const pending = t.client.lab.hang(undefined, { signal: controller.signal })
    await t.probe.started.promise
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(t.probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
    expect(t.posted.map((frame) => (frame as unknown[])[0])).toEqual(['i', 's'])
  })

  it('maps values that cannot cross: params to INVALID_PARAMS (nothing sent), a result to INTERNAL', async () => {
    const t = await setup()
    await expect(t.client.lab.echo({ fn: () => 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    expect(t.posted).toHaveLength(0)
    await expect(t.client.lab.leak()).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('not structured-cloneable') })
    const [good, bad] = await Promise.allSettled([t.client.lab.echo('fine'), t.client.lab.leak()])
    expect(good).toEqual({ status: 'fulfilled', value: 'fine' })
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'INTERNAL' } })
    expect(() => t.bridge.send(PROTOCOL_METHOD, { fn: () => 1 })).toThrow(/could not be cloned/)
    await expect(t.client.lab.echo('still fine')).resolves.toBe('still fine')
  })

  it('ignores hostile frames without throwing, and keeps serving', async () => {
    const t = await setup()
    const port = t.channel.port1
    for (const junk of ['text', 42, null, {}, [], ['x', 1], ['i'], ['i', 0, '$rpc', {}], ['i', 1.5, '$rpc', {}], ['i', -1], ['r', 1, 'forged']]) {
      port.postMessage(junk)
    }
    // An invoke with a readable id but a malformed envelope is answered BAD_REQUEST.
    const replies: unknown[] = []
    port.on('message', (data) => replies.push(data))
    port.postMessage(['i', 99, PROTOCOL_METHOD, { kind: 'nonsense' }])
    await expect.poll(() => replies).toContainEqual(['r', 99, expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) })])
    await expect(t.client.lab.echo('alive')).resolves.toBe('alive')
    expect(t.logger.entries.filter((entry) => entry.level === 'warn').length).toBeGreaterThanOrEqual(5)
  })

  it('closing the client end aborts the host connection: its calls are cancelled, its subscriptions end', async () => {
    const t = await setup()
    await t.client.$on('lab.tick', () => undefined).ready
    const pending = t.client.lab.hang()
    await t.probe.started.promise
    t.bridge.close()
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(t.probe.aborted.promise).resolves.toMatchObject({ code: 'CANCELLED' })
    await expect.poll(() => t.served.connection.closed).toBe(true)
    expect(t.ports.connectionCount).toBe(0)
    expect(t.host.eventBus.subscriptionCount('lab.tick')).toBe(0)
    await expect(t.client.lab.echo(1)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(t.bridge.open).toBe(false)
  })

  it('closing the host end fails the client’s pending calls with UNAVAILABLE', async () => {
    const t = await setup()
    const pending = t.client.lab.hang()
    await t.probe.started.promise
    t.ports.close()
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect.poll(() => t.bridge.open).toBe(false)
    expect(() => t.ports.serve(new MessageChannel().port2)).toThrow(/closed/)
  })
})
