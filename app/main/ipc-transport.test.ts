/**
 * `attachIpcTransport` against the Electron emulation and a real Connectable: sender validation, payload
 * validation, one connection per window, and cleanup on destroy and navigation.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WebContents } from 'electron'
import { PROTOCOL_METHOD, success, type ResponseMessage } from '@atomiton/core/common/protocol'
import type { ConnectOptions, Connectable, HostConnection } from '@atomiton/core/host/connection'
import { asWebContents, type EmulatedPage } from '../test-support/electron-ipc'
import { createIpcFixture, type IpcFixture } from '../test-support/ipc-fixture'
import type { TestHost } from '../test-support/test-host'
import { IPC_CHANNELS } from './ipc-transport'
import { hardenWebContents, isAllowedOrigin } from './security'

let current: IpcFixture<Connectable> | undefined

afterEach(() => {
  current?.dispose()
  current = undefined
})

async function setup<H extends Connectable = TestHost>(options: Parameters<typeof createIpcFixture<H>>[0] = {}): Promise<IpcFixture<H>> {
  const fixture = await createIpcFixture<H>(options)
  current = fixture
  return fixture
}

const invoke = (page: EmulatedPage, method: string, params?: unknown): Promise<unknown> =>
  page.ipcRenderer.invoke(IPC_CHANNELS.invoke, { method, params })

describe('sender validation', () => {
  it('serves the main frame of a window at an allowed origin', async () => {
    const { openWindow, host } = await setup()
    const win = openWindow()
    await expect(invoke(win.page, 'test.echo', 'hi')).resolves.toMatchObject({ kind: 'response', ok: true, result: 'hi' })
    expect(host.connections).toHaveLength(1)
  })

  it('refuses a subframe: FORBIDDEN, a warning, and the host never sees it', async () => {
    const { openWindow, host, warnings, electron } = await setup()
    const win = openWindow()
    const frame = win.addSubframe('app://atomiton/embedded.html')
    const response = (await invoke(frame, 'test.echo', 1)) as ResponseMessage
    expect(response).toEqual({ kind: 'response', id: null, ok: false, error: { code: 'FORBIDDEN', message: 'Forbidden' } })
    frame.ipcRenderer.send(IPC_CHANNELS.send, { method: 'test.note' })
    await electron.settled()
    expect(host.invokes).toHaveLength(0)
    expect(host.sends).toHaveLength(0)
    expect(host.connections).toHaveLength(0)
    expect(warnings()).toEqual([
      expect.objectContaining({ msg: 'ipc: message refused', channel: IPC_CHANNELS.invoke, reason: 'not the main frame' }),
      expect.objectContaining({ msg: 'ipc: message refused', channel: IPC_CHANNELS.send, reason: 'not the main frame' }),
    ])
  })

  it('refuses a window whose document has a foreign origin', async () => {
    const { openWindow, host, warnings, electron } = await setup()
    for (const url of ['https://evil.example/', 'app://atomiton.evil.example/index.html', 'file:///etc/passwd', 'about:blank']) {
      const win = openWindow(url)
      await expect(invoke(win.page, 'test.echo')).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      win.page.ipcRenderer.send(IPC_CHANNELS.send, { method: 'test.note' })
    }
    await electron.settled()
    expect(host.invokes).toHaveLength(0)
    expect(host.sends).toHaveLength(0)
    expect(host.connections).toHaveLength(0)
    expect(warnings()).toHaveLength(8)
    expect(warnings().every((entry) => entry.reason === 'origin not allowed')).toBe(true)
  })

  it('refuses a message whose senderFrame is null (the document navigated away)', async () => {
    const { openWindow, host, warnings, electron } = await setup()
    const win = openWindow()
    const old = win.page
    // The old document's messages are still in flight when the frame commits a new document.
    const pending = invoke(old, 'test.echo', 'late').then(
      (value) => ({ settled: 'resolved', value }),
      (error: unknown) => ({ settled: 'rejected', error }),
    )
    old.ipcRenderer.send(IPC_CHANNELS.send, { method: 'test.note' })
    win.navigate('app://atomiton/index.html')
    await electron.settled()
    expect(host.invokes).toHaveLength(0)
    expect(host.sends).toHaveLength(0)
    expect(warnings().map((entry) => entry.reason)).toEqual(['sender frame gone', 'sender frame gone'])
    // The reply goes nowhere: that document no longer exists (its promise is never settled).
    void pending
  })

  it('answers FORBIDDEN with the request ids of a refused $rpc request or batch', async () => {
    const { openWindow } = await setup()
    const frame = openWindow().addSubframe('app://atomiton/embedded.html')
    const request = { kind: 'request', id: 41, method: 'test.echo' }
    await expect(frame.ipcRenderer.invoke(IPC_CHANNELS.invoke, { method: PROTOCOL_METHOD, params: request })).resolves.toMatchObject({
      id: 41,
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const batch = { kind: 'batch', requests: [request, { ...request, id: 'b' }] }
    await expect(frame.ipcRenderer.invoke(IPC_CHANNELS.invoke, { method: PROTOCOL_METHOD, params: batch })).resolves.toMatchObject({
      kind: 'batch',
      responses: [
        { id: 41, ok: false, error: { code: 'FORBIDDEN' } },
        { id: 'b', ok: false, error: { code: 'FORBIDDEN' } },
      ],
    })
  })
})

describe('payload validation', () => {
  it.each([
    ['no payload', []],
    ['a string', ['test.echo']],
    ['null', [null]],
    ['an array', [['test.echo']]],
    ['a numeric method', [{ method: 1 }]],
    ['an empty method', [{ method: '' }]],
    ['two arguments', [{ method: 'test.echo' }, 'extra']],
  ])('answers BAD_REQUEST to %s, and the host never sees it', async (_name, args) => {
    const { openWindow, host, warnings } = await setup()
    const win = openWindow()
    await expect(win.page.ipcRenderer.invoke(IPC_CHANNELS.invoke, ...args)).resolves.toMatchObject({
      kind: 'response',
      id: null,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    expect(host.invokes).toHaveLength(0)
    expect(warnings()).toEqual([expect.objectContaining({ reason: 'malformed payload' })])
  })

  it('drops a malformed send with a warning', async () => {
    const { openWindow, host, warnings, electron } = await setup()
    openWindow().page.ipcRenderer.send(IPC_CHANNELS.send, { method: 42 })
    await electron.settled()
    expect(host.sends).toHaveLength(0)
    expect(warnings()).toEqual([expect.objectContaining({ reason: 'malformed payload', channel: IPC_CHANNELS.send })])
  })
})

describe('connections', () => {
  it('keys one connection per window, with caller window:<id>, kind renderer and the window grants', async () => {
    const grantsFor = vi.fn((webContents: WebContents) => [`grant.${webContents.id}`])
    const { openWindow, host, electron } = await setup({ grantsFor })
    const a = openWindow()
    const b = openWindow()
    await invoke(a.page, 'test.echo', 1)
    await invoke(a.page, 'test.echo', 2)
    a.page.ipcRenderer.send(IPC_CHANNELS.send, { method: 'test.note', params: 3 })
    await invoke(b.page, 'test.echo', 4)
    await electron.settled()
    expect(host.connections.map((connection) => connection.caller)).toEqual([
      { id: `window:${a.id}`, kind: 'renderer', grants: [`grant.${a.id}`] },
      { id: `window:${b.id}`, kind: 'renderer', grants: [`grant.${b.id}`] },
    ])
    // Read on every call (grants follow the catalog), always for the window that sent it.
    expect(new Set(grantsFor.mock.calls.map(([contents]) => contents))).toEqual(new Set([a, b]))
    grantsFor.mockImplementation(() => ['changed'])
    expect(host.connections[0]!.caller.grants).toEqual(['changed'])
    grantsFor.mockImplementation(() => {
      throw new Error('gone')
    })
    expect(host.connections[0]!.caller.grants).toEqual([])
    expect(host.sends).toEqual([expect.objectContaining({ callerId: `window:${a.id}`, method: 'test.note', params: 3 })])
  })

  it('delivers host events to that window only, as EventMessages on rpc:message (no channel per event)', async () => {
    const { openWindow, host, electron } = await setup()
    const a = openWindow()
    const b = openWindow()
    const seenA = vi.fn()
    const seenB = vi.fn()
    a.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => seenA(message))
    b.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => seenB(message))
    await invoke(a.page, 'rpc.subscribe', { event: 'test.tick' })
    await invoke(b.page, 'test.echo')
    host.publish('tick', { n: 1 })
    await electron.settled()
    expect(seenA).toHaveBeenCalledExactlyOnceWith({ kind: 'event', event: 'test.tick', payload: { n: 1 } })
    expect(seenB).not.toHaveBeenCalled()
  })

  it('answers a request or batch sent one way on rpc:send with a host message on rpc:message, to that window only', async () => {
    const { openWindow, electron } = await setup()
    const a = openWindow()
    const b = openWindow()
    const seenA = vi.fn()
    const seenB = vi.fn()
    a.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => seenA(message))
    b.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => seenB(message))
    a.page.ipcRenderer.send(IPC_CHANNELS.send, { method: PROTOCOL_METHOD, params: { kind: 'request', id: 1, method: 'test.echo', params: 'one' } })
    a.page.ipcRenderer.send(IPC_CHANNELS.send, {
      method: PROTOCOL_METHOD,
      params: { kind: 'batch', id: 4, requests: [2, 3].map((id) => ({ kind: 'request', id, method: 'test.echo', params: id })) },
    })
    await electron.settled()
    expect(seenA.mock.calls.map(([message]) => message)).toEqual([
      { kind: 'response', id: 1, ok: true, result: 'one' },
      { kind: 'batch', id: 4, responses: [2, 3].map((id) => ({ kind: 'response', id, ok: true, result: id })) },
    ])
    expect(seenB).not.toHaveBeenCalled()
  })

  it('opens a new connection when the host closed the previous one', async () => {
    const { openWindow, host } = await setup()
    const win = openWindow()
    await invoke(win.page, 'test.echo')
    host.connections[0]!.close('host shutting down')
    await expect(invoke(win.page, 'test.echo', 2)).resolves.toMatchObject({ kind: 'response', ok: true, result: 2 })
    expect(host.connections).toHaveLength(2)
    expect(host.connections[1]!.closed).toBe(false)
  })
})

describe('cleanup', () => {
  it('closes the connection when the window is destroyed: pending calls cancelled, subscriptions ended', async () => {
    const { openWindow, host, electron } = await setup()
    const win = openWindow()
    await invoke(win.page, 'rpc.subscribe', { event: 'test.tick' })
    void invoke(win.page, 'test.wait')
    await electron.settled()
    const [connection] = host.connections
    expect(connection?.pendingCount).toBe(1)
    win.destroy()
    expect(connection?.closed).toBe(true)
    expect(connection?.closeReason).toBe('window destroyed')
    expect(connection?.pendingCount).toBe(0)
    expect(connection?.subscriptions).toEqual([])
    expect(host.publish('tick', 1)).toBe(0)
    expect(win.listenerCount('did-navigate')).toBe(0)
  })

  it('closes the connection when the main frame commits a new document; the next document gets a new one', async () => {
    const { openWindow, host } = await setup()
    const win = openWindow()
    await invoke(win.page, 'rpc.subscribe', { event: 'test.tick' })
    win.navigate('app://atomiton/index.html', { initiator: 'renderer' })
    const [first] = host.connections
    expect(first?.closed).toBe(true)
    expect(first?.closeReason).toBe('main frame navigated')
    await invoke(win.page, 'test.echo')
    expect(host.connections).toHaveLength(2)
    expect(host.connections[1]?.caller.id).toBe(`window:${win.id}`)
    expect(host.connections[1]?.closed).toBe(false)
  })

  it('keeps the connection through a same-document navigation and a navigation the guard cancels', async () => {
    const { openWindow, host } = await setup()
    const win = openWindow()
    hardenWebContents(asWebContents(win), { isAllowedNavigation: (url) => isAllowedOrigin(url, ['app://atomiton']) })
    await invoke(win.page, 'test.echo')
    const startedNavigations = vi.fn()
    win.on('did-start-navigation', startedNavigations)
    expect(win.navigate('app://atomiton/index.html#/settings', { sameDocument: true }).committed).toBe(true)
    expect(win.navigate('https://evil.example/', { initiator: 'renderer' }).committed).toBe(false)
    expect(startedNavigations).toHaveBeenCalledTimes(2)
    expect(host.connections[0]?.closed).toBe(false)
    await invoke(win.page, 'test.echo')
    expect(host.connections).toHaveLength(1)
  })

  it('closes the connection when the renderer process is gone', async () => {
    const { openWindow, host } = await setup()
    const win = openWindow()
    await invoke(win.page, 'test.echo')
    win.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(host.connections[0]?.closeReason).toBe('renderer process gone')
  })

  it('dispose removes the handlers and closes every connection', async () => {
    const { openWindow, host, transport, electron } = await setup()
    const win = openWindow()
    const ownListeners = { destroyed: win.listenerCount('destroyed'), navigated: win.listenerCount('did-navigate') }
    await invoke(win.page, 'test.echo')
    expect(win.listenerCount('destroyed')).toBe(ownListeners.destroyed + 1)
    await transport.dispose()
    expect(host.connections[0]?.closeReason).toBe('transport disposed')
    await expect(invoke(win.page, 'test.echo')).rejects.toThrow(
      `Error invoking remote method '${IPC_CHANNELS.invoke}': Error: No handler registered for '${IPC_CHANNELS.invoke}'`,
    )
    expect(electron.ipcMain.listenerCount(IPC_CHANNELS.send)).toBe(0)
    expect(win.listenerCount('destroyed')).toBe(ownListeners.destroyed)
    expect(win.listenerCount('did-navigate')).toBe(ownListeners.navigated)
  })
})

/** A Connectable that exposes its deliver callbacks and can be told to fail. */
class ProbeHost implements Connectable {
  readonly delivers: ConnectOptions['deliver'][] = []
  readonly replies: NonNullable<ConnectOptions['reply']>[] = []
  failConnect = false
  failInvoke = false

