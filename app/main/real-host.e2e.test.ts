/**
 * The same wiring as `bridge.e2e.test.ts`, with a host of no plugins but the host's own and the real
 * typed client in the page: what the app's renderer does against main.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRPCClient } from '@atomiton/core/client'
import { RpcError } from '@atomiton/core/common/errors'
import type { ConnectOptions, Connectable, HostConnection } from '@atomiton/core/host/connection'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { buildPreload, createIpcFixture, loadPreload, type BuiltPreload, type IpcFixture } from '../test-support/ipc-fixture'

let preload: BuiltPreload
let host: Host | undefined
let fixture: IpcFixture<Connectable> | undefined

beforeAll(async () => {
  preload = await buildPreload()
}, 60_000)

afterAll(() => preload?.remove())

afterEach(async () => {
  fixture?.dispose()
  fixture = undefined
  await host?.dispose()
  host = undefined
})

/** The real host, with the connections it opens kept for inspection. */
async function start(): Promise<{ fixture: IpcFixture<Connectable>; connections: HostConnection[]; host: Host }> {
  const real = await createHost({ plugins: [] })
  host = real
  const connections: HostConnection[] = []
  const recording: Connectable = {
    connect(options: ConnectOptions) {
      const connection = real.connect(options)
      connections.push(connection)
      return connection
    },
  }
  fixture = await createIpcFixture({ host: recording, grantsFor: () => [] })
  return { fixture, connections, host: real }
}

describe('with the real host', () => {
  it('answers calls from the typed client running on the preload bridge', async () => {
    const { fixture: f, connections } = await start()
    const win = f.openWindow()
    const client = createRPCClient<never>(loadPreload(win.page, preload))
    await expect(client.$call('rpc.ping')).resolves.toMatchObject({ pong: true })
    const error = await client.$call('nope.nothing').catch((e: unknown) => e)
    expect(RpcError.is(error, 'METHOD_NOT_FOUND')).toBe(true)
    expect(connections.map((c) => c.caller)).toEqual([{ id: `window:${win.id}`, kind: 'renderer', grants: [] }])
    client.$dispose()
  })

  it('delivers subscribed events to the page, and ends them when the window goes', async () => {
    const { fixture: f, connections, host: real } = await start()
    const win = f.openWindow()
    const client = createRPCClient<never>(loadPreload(win.page, preload))
    const listener = vi.fn()
    const subscription = (client.$on as (event: string, listener: (payload: unknown) => void) => { ready: Promise<void> })(
      'rpc.catalogChanged',
      listener,
    )
    await subscription.ready
    expect(real.eventBus.emit('rpc.catalogChanged', { plugin: 'x', state: 'active' })).toBe(1)
    await f.electron.settled()
    expect(listener).toHaveBeenCalledExactlyOnceWith({ plugin: 'x', state: 'active' })
    win.destroy()
    expect(connections[0]?.closed).toBe(true)
    expect(real.eventBus.emit('rpc.catalogChanged', { plugin: 'x', state: 'disabled' })).toBe(0)
  })

  it('keeps refused senders away from the real host', async () => {
    const { fixture: f, connections } = await start()
    const frame = f.openWindow().addSubframe('https://evil.example/')
    await expect(frame.ipcRenderer.invoke('rpc:invoke', { method: 'rpc.ping' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(connections).toHaveLength(0)
  })
})
