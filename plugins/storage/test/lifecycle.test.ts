// Disabling the plugin at runtime: calls answer PLUGIN_DISABLED, subscriptions end, data stays.
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { storagePlugin } from '../index'
import { callerPlugin, failure } from './support'

describe('storage when disabled', () => {
  it('answers PLUGIN_DISABLED, ends subscriptions, and serves the same data once enabled again', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    await t.client.storage.set({ namespace: 'app', key: 'k', value: 'kept' })
    const ended: string[] = []
    const seen: unknown[] = []
    const off = t.client.$on('storage.changed', (payload) => seen.push(payload), { onEnd: (reason) => ended.push(reason) })
    await off.ready

    await t.host.plugins.disable('storage')
    await expect.poll(() => ended).toEqual(['plugin-disabled'])
    expect(await failure(t.client.storage.get({ namespace: 'app', key: 'k' }))).toMatchObject({
      code: 'PLUGIN_DISABLED',
      data: { plugin: 'storage' },
    })
    expect(await failure(t.client.storage.set({ namespace: 'app', key: 'k', value: 'lost' }))).toMatchObject({ code: 'PLUGIN_DISABLED' })
    expect(await failure(t.host.call('storage.recoveries'))).toMatchObject({ code: 'PLUGIN_DISABLED' })
    const late = t.client.$on('storage.changed', () => {})
    expect(await failure(late.ready)).toMatchObject({ code: 'METHOD_NOT_FOUND' })

    await t.host.plugins.enable('storage')
    await expect(t.client.storage.get({ namespace: 'app', key: 'k' })).resolves.toBe('kept')
    expect(seen).toEqual([])
  })

  it('a plugin that depends on storage goes with it, and comes back with it', async () => {
    const notes = callerPlugin('notes', ['storage.read', 'storage.write'])
    const t = await createTestHost({ plugins: [storagePlugin, notes] })
    expect(await failure(t.host.plugins.disable('storage'))).toMatchObject({ code: 'CONFLICT', data: { dependents: ['notes'] } })
    await t.host.plugins.disable('storage', { cascade: true })
    expect(t.host.plugins.get('notes')?.state).toBe('disabled')
    await t.host.plugins.enable('notes', { cascade: true })
    await expect(t.host.call('notes.run', { method: 'storage.keys', params: { namespace: 'notes' } })).resolves.toEqual([])
  })
})
