/**
 * The in-memory backend, for unit tests. It keeps the same encoded entries as the file backends, so it
 * accepts, rejects and copies values exactly like them (a value that works here also survives a
 * restart on disk). Opening a name twice returns the same store; nothing outlives the factory.
 */
import { assertStoreName, EncodedKeyValueStore } from './encoded-store'
import type { KeyValueStore, StoreFactory, StoreRecovery } from './key-value-store'

export function createMemoryStoreFactory(): StoreFactory {
  const stores = new Map<string, KeyValueStore>()
  const recoveries: readonly StoreRecovery[] = Object.freeze([])
  return {
    recoveries,
    open(name: string): KeyValueStore {
      assertStoreName(name)
      let store = stores.get(name)
      if (store === undefined) {
        store = new EncodedKeyValueStore(name, new Map(), () => {})
        stores.set(name, store)
      }
      return store
    },
  }
}
