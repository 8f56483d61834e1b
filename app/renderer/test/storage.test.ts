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

  it('shows the page it loaded: a Next clicked again before the page arrived does not step from the old one', async () => {
    const { t } = await rendererOnHost()
    const entries = Array.from({ length: 150 }, (_, index) => ({ key: `item-${String(index).padStart(3, '0')}`, value: index }))
    await t.connect().client.storage.setMany({ namespace: 'many', entries })
    const storage = useStorageStore()
    await storage.start()
    await storage.openNamespace('many')
    expect(storage.pageNumber).toBe(1)

    // Two clicks in one tick: the second comes while page 2 is loading, so it is ignored.
    await Promise.all([storage.nextPage(), storage.nextPage()])
    expect(storage.pageNumber).toBe(2)
    expect(storage.entries[0]?.key).toBe('item-050')

    await storage.nextPage()
    expect(storage.pageNumber).toBe(3)
    expect(storage.entries.at(-1)?.key).toBe('item-149')
    await Promise.all([storage.previousPage(), storage.previousPage()])
    expect(storage.pageNumber).toBe(2)
    expect(storage.entries[0]?.key).toBe('item-050')
  })
})
