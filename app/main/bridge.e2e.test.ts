/**
 * End to end through everything that ships: the REAL built preload (`electron.vite.config.ts` ->
 * `preload/index.cjs`), run in a sandbox-like isolated world whose `require` knows only `electron`, talking
 * through the Electron emulation to the real `attachIpcTransport` and a real Connectable.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AtomitonBridge } from '@atomiton/core/common/bridge'
import { PROTOCOL_METHOD, type ResponseMessage } from '@atomiton/core/common/protocol'
import { buildPreload, createIpcFixture, loadPreload, type BuiltPreload, type IpcFixture } from '../test-support/ipc-fixture'
import type { EmulatedWebContents } from '../test-support/electron-ipc'
import type { testPlugin, TestHost } from '../test-support/test-host'
import { createRPCClient } from '@atomiton/core/client/client'
import { IPC_CHANNELS } from './ipc-transport'

/** The whole preload: its entry and the bridge it exposes (bundled into one file). */
const preloadSource = ['../preload/index.ts', '../preload/bridge.ts']
  .map((file) => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8'))
  .join('\n')

let preload: BuiltPreload
let current: IpcFixture<TestHost> | undefined

beforeAll(async () => {
  preload = await buildPreload()
}, 60_000)

afterAll(() => preload?.remove())

afterEach(() => {
  current?.dispose()
  current = undefined
})

async function open(): Promise<{ bridge: AtomitonBridge; webContents: EmulatedWebContents; fixture: IpcFixture<TestHost> }> {
  const opened = await createIpcFixture()
  current = opened
  const webContents = opened.openWindow()
  return { bridge: loadPreload(webContents.page, preload), webContents, fixture: opened }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('the built preload', () => {
  it('is one CommonJS file named index.cjs that requires nothing but electron', () => {
    expect(preload.path.endsWith('/preload/index.cjs')).toBe(true)
    const requires = [...preload.code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1])
    expect(requires).toEqual(['electron'])
    expect(preload.code).not.toMatch(/\bimport\s*[({'"]|\bimport\s+\w|\bexport\s/)
  })

  it('exposes exactly invoke, on and send, frozen, on a non-writable window.atomitonBridge', async () => {
    const { bridge, webContents } = await open()
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'send'])
    for (const key of ['invoke', 'on', 'send'] as const) expect(typeof bridge[key]).toBe('function')
    expect(Object.isFrozen(bridge)).toBe(true)
    const descriptor = Object.getOwnPropertyDescriptor(webContents.page.window, 'atomitonBridge')
    expect(descriptor).toMatchObject({ writable: false, configurable: false })
    expect(Object.keys(webContents.page.window)).toEqual(['atomitonBridge'])
  })

  it('uses the channels the transport listens on', () => {
    const literal = (name: string): string | undefined => new RegExp(`const ${name} = '([^']+)'`).exec(preloadSource)?.[1]
    expect(literal('INVOKE_CHANNEL')).toBe(IPC_CHANNELS.invoke)
    expect(literal('SEND_CHANNEL')).toBe(IPC_CHANNELS.send)
    expect(literal('MESSAGE_CHANNEL')).toBe(IPC_CHANNELS.message)
    expect(literal('PROTOCOL_METHOD')).toBe(PROTOCOL_METHOD)
  })

  it('is under 50 lines of code, entry and bridge together', () => {
    const withoutBlockComments = preloadSource.replace(/\/\*[\s\S]*?\*\//g, '')
    const code = withoutBlockComments.split('\n').filter((line) => {
      const trimmed = line.trim()
      return trimmed !== '' && !trimmed.startsWith('//')
    })
    expect(code.length).toBeLessThan(50)
  })
})

describe('invoke', () => {
  it('round-trips a shorthand call: cloned params in, the host envelope out', async () => {
    const { bridge, webContents, fixture } = await open()
    const params = { at: new Date(3), tags: new Set(['a']), point: new Point(1, 2) }
    const response = (await bridge.invoke('test.echo', params)) as ResponseMessage
    expect(response).toMatchObject({ kind: 'response', ok: true })
    const result = (response as { result: typeof params }).result
    expect(result.at.getTime()).toBe(3)
    expect([...result.tags]).toEqual(['a'])
    expect(result.point).not.toBeInstanceOf(Point)
    expect(result.point).toEqual({ x: 1, y: 2 })
    const [call] = fixture.host.invokes
    expect(call).toMatchObject({ method: 'test.echo', callerId: `window:${webContents.id}` })
    const [connection] = fixture.host.connections
    expect(connection?.caller).toEqual({ id: `window:${webContents.id}`, kind: 'renderer', grants: ['test.*'] })
  })

  it('carries protocol envelopes on $rpc, answered with the request id', async () => {
    const { bridge } = await open()
    const response = await bridge.invoke(PROTOCOL_METHOD, { kind: 'request', id: 7, method: 'test.echo', params: 1 })
    expect(response).toEqual({ kind: 'response', id: 7, ok: true, result: 1 })
    const batch = await bridge.invoke(PROTOCOL_METHOD, {
      kind: 'batch',
      requests: [
        { kind: 'request', id: 'a', method: 'test.echo', params: 'x' },
        { kind: 'request', id: 'b', method: 'nope.nope' },
      ],
    })
    expect(batch).toMatchObject({
      kind: 'batch',
      responses: [
        { id: 'a', ok: true, result: 'x' },
        { id: 'b', ok: false, error: { code: 'METHOD_NOT_FOUND' } },
      ],
    })
  })

  it('delivers error envelopes as data (code and data survive the wire)', async () => {
    const { bridge } = await open()
    await expect(bridge.invoke('nope.nope')).resolves.toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } })
  })

  it('rejects a non-string method in the preload, before anything is sent', async () => {
    const { bridge, fixture } = await open()
    const rejected = await (bridge.invoke as (method: unknown) => Promise<unknown>)(42).catch((error: unknown) => error)
    expect(rejected).toBeInstanceOf(Error)
    expect((rejected as Error).message).toBe('atomitonBridge: method must be a non-empty string')
    await fixture.electron.settled()
    expect(fixture.host.invokes).toHaveLength(0)
    expect(fixture.host.connections).toHaveLength(0)
  })

  it('rejects params that cannot be cloned (a page function), and nothing reaches the host', async () => {
    const { bridge, fixture } = await open()
    await expect(bridge.invoke('test.echo', { callback: () => 1 })).rejects.toThrow('An object could not be cloned.')
    await fixture.electron.settled()
    expect(fixture.host.invokes).toHaveLength(0)
  })
})

describe('on', () => {
  async function subscribe(bridge: AtomitonBridge, event: string): Promise<void> {
    await bridge.invoke('rpc.subscribe', { event })
  }

  it('delivers only the payload, never the IPC event object', async () => {
    const { bridge, fixture } = await open()
    const received: unknown[][] = []
    bridge.on('test.tick', (...args: unknown[]) => void received.push(args))
    await subscribe(bridge, 'test.tick')
    expect(fixture.host.publish('tick', { n: 1, point: new Point(0, 1) })).toBe(1)
    await fixture.electron.settled()
    expect(received).toEqual([[{ n: 1, point: { x: 0, y: 1 } }]])
    expect(received[0]).toHaveLength(1)
    expect(received[0]![0]).not.toHaveProperty('sender')
    expect(received[0]![0]).not.toHaveProperty('ports')
  })

  it('delivers an event only to its own listeners', async () => {
    const { bridge, fixture } = await open()
    const tick = vi.fn()
    const tock = vi.fn()
    bridge.on('test.tick', tick)
    bridge.on('test.tock', tock)
    await subscribe(bridge, 'test.tick')
    await subscribe(bridge, 'test.tock')
    fixture.host.publish('tock', 'only tock')
    await fixture.electron.settled()
    expect(tick).not.toHaveBeenCalled()
    expect(tock).toHaveBeenCalledExactlyOnceWith('only tock')
  })

  it('returns an unsubscribe closure that works although function identity is lost', async () => {
    const { bridge, fixture } = await open()
    const callback = vi.fn()
    const first = bridge.on('test.tick', callback)
    const second = bridge.on('test.tick', callback)
    await subscribe(bridge, 'test.tick')
    fixture.host.publish('tick', 1)
    await fixture.electron.settled()
    expect(callback).toHaveBeenCalledTimes(2)
    first()
    first()
    fixture.host.publish('tick', 2)
    await fixture.electron.settled()
    expect(callback).toHaveBeenCalledTimes(3)
    expect(callback).toHaveBeenLastCalledWith(2)
    second()
    fixture.host.publish('tick', 3)
    await fixture.electron.settled()
    expect(callback).toHaveBeenCalledTimes(3)
  })

  it('keeps delivering to other listeners when one page callback throws', async () => {
    const { bridge, fixture } = await open()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const good = vi.fn()
    bridge.on('test.tick', () => {
      throw new Error('page bug')
    })
    bridge.on('test.tick', good)
    await subscribe(bridge, 'test.tick')
    fixture.host.publish('tick', 1)
    await fixture.electron.settled()
    expect(good).toHaveBeenCalledExactlyOnceWith(1)
    expect(consoleError).toHaveBeenCalledTimes(1)
  })

  it('validates its arguments', async () => {
    const { bridge } = await open()
    const on = bridge.on as (event: unknown, callback: unknown) => () => void
    expect(() => on('', () => undefined)).toThrow('atomitonBridge: event must be a non-empty string')
    expect(() => on(1, () => undefined)).toThrow('atomitonBridge: event must be a non-empty string')
    expect(() => on('tick', 'not a function')).toThrow('atomitonBridge: callback must be a function')
  })
})

describe('send', () => {
  it('sends a one-way message with cloned params to the window connection', async () => {
    const { bridge, webContents, fixture } = await open()
    expect(bridge.send('test.note', { point: new Point(2, 2) })).toBeUndefined()
    await fixture.electron.settled()
    expect(fixture.host.sends).toEqual([
      expect.objectContaining({ method: 'test.note', params: { point: { x: 2, y: 2 } }, callerId: `window:${webContents.id}` }),
    ])
  })

  it('throws for a non-string method or uncloneable params, and nothing is sent', async () => {
    const { bridge, fixture } = await open()
    expect(() => (bridge.send as (method: unknown) => void)(undefined)).toThrow('atomitonBridge: method must be a non-empty string')
    expect(() => bridge.send('test.note', { fn: () => 1 })).toThrow('An object could not be cloned.')
    await fixture.electron.settled()
    expect(fixture.host.sends).toHaveLength(0)
  })
})

describe('the one protocol (issue 9, item 3), through the real preload', () => {
  it('answers requests and batches sent one way on $rpc, and pushes events, all as host messages on on("$rpc")', async () => {
    const { bridge, fixture } = await open()
    const messages: unknown[] = []
    bridge.on(PROTOCOL_METHOD, (message) => void messages.push(message))
    await bridge.invoke('rpc.subscribe', { event: 'test.tick' })
    bridge.send(PROTOCOL_METHOD, { kind: 'request', id: 1, method: 'test.echo', params: new Date(1) })
    bridge.send(PROTOCOL_METHOD, { kind: 'batch', id: 4, requests: [2, 3].map((id) => ({ kind: 'request', id, method: 'test.echo', params: id })) })
    await fixture.electron.settled()
    fixture.host.publish('tick', { n: 1 })
    await fixture.electron.settled()
    expect(messages).toEqual([
      { kind: 'response', id: 1, ok: true, result: new Date(1) },
      { kind: 'batch', id: 4, responses: [2, 3].map((id) => ({ kind: 'response', id, ok: true, result: id })) },
      { kind: 'event', event: 'test.tick', payload: { n: 1 } },
    ])
    // Nothing went through invoke but the subscription: the protocol rides on send and one message channel.
    expect(fixture.host.invokes.map((call) => call.method)).toEqual(['rpc.subscribe'])
  })

  it('carries the typed client: batched calls, events and a cancel', async () => {
    const { bridge, fixture } = await open()
    const client = createRPCClient<readonly [typeof testPlugin]>(bridge)
    const ticks: unknown[] = []
    await client.$on('test.tick', (payload) => void ticks.push(payload)).ready
    await expect(Promise.all([client.test.echo('a'), client.test.echo(new Set([1]))])).resolves.toEqual(['a', new Set([1])])
    const controller = new AbortController()
    const waiting = client.test.wait(undefined, { signal: controller.signal })
    await expect.poll(() => fixture.host.connections[0]?.pendingCount).toBe(1)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' })
    await fixture.electron.settled()
    expect(fixture.host.connections[0]?.pendingCount).toBe(0)
    fixture.host.publish('tick', 'tock')
    await fixture.electron.settled()
    expect(ticks).toEqual(['tock'])
    // Every call and the cancel went one way on rpc:send, as protocol envelopes.
    expect(fixture.host.sends.map((call) => (call.params as { kind: string }).kind)).toEqual(['request', 'batch', 'request', 'cancel'])
    client.$dispose()
  })
})

describe('lifecycle through the bridge', () => {
  it('a reloaded document gets a fresh bridge and a fresh connection; the old one is closed', async () => {
    const { bridge, webContents, fixture } = await open()
    await bridge.invoke('rpc.subscribe', { event: 'test.tick' })
    webContents.navigate('app://atomiton/index.html')
    const next = loadPreload(webContents.page, preload)
    await next.invoke('test.echo', 1)
    const [old, fresh] = fixture.host.connectionsOf(`window:${webContents.id}`)
    expect(old?.closed).toBe(true)
    expect(old?.closeReason).toBe('main frame navigated')
    expect(fresh?.closed).toBe(false)
    expect(fixture.host.publish('tick', 1)).toBe(0)
  })
})
