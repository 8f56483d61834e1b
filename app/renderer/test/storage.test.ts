import { describe, expect, it, vi } from 'vitest'
import { useStorageStore } from '../src/stores/storage'
import { rendererOnHost } from './host'

describe('the storage store', () => {
  it('writes, browses, reopens and deletes a value, following writes made elsewhere', async () => {
    const { t } = await rendererOnHost()
    const storage = useStorageStore()
    await storage.start()
    expect(await storage.save('notes', 'first', { text: 'hi' })).toBeNull()
    expect(storage.namespace).toBe('notes')
    expect(storage.namespaces).toEqual([{ namespace: 'notes', keys: 1 }])
    expect(storage.opened).toMatchObject({ key: 'first', value: { text: 'hi' }, type: 'object' })

    // Another window writes: the list follows (storage.changed), values keep their types.
    await t.connect().client.storage.set({ namespace: 'notes', key: 'when', value: new Date(0) })
    await vi.waitFor(() => expect(storage.entries.map((entry) => entry.key)).toEqual(['first', 'when']))
    await storage.openKey('when')
    expect(storage.opened?.value).toEqual(new Date(0))

    await storage.remove('first')
    expect(storage.entries.map((entry) => entry.key)).toEqual(['when'])
  })

  it('answers a refused write as an error with the field it names', async () => {
    await rendererOnHost()
    const storage = useStorageStore()
    const error = await storage.save('Bad Namespace', 'k', 1)
    expect(error?.code).toBe('INVALID_PARAMS')
    expect(error?.issues.map((issue) => issue.path)).toEqual([['namespace']])
  })
})