  connect(options: ConnectOptions): HostConnection {
    if (this.failConnect) throw new Error('connect exploded')
    this.delivers.push(options.deliver)
    if (options.reply) this.replies.push(options.reply)
    let closed = false
    return {
      id: 'probe',
      caller: options.caller,
      get closed() {
        return closed
      },
      invoke: (method, params) => {
        if (this.failInvoke) throw new Error('invoke exploded')
        return Promise.resolve(success(0, { method, params }))
      },
      send: () => undefined,
      close: () => {
        closed = true
      },
    }
  }
}

describe('robustness', () => {
  it('never throws across the wire: a host that throws yields an INTERNAL envelope and an error log', async () => {
    const probe = new ProbeHost()
    const { openWindow, logger } = await setup({ host: probe })
    const win = openWindow()
    probe.failConnect = true
    await expect(invoke(win.page, 'x.y')).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } })
    probe.failConnect = false
    probe.failInvoke = true
    await expect(invoke(win.page, 'x.y')).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(logger.entries.filter((entry) => entry.level === 'error')).toHaveLength(2)
  })

  it('replaces an answer that cannot be cloned by an INTERNAL envelope per response, so nobody waits', async () => {
    const probe = new ProbeHost()
    const { openWindow, electron, logger } = await setup({ host: probe })
    const win = openWindow()
    const received = vi.fn()
    win.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => received(message))
    await invoke(win.page, 'x.y')
    const reply = probe.replies[0]!
    reply(success(5, { fn: () => 1 }))
    reply({ kind: 'batch', id: 9, responses: [success(6, 'fine'), success(7, { fn: () => 1 })] })
    await electron.settled()
    const internal = { code: 'INTERNAL', message: expect.stringContaining('not structured-cloneable') }
    expect(received.mock.calls.map(([message]) => message)).toEqual([
      { kind: 'response', id: 5, ok: false, error: internal },
      { kind: 'batch', id: 9, responses: [success(6, 'fine'), { kind: 'response', id: 7, ok: false, error: internal }] },
    ])
    expect(logger.entries.filter((entry) => entry.level === 'error')).toHaveLength(2)
  })

  it('deliver is a no-op once the window is destroyed, and logs instead of throwing for unserialisable payloads', async () => {
    const probe = new ProbeHost()
    const { openWindow, warnings, electron } = await setup({ host: probe })
    const win = openWindow()
    const received = vi.fn()
    win.page.ipcRenderer.on(IPC_CHANNELS.message, (_event, message: unknown) => received(message))
    await invoke(win.page, 'x.y')
    const deliver = probe.delivers[0]!
    expect(() => deliver('tick', () => 1)).not.toThrow()
    expect(warnings()).toEqual([expect.objectContaining({ msg: 'ipc: event not delivered', event: 'tick' })])
    deliver('tick', 1)
    await electron.settled()
    expect(received).toHaveBeenCalledTimes(1)
    win.destroy()
    expect(() => deliver('tick', 2)).not.toThrow()
    await electron.settled()
    expect(received).toHaveBeenCalledTimes(1)
  })
})
