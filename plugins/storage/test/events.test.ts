// The `changed` event: after a successful write only, to subscribers only.
import { describe, expect, it } from 'vitest'
import { definePlugin } from '@atomiton/plugin-sdk'
import { createStoreFolder, createTestHost } from '@atomiton/plugin-sdk/testing'
import { storagePlugin } from '../index'
import { failure, failingStores } from './support'

describe('storage.changed', () => {
  it('reaches a subscriber after each write, and not a connection that did not subscribe', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const bystander = t.connect()
    const seen: unknown[] = []
    const off = t.client.$on('storage.changed', (payload) => seen.push(payload))
    await off.ready

    await t.client.storage.set({ namespace: 'app', key: 'a', value: 1 })
    await t.client.storage.setMany({ namespace: 'app', entries: [{ key: 'b', value: 2 }, { key: 'c', value: 3 }, { key: 'b', value: 4 }] })
    await t.client.storage.delete({ namespace: 'app', key: 'a' })
    await t.client.storage.deleteMany({ namespace: 'app', keys: ['b', 'missing'] })
    await t.client.storage.clear({ namespace: 'app' })

    await expect.poll(() => seen).toEqual([
      { namespace: 'app', key: 'a', op: 'set' },
      { namespace: 'app', keys: ['b', 'c'], op: 'set' },
      { namespace: 'app', key: 'a', op: 'delete' },
      { namespace: 'app', keys: ['b'], op: 'delete' },
      { namespace: 'app', op: 'clear' },
    ])
    expect(bystander.bridge.stats.events).toBe(0)
    off()
  })

  it('is not sent for a refused write, nor for a write that changes nothing', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const seen: unknown[] = []
    const off = t.client.$on('storage.changed', (payload) => seen.push(payload))
    await off.ready

    await failure(t.client.storage.set({ namespace: 'app', key: '', value: 1 }))
    await failure(t.host.call('storage.set', { namespace: 'app', key: 'k', value: () => 1 }))
    await t.client.storage.delete({ namespace: 'app', key: 'missing' })
    await t.client.storage.deleteMany({ namespace: 'app', keys: ['missing'] })
    await t.client.storage.clear({ namespace: 'app' })
    await t.client.storage.set({ namespace: 'app', key: 'last', value: 1 })

    await expect.poll(() => seen).toEqual([{ namespace: 'app', key: 'last', op: 'set' }])
    off()
  })

  it('is not sent when the disk write fails', async () => {
    const { factory, failing } = failingStores((await createStoreFolder()).stores())
    const t = await createTestHost({ plugins: [storagePlugin], stores: factory })
    const seen: unknown[] = []
    const off = t.client.$on('storage.changed', (payload) => seen.push(payload))
    await off.ready

    failing.add('storage.app')
    expect(await failure(t.client.storage.set({ namespace: 'app', key: 'k', value: 1 }))).toMatchObject({ code: 'INTERNAL' })
    failing.clear()
    await t.client.storage.set({ namespace: 'app', key: 'after', value: 1 })
    await expect.poll(() => seen).toEqual([{ namespace: 'app', key: 'after', op: 'set' }])
    off()
  })

  it('is delivered in process to a plugin listening with ctx.on', async () => {
    const seen: unknown[] = []
    const watcher = definePlugin({
      id: 'watcher',
      version: '1.0.0',
      dependencies: ['storage'],
      permissions: ['storage.read'],
      setup: (ctx) => void ctx.on('storage.changed', (payload) => seen.push(payload)),
    })
    const t = await createTestHost({ plugins: [storagePlugin, watcher] })
    await t.client.storage.set({ namespace: 'app', key: 'k', value: 1 })
    expect(seen).toEqual([{ namespace: 'app', key: 'k', op: 'set' }])
  })
})
