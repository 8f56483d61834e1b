import { describe, expect, it } from 'vitest'
import { describeKeyValueStoreContract } from './key-value-store.contract'
import { createMemoryStoreFactory } from './memory-store'

describeKeyValueStoreContract('memory', async () => {
  const factory = createMemoryStoreFactory()
  return { factory, reopen: (name) => factory.open(name), cleanup: async () => {} }
})

describe('memory store factory', () => {
  it('keeps nothing between factories', () => {
    createMemoryStoreFactory().open('s').set('k', 1)
    expect(createMemoryStoreFactory().open('s').has('k')).toBe(false)
  })
})
