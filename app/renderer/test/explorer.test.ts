import { describe, expect, it, vi } from 'vitest'
import { useExplorerStore } from '../src/stores/explorer'
import { rendererOnHost } from './host'

describe('the explorer store', () => {
  it('calls any method by name, with the result or the error and a duration', async () => {
    await rendererOnHost()
    const explorer = useExplorerStore()
    const ok = await explorer.call('rpc.ping', undefined)
    expect(ok).toMatchObject({ ok: true, value: { pong: true } })
    expect(ok.durationMs).toBeGreaterThanOrEqual(0)

    const bad = await explorer.call('storage.get', { namespace: 'notes' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', issues: [{ path: ['key'] }] } })
    expect(explorer.outcomes['storage.get']).toEqual(bad)

    const unknown = await explorer.call('nope.nothing', {})
    expect(unknown).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } })
  })

  it('logs a subscribed event, and the end of the subscription when its plugin is disabled', async () => {
    const { t } = await rendererOnHost()
    const explorer = useExplorerStore()
    explorer.subscribe('storage.changed')
    await vi.waitFor(() => expect(explorer.subscriptions['storage.changed']).toBe('active'))
    const other = t.connect()
    await other.client.storage.set({ namespace: 'notes', key: 'a', value: 1 })
    await vi.waitFor(() => expect(explorer.log[0]).toMatchObject({ kind: 'event', event: 'storage.changed', payload: { key: 'a', op: 'set' } }))

    await other.client.system.disablePlugin({ id: 'storage', cascade: true })
    await vi.waitFor(() => expect(explorer.log[0]).toMatchObject({ kind: 'ended', event: 'storage.changed' }))
    expect(explorer.subscriptions['storage.changed']).toBeUndefined()
  })
})
