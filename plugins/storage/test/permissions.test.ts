// Procedure grants for renderers, and the namespace policy for plugin callers (see README.md).
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { storagePlugin } from '../index'
import { callerPlugin, failure, pluginCaller } from './support'

describe('storage permissions', () => {
  it('a renderer with storage.read can read but not write: FORBIDDEN', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    await t.client.storage.set({ namespace: 'app', key: 'k', value: 1 })
    const reader = t.connect({ grants: ['storage.read'] }).client

    await expect(reader.storage.get({ namespace: 'app', key: 'k' })).resolves.toBe(1)
    await expect(reader.storage.namespaces()).resolves.toEqual([{ namespace: 'app', keys: 1 }])
    for (const write of [
      () => reader.storage.set({ namespace: 'app', key: 'k', value: 2 }),
      () => reader.storage.setMany({ namespace: 'app', entries: [{ key: 'k', value: 2 }] }),
      () => reader.storage.delete({ namespace: 'app', key: 'k' }),
      () => reader.storage.deleteMany({ namespace: 'app', keys: ['k'] }),
      () => reader.storage.clear({ namespace: 'app' }),
    ]) {
      expect(await failure(write())).toMatchObject({ code: 'FORBIDDEN', data: { permission: 'storage.write' } })
    }
    await expect(t.client.storage.get({ namespace: 'app', key: 'k' })).resolves.toBe(1)
  })

  it('a renderer without grants can neither read nor subscribe', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const stranger = t.connect({ grants: [] }).client
    expect(await failure(stranger.storage.get({ namespace: 'app', key: 'k' }))).toMatchObject({
      code: 'FORBIDDEN',
      data: { permission: 'storage.read' },
    })
    expect(await failure(stranger.storage.recoveries())).toMatchObject({ code: 'FORBIDDEN' })
    const off = stranger.$on('storage.changed', () => {})
    expect(await failure(off.ready)).toMatchObject({ code: 'FORBIDDEN', data: { permission: 'storage.read' } })
  })

  it('a renderer with storage.write (and storage.read) reaches every namespace', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const editor = t.connect({ grants: ['storage.read', 'storage.write'] }).client
    await editor.storage.set({ namespace: 'notes', key: 'k', value: 'by the UI' })
    await editor.storage.set({ namespace: 'workflow', key: 'k', value: 'by the UI' })
    await expect(editor.storage.namespaces()).resolves.toEqual([
      { namespace: 'notes', keys: 1 },
      { namespace: 'workflow', keys: 1 },
    ])
  })

  it('a plugin uses its own namespace freely, and not another one', async () => {
    const notes = callerPlugin('notes', ['storage.read', 'storage.write'])
    const t = await createTestHost({ plugins: [storagePlugin, notes] })
    const run = (method: string, params: unknown) => t.host.call('notes.run', { method, params })

    await run('storage.set', { namespace: 'notes', key: 'draft', value: 'hello' })
    await expect(run('storage.get', { namespace: 'notes', key: 'draft' })).resolves.toBe('hello')
    await expect(run('storage.clear', { namespace: 'notes' })).resolves.toBe(1)

    await t.client.storage.set({ namespace: 'workflow', key: 'graph', value: 'theirs' })
    expect(await failure(run('storage.set', { namespace: 'workflow', key: 'graph', value: 'mine' }))).toMatchObject({
      code: 'FORBIDDEN',
      data: { permission: 'storage.write.workflow', namespace: 'workflow' },
    })
    expect(await failure(run('storage.get', { namespace: 'workflow', key: 'graph' }))).toMatchObject({
      code: 'FORBIDDEN',
      data: { permission: 'storage.read.workflow' },
    })
    expect(await failure(run('storage.deleteMany', { namespace: 'workflow', keys: ['graph'] }))).toMatchObject({ code: 'FORBIDDEN' })
    expect(await failure(run('storage.clear', { namespace: 'workflow' }))).toMatchObject({ code: 'FORBIDDEN' })
    await expect(t.client.storage.get({ namespace: 'workflow', key: 'graph' })).resolves.toBe('theirs')
    // It lists only the namespaces it may read.
    await run('storage.set', { namespace: 'notes', key: 'k', value: 1 })
    await expect(run('storage.namespaces', undefined)).resolves.toEqual([{ namespace: 'notes', keys: 1 }])
  })

  it('a plugin needs the procedure grants even for its own namespace', async () => {
    const readOnly = callerPlugin('reader', ['storage.read'])
    const t = await createTestHost({ plugins: [storagePlugin, readOnly] })
    expect(await failure(t.host.call('reader.run', { method: 'storage.set', params: { namespace: 'reader', key: 'k', value: 1 } }))).toMatchObject({
      code: 'FORBIDDEN',
      data: { permission: 'storage.write' },
    })
  })

  it('a broader grant opens other namespaces: storage.read.<ns>, storage.write.*', async () => {
    const auditor = callerPlugin('auditor', ['storage.read', 'storage.read.shared'])
    const admin = callerPlugin('admin', ['storage.read', 'storage.write', 'storage.write.*'])
    const t = await createTestHost({ plugins: [storagePlugin, auditor, admin] })
    await t.host.call('admin.run', { method: 'storage.set', params: { namespace: 'shared', key: 'k', value: 'v' } })
    await t.host.call('admin.run', { method: 'storage.set', params: { namespace: 'private', key: 'k', value: 'v' } })

    await expect(t.host.call('auditor.run', { method: 'storage.get', params: { namespace: 'shared', key: 'k' } })).resolves.toBe('v')
    await expect(t.host.call('auditor.run', { method: 'storage.namespaces', params: undefined })).resolves.toEqual([
      { namespace: 'shared', keys: 1 },
    ])
    expect(await failure(t.host.call('auditor.run', { method: 'storage.get', params: { namespace: 'private', key: 'k' } }))).toMatchObject({
      code: 'FORBIDDEN',
    })
    // A write grant does not open reading: admin holds storage.write.* but no storage.read.*.
    expect(await failure(t.host.call('admin.run', { method: 'storage.get', params: { namespace: 'private', key: 'k' } }))).toMatchObject({
      code: 'FORBIDDEN',
      data: { permission: 'storage.read.private' },
    })
  })

  it("a plugin's own namespace is its id in kebab case", async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const caller = pluginCaller('myNotes', ['storage.read', 'storage.write'])
    await t.host.call('storage.set', { namespace: 'my-notes', key: 'k', value: 1 }, { caller })
    expect(await failure(t.host.call('storage.set', { namespace: 'mynotes', key: 'k', value: 1 }, { caller }))).toMatchObject({
      code: 'FORBIDDEN',
    })
    await expect(t.client.storage.namespaces()).resolves.toEqual([{ namespace: 'my-notes', keys: 1 }])
  })

  it('checks the namespace before the value, so a forbidden write learns nothing about limits', async () => {
    const t = await createTestHost({ plugins: [storagePlugin] })
    const caller = pluginCaller('notes', ['storage.read', 'storage.write'])
    const error = await failure(t.host.call('storage.set', { namespace: 'other', key: 'k', value: () => 1 }, { caller }))
    expect(error.code).toBe('FORBIDDEN')
  })
})
