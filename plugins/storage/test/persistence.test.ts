// Real files (conf, as in browser mode): data survives a restart, damaged files are set aside and reported,
// and a failed write leaves nothing half-written.
import { describe, expect, it } from 'vitest'
import { createStoreFolder, createTestHost, type StoreFolder } from '@atomiton/plugin-sdk/testing'
import { storagePlugin } from '../index'
import { failingStores, failure } from './support'

/** Starts a host on the folder's files, as the app does after a restart. */
const startOn = (folder: StoreFolder) => createTestHost({ plugins: [storagePlugin], stores: folder.stores() })

describe('storage on real files', () => {
  it('reads back, after a restart, what the previous host wrote', async () => {
    const folder = await createStoreFolder()
    const first = await startOn(folder)
    const when = new Date('2024-05-01T10:00:00.000Z')
    await first.client.storage.set({ namespace: 'app', key: 'window.size', value: { width: 800, height: 600 } })
    await first.client.storage.setMany({
      namespace: 'app',
      entries: [
        { key: 'since', value: when },
        { key: 'recent', value: new Set(['a.txt', 'b.txt']) },
      ],
    })
    await first.client.storage.set({ namespace: 'notes', key: 'draft', value: 'hello' })
    await first.client.storage.set({ namespace: 'notes', key: 'gone', value: 1 })
    await first.client.storage.delete({ namespace: 'notes', key: 'gone' })
    await first.dispose()

    const second = await startOn(folder)
    await expect(second.client.storage.namespaces()).resolves.toEqual([
      { namespace: 'app', keys: 3 },
      { namespace: 'notes', keys: 1 },
    ])
    await expect(second.client.storage.get({ namespace: 'app', key: 'window.size' })).resolves.toEqual({ width: 800, height: 600 })
    await expect(second.client.storage.get({ namespace: 'app', key: 'since' })).resolves.toEqual(when)
    await expect(second.client.storage.get({ namespace: 'app', key: 'recent' })).resolves.toEqual(new Set(['a.txt', 'b.txt']))
    await expect(second.client.storage.keys({ namespace: 'notes' })).resolves.toEqual(['draft'])
    await expect(second.client.storage.recoveries()).resolves.toEqual([])
  })

  it('keeps one file per namespace, with dotted keys flat in it', async () => {
    const folder = await createStoreFolder()
    const t = await startOn(folder)
    await t.client.storage.set({ namespace: 'app', key: 'window.size', value: { width: 800 } })
    await t.client.storage.set({ namespace: 'notes', key: 'a.b.c', value: 1 })
    const app = JSON.parse(folder.read('storage.app')!) as Record<string, unknown>
    expect(Object.keys(app)).toEqual(['window.size'])
    expect(app).not.toHaveProperty('window')
    expect(Object.keys(JSON.parse(folder.read('storage.notes')!) as object)).toEqual(['a.b.c'])
    expect(folder.files().filter((file) => file.startsWith('storage.'))).toEqual([
      'storage._namespaces.json',
      'storage.app.json',
      'storage.notes.json',
    ])
  })

  it('sets a hand-edited file aside, reports it at start and keeps every entry that still reads', async () => {
    const folder = await createStoreFolder()
    const first = await startOn(folder)
    await first.client.storage.setMany({
      namespace: 'notes',
      entries: [
        { key: 'good', value: 'kept' },
        { key: 'also.good', value: { n: 1 } },
        { key: 'edited', value: 'original' },
      ],
    })
    await first.client.storage.set({ namespace: 'other', key: 'k', value: 'untouched' })
    await first.dispose()

    // Someone edits the file by hand and writes a plain string where the store keeps its encoded form.
    const edited = JSON.parse(folder.read('storage.notes')!) as Record<string, unknown>
    expect(edited['edited']).toEqual(['original'])
    const damaged = JSON.stringify({ ...edited, edited: 'hand edited' }, null, 2)
    folder.write('storage.notes', damaged)

    const second = await startOn(folder)
    // Reported at start, before anything asked for the namespace.
    const warning = second.logs.find((entry) => entry.level === 'warn' && String(entry.msg).includes('namespace "notes"'))
    expect(warning?.msg).toMatch(/damaged.*kept at .*storage\.notes\.corrupt-.*salvaged.*"edited"/s)

    const [recovery, ...others] = await second.client.storage.recoveries()
    expect(others).toEqual([])
    expect(recovery).toMatchObject({ store: 'storage.notes', namespace: 'notes', salvagedKeys: 2, lostKeys: ['edited'] })
    expect(recovery!.reason).toMatch(/cannot be decoded/)
    const backup = folder.files().find((file) => file.startsWith('storage.notes.corrupt-'))
    expect(backup).toBeDefined()
    expect(recovery!.backupFile.endsWith(backup!)).toBe(true)
    expect(folder.readFile(backup!)).toBe(damaged)

    await expect(second.client.storage.keys({ namespace: 'notes' })).resolves.toEqual(['also.good', 'good'])
    await expect(second.client.storage.get({ namespace: 'notes', key: 'also.good' })).resolves.toEqual({ n: 1 })
    await expect(second.client.storage.get({ namespace: 'other', key: 'k' })).resolves.toBe('untouched')
    await second.client.storage.set({ namespace: 'notes', key: 'edited', value: 'rewritten' })
    await second.dispose()

    // The repair sticks: the next start finds a healthy file and nothing to report.
    const third = await startOn(folder)
    await expect(third.client.storage.recoveries()).resolves.toEqual([])
    await expect(third.client.storage.get({ namespace: 'notes', key: 'edited' })).resolves.toBe('rewritten')
  })

  it('sets aside a file that is not JSON at all and starts the namespace empty', async () => {
    const folder = await createStoreFolder()
    const first = await startOn(folder)
    await first.client.storage.set({ namespace: 'notes', key: 'k', value: 1 })
    await first.dispose()
    folder.write('storage.notes', '{ "k": [1], ')

    const second = await startOn(folder)
    await expect(second.client.storage.recoveries()).resolves.toEqual([
      expect.objectContaining({ namespace: 'notes', salvagedKeys: 0, lostKeys: [], reason: expect.stringMatching(/not valid JSON/) }),
    ])
    const backup = folder.files().find((file) => file.startsWith('storage.notes.corrupt-'))!
    expect(folder.readFile(backup)).toBe('{ "k": [1], ')
    await expect(second.client.storage.keys({ namespace: 'notes' })).resolves.toEqual([])
    await second.client.storage.set({ namespace: 'notes', key: 'fresh', value: 2 })
    await expect(second.client.storage.get({ namespace: 'notes', key: 'fresh' })).resolves.toBe(2)
  })

  it('a failed write leaves the file and the namespace list as they were', async () => {
    const folder = await createStoreFolder()
    const { factory, failing } = failingStores(folder.stores())
    const t = await createTestHost({ plugins: [storagePlugin], stores: factory })
    await t.client.storage.set({ namespace: 'app', key: 'k', value: 'before' })
    const file = folder.read('storage.app')

    failing.add('storage.app')
    for (const write of [
      () => t.client.storage.set({ namespace: 'app', key: 'k', value: 'after' }),
      () => t.client.storage.setMany({ namespace: 'app', entries: [{ key: 'k', value: 'after' }, { key: 'new', value: 1 }] }),
      () => t.client.storage.delete({ namespace: 'app', key: 'k' }),
      () => t.client.storage.clear({ namespace: 'app' }),
    ]) {
      expect(await failure(write())).toMatchObject({ code: 'INTERNAL' })
    }
    expect(folder.read('storage.app')).toBe(file)
    await expect(t.client.storage.keys({ namespace: 'app' })).resolves.toEqual(['k'])
    await expect(t.client.storage.get({ namespace: 'app', key: 'k' })).resolves.toBe('before')

    // The index cannot be written: the first write to a new namespace fails whole, its data never lands.
    failing.clear()
    failing.add('storage._namespaces')
    expect(await failure(t.client.storage.set({ namespace: 'fresh', key: 'k', value: 1 }))).toMatchObject({ code: 'INTERNAL' })
    expect(folder.read('storage.fresh')).toBeUndefined()
    await expect(t.client.storage.namespaces()).resolves.toEqual([{ namespace: 'app', keys: 1 }])
    expect(t.logs.some((entry) => entry.level === 'error' && entry.method === 'storage.set')).toBe(true)
  })
})
