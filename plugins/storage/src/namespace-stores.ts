/**
 * The plugin's one service: its own stores (`ctx.services.stores`, confined to `storage.*`), one per namespace.
 *
 * Why a store per namespace, not one store with prefixed keys: every write rewrites its store's whole
 * file, so a namespace's writes cost what that namespace holds, not what all plugins hold; a damaged file
 * harms one namespace; `clear` is one store's clear. The price is that the factory cannot list stores, so
 * the namespaces written to are remembered in a small index store (one key per namespace, which a damaged
 * index salvages entry by entry). A namespace is indexed before its first write: a failed write can leave
 * it indexed but empty, which `namespaces()` does not list, never data that is not indexed.
 *
 * Store names: `storage.<namespace>` (file `storage.<namespace>.json`) and `storage._namespaces` for the
 * index (`_` cannot start a namespace, so the two never meet).
 */
import { RpcError, StoreValueError, type KeyValueStore, type Logger, type StoreFactory, type StoreRecoveries, type StoreRecovery } from '@atomiton/plugin-sdk'
import { invalidParams, type IssuePath } from './errors'
import { NAMESPACE_PATTERN } from './limits'

export const STORE_PREFIX = 'storage.'
export const INDEX_STORE = 'storage._namespaces'

export const storeNameOf = (namespace: string): string => `${STORE_PREFIX}${namespace}`

/** The namespace a store name belongs to, if it is one. */
export function namespaceOfStore(store: string): string | undefined {
  if (!store.startsWith(STORE_PREFIX)) return undefined
  const namespace = store.slice(STORE_PREFIX.length)
  return NAMESPACE_PATTERN.test(namespace) ? namespace : undefined
}

export interface RecoveryInfo extends Omit<StoreRecovery, 'lostKeys'> {
  readonly lostKeys: string[]
  /** Set when the store is a storage namespace. */
  readonly namespace?: string
}

export class NamespaceStores {
  readonly #factory: StoreFactory
  readonly #allRecoveries: StoreRecoveries
  readonly #logger: Logger
  #index: KeyValueStore | undefined

  /** `factory`: the plugin's own stores; `allRecoveries`: every repair of the host's stores. */
  constructor(factory: StoreFactory, allRecoveries: StoreRecoveries, logger: Logger) {
    this.#factory = factory
    this.#allRecoveries = allRecoveries
    this.#logger = logger
  }

  /** Opens the index and every namespace it knows, so a damaged file is found (and reported) at start. */
  openAll(): void {
    for (const namespace of this.#known()) {
      try {
        this.get(namespace)
      } catch {
        // Logged by #open; calls to this namespace answer UNAVAILABLE, the others keep working.
      }
    }
  }

  /** The store of a namespace (opened on first use: a namespace nobody wrote to is simply empty). */
  get(namespace: string): KeyValueStore {
    return this.#open(storeNameOf(namespace))
  }

  /**
   * Runs a write on a namespace's store, after indexing the namespace. A value the store refuses becomes
   * INVALID_PARAMS at `pathOf(key)`. The store writes all or nothing, so a failure leaves it as it was.
   */
  write<T>(namespace: string, write: (store: KeyValueStore) => T, pathOf: (key: string) => IssuePath): T {
    const store = this.get(namespace)
    const index = this.#indexStore()
    if (!index.has(namespace)) index.set(namespace, true)
    try {
      return write(store)
    } catch (error) {
      if (error instanceof StoreValueError) {
        throw invalidParams([{ path: pathOf(error.key), message: error.message, code: 'custom' }])
      }
      throw error
    }
  }

  /** The namespaces that hold keys, sorted, with how many. */
  list(): Array<{ namespace: string; keys: number }> {
    const out: Array<{ namespace: string; keys: number }> = []
    for (const namespace of this.#known()) {
      let keys: number
      try {
        keys = this.get(namespace).keys().length
      } catch {
        continue
      }
      if (keys > 0) out.push({ namespace, keys })
    }
    return out
  }

  /** Every repair the host's stores made (damaged files set aside), storage namespaces marked. */
  recoveries(): RecoveryInfo[] {
    return this.#allRecoveries.list().map((recovery) => {
      const namespace = namespaceOfStore(recovery.store)
      const info: RecoveryInfo = { ...recovery, lostKeys: [...recovery.lostKeys] }
      return namespace === undefined ? info : { ...info, namespace }
    })
  }

  #known(): string[] {
    return this.#indexStore()
      .keys()
      .filter((name) => NAMESPACE_PATTERN.test(name))
  }

  #indexStore(): KeyValueStore {
    return (this.#index ??= this.#open(INDEX_STORE))
  }

  #open(name: string): KeyValueStore {
    const before = this.#factory.recoveries.length
    try {
      return this.#factory.open(name)
    } catch (error) {
      this.#logger.error({ err: error, store: name }, `Storage: cannot open the store "${name}"`)
      throw new RpcError('UNAVAILABLE', `The store "${name}" cannot be opened; the host log says why`, { store: name })
    } finally {
      for (const recovery of this.#factory.recoveries.slice(before)) this.#report(recovery)
    }
  }

  #report(recovery: StoreRecovery): void {
    const namespace = namespaceOfStore(recovery.store)
    const what = namespace === undefined ? `the store "${recovery.store}"` : `the namespace "${namespace}"`
    const lost = recovery.lostKeys.length > 0 ? `; lost keys: ${recovery.lostKeys.map((key) => JSON.stringify(key)).join(', ')}` : ''
    this.#logger.warn(
      { recovery, ...(namespace === undefined ? {} : { namespace }) },
      `Storage: the file of ${what} was damaged (${recovery.reason}). The original is kept at ${recovery.backupFile}; ` +
        `went on with ${recovery.salvagedKeys} salvaged entries${lost}`,
    )
  }
}
