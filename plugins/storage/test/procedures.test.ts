// Every procedure's happy path, through a renderer's client (the in-memory bridge clones like Electron IPC).
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { storagePlugin } from '../index'

// The same tests in process and in its own process (as an installed package would run): one plugin source.
describe.each(['in process', 'in its own process'] as const)('storage procedures, %s', (mode) => {
  const start = () =>
    createTestHost({ plugins: [storagePlugin], ...(mode === 'in its own process' ? { isolate: { storage: new URL('../index.ts', import.meta.url) } } : {}) })

  it('set, get and has; an absent key is undefined and a stored undefined is told apart by has', async () => {
    const { client, host } = await start()
    // Where it runs: its own process (a pid, running) or this one (no process at all).
    expect(host.plugins.get('storage')?.process?.state).toBe(mode === 'in its own process' ? 'running' : undefined)
    await expect(client.storage.set({ namespace: 'app', key: 'theme', value: 'dark' })).resolves.toBeUndefined()
    await expect(client.storage.get({ namespace: 'app', key: 'theme' })).resolves.toBe('dark')
    await expect(client.storage.has({ namespace: 'app', key: 'theme' })).resolves.toBe(true)

    await expect(client.storage.get({ namespace: 'app', key: 'missing' })).resolves.toBeUndefined()
    await expect(client.storage.has({ namespace: 'app', key: 'missing' })).resolves.toBe(false)
    await client.storage.set({ namespace: 'app', key: 'nothing', value: undefined })
    await expect(client.storage.has({ namespace: 'app', key: 'nothing' })).resolves.toBe(true)
  })

  it('keeps what structured clone keeps', async () => {
    const { client } = await start()
    const value = {
      when: new Date('2024-05-01T10:00:00.000Z'),
      tags: new Set(['a', 'b']),
      sizes: new Map([['w', 800]]),
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
      pattern: /x+/gi,
      nested: { list: [1, 'two', null, undefined] },
    }
    await client.storage.set({ namespace: 'app', key: 'rich', value })
    await expect(client.storage.get({ namespace: 'app', key: 'rich' })).resolves.toEqual(value)
  })

  it('keeps dotted keys flat', async () => {
    const { client } = await start()
    await client.storage.set({ namespace: 'app', key: 'window.size', value: { width: 800 } })
    await client.storage.set({ namespace: 'app', key: 'window', value: 'main' })
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual(['window', 'window.size'])
    await expect(client.storage.get({ namespace: 'app', key: 'window.size' })).resolves.toEqual({ width: 800 })
    await expect(client.storage.get({ namespace: 'app', key: 'window' })).resolves.toBe('main')
    await expect(client.storage.has({ namespace: 'app', key: 'window.size.width' })).resolves.toBe(false)
  })

  it('keys are sorted and filtered by prefix', async () => {
    const { client } = await start()
    await client.storage.setMany({
      namespace: 'app',
      entries: [
        { key: 'user.name', value: 'Ada' },
        { key: 'theme', value: 'dark' },
        { key: 'user.age', value: 36 },
        { key: 'username', value: 'ada' },
      ],
    })
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual(['theme', 'user.age', 'user.name', 'username'])
    await expect(client.storage.keys({ namespace: 'app', prefix: 'user.' })).resolves.toEqual(['user.age', 'user.name'])
    await expect(client.storage.keys({ namespace: 'app', prefix: 'nope' })).resolves.toEqual([])
    await expect(client.storage.keys({ namespace: 'empty' })).resolves.toEqual([])
  })

  it('setMany writes every entry, the last one winning when a key repeats', async () => {
    const { client } = await start()
    await client.storage.setMany({
      namespace: 'app',
      entries: [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
        { key: 'a', value: 3 },
      ],
    })
    await expect(client.storage.get({ namespace: 'app', key: 'a' })).resolves.toBe(3)
    await expect(client.storage.get({ namespace: 'app', key: 'b' })).resolves.toBe(2)
  })

  it('delete and deleteMany say what existed', async () => {
    const { client } = await start()
    await client.storage.setMany({ namespace: 'app', entries: ['a', 'b', 'c'].map((key) => ({ key, value: key })) })
    await expect(client.storage.delete({ namespace: 'app', key: 'a' })).resolves.toBe(true)
    await expect(client.storage.delete({ namespace: 'app', key: 'a' })).resolves.toBe(false)
    await expect(client.storage.deleteMany({ namespace: 'app', keys: ['b', 'b', 'zz'] })).resolves.toBe(1)
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual(['c'])
  })

  it('clear empties one namespace and leaves the others alone', async () => {
    const { client } = await start()
    await client.storage.set({ namespace: 'one', key: 'k', value: 1 })
    await client.storage.set({ namespace: 'one', key: 'j', value: 2 })
    await client.storage.set({ namespace: 'two', key: 'k', value: 'other' })
    await expect(client.storage.clear({ namespace: 'one' })).resolves.toBe(2)
    await expect(client.storage.clear({ namespace: 'one' })).resolves.toBe(0)
    await expect(client.storage.keys({ namespace: 'one' })).resolves.toEqual([])
    await expect(client.storage.get({ namespace: 'two', key: 'k' })).resolves.toBe('other')
  })

  it('namespaces do not trample one another', async () => {
    const { client } = await start()
    await client.storage.set({ namespace: 'alpha', key: 'k', value: 'a' })
    await client.storage.set({ namespace: 'beta', key: 'k', value: 'b' })
    await expect(client.storage.get({ namespace: 'alpha', key: 'k' })).resolves.toBe('a')
    await expect(client.storage.get({ namespace: 'beta', key: 'k' })).resolves.toBe('b')
  })

  it('namespaces() lists the namespaces holding keys, with how many', async () => {
    const { client } = await start()
    await expect(client.storage.namespaces()).resolves.toEqual([])
    await client.storage.setMany({ namespace: 'beta', entries: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }] })
    await client.storage.set({ namespace: 'alpha', key: 'k', value: 1 })
    await client.storage.set({ namespace: 'gone', key: 'k', value: 1 })
    await client.storage.clear({ namespace: 'gone' })
    await expect(client.storage.namespaces()).resolves.toEqual([
      { namespace: 'alpha', keys: 1 },
      { namespace: 'beta', keys: 2 },
    ])
  })

  it('list pages through keys with type, stored size and preview', async () => {
    const { client } = await start()
    await client.storage.setMany({
      namespace: 'app',
      entries: [
        { key: 'a.text', value: 'hello' },
        { key: 'b.when', value: new Date('2024-05-01T10:00:00.000Z') },
        { key: 'c.map', value: new Map([['x', 1]]) },
        { key: 'd.long', value: 'x'.repeat(10_000) },
        { key: 'e.obj', value: { name: 'Ada', tags: ['a', 'b'], 'odd key': true } },
        { key: 'other', value: 1 },
      ],
    })
    const first = await client.storage.list({ namespace: 'app', limit: 3 })
    expect(first).toEqual({
      entries: [
        { key: 'a.text', type: 'string', size: 9, preview: '"hello"' },
        { key: 'b.when', type: 'date', size: expect.any(Number), preview: '2024-05-01T10:00:00.000Z' },
        { key: 'c.map', type: 'map', size: expect.any(Number), preview: 'Map(1) {"x" => 1}' },
      ],
      total: 6,
      more: true,
    })
    const second = await client.storage.list({ namespace: 'app', after: 'c.map', limit: 3 })
    expect(second.entries.map((entry) => entry.key)).toEqual(['d.long', 'e.obj', 'other'])
    expect(second.more).toBe(false)
    const long = second.entries[0]!
    expect(long.size).toBe(10_004)
    expect(long.preview).toHaveLength(120)
    expect(long.preview.endsWith('…')).toBe(true)
    expect(second.entries[1]).toMatchObject({ type: 'object', preview: '{name: "Ada", tags: ["a", "b"], "odd key": true}' })

    await expect(client.storage.list({ namespace: 'app', prefix: 'b.' })).resolves.toMatchObject({ total: 1, more: false })
    await expect(client.storage.list({ namespace: 'app', after: 'zzz' })).resolves.toEqual({ entries: [], total: 6, more: false })
  })

  it('recoveries() is empty when no file was damaged', async () => {
    const { client } = await start()
    await expect(client.storage.recoveries()).resolves.toEqual([])
  })

  it('describes every procedure in the catalog, with its permission, for the Storage view', async () => {
    const { client } = await start()
    const catalog = await client.rpc.discover()
    const storage = catalog.plugins.find((plugin) => plugin.id === 'storage')!
    const permissions = Object.fromEntries(storage.procedures.map((procedure) => [procedure.name, procedure.permission]))
    expect(permissions).toEqual({
      get: 'storage.read',
      has: 'storage.read',
      keys: 'storage.read',
      list: 'storage.read',
      namespaces: 'storage.read',
      recoveries: 'storage.read',
      set: 'storage.write',
      setMany: 'storage.write',
      delete: 'storage.write',
      deleteMany: 'storage.write',
      clear: 'storage.write',
    })
    expect(storage.procedures.every((procedure) => procedure.exposed)).toBe(true)
    expect(storage.events).toEqual([expect.objectContaining({ name: 'changed', permission: 'storage.read', exposed: true })])
  })
})
