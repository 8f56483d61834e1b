/**
 * The stores a built-in plugin sees as `ctx.services.stores`: the host's factory, confined to the plugin's own
 * namespace. A plugin `notes` opens `notes` and `notes.<anything>`; any other name (another plugin's stores,
 * the host's `settings` and `plugin-settings`, installed packages' `pkg.*`) is refused with FORBIDDEN naming
 * the plugin and the store, before the factory is touched. Its `recoveries` lists only its own stores'.
 *
 * The storage plugin serves other plugins' namespaces through its procedures: its stores are `storage.<ns>`,
 * inside its own namespace, so it needs nothing more here (its permission checks are its policy.ts).
 * Installed packages get `packageStores` instead (core/src/packages/package-stores.ts: every name under
 * `pkg.<id>.`), which confines them the same way.
 */
import { RpcError } from '../../common/errors'
import type { KeyValueStore, StoreFactory } from './key-value-store'

/** Store names the host keeps for itself, whatever a plugin's id is. */
const HOST_STORES: ReadonlySet<string> = new Set(['settings', 'plugin-settings'])
const PACKAGE_STORES_PREFIX = 'pkg.'

/** True when store `name` is in plugin `id`'s own namespace: `id` or `id.<name>`, never a host store. */
export function isOwnStore(id: string, name: string): boolean {
  if (HOST_STORES.has(name) || name.startsWith(PACKAGE_STORES_PREFIX)) return false
  return name === id || name.startsWith(`${id}.`)
}

export function pluginStores(id: string, stores: StoreFactory): StoreFactory {
  return Object.freeze({
    open(name: string): KeyValueStore {
      if (typeof name !== 'string' || !isOwnStore(id, name)) {
        // Never String(name): a hostile object's toString would run here.
        const shown = typeof name === 'string' ? JSON.stringify(name) : `a ${typeof name}`
        throw new RpcError('FORBIDDEN', `Plugin "${id}" may open only its own stores ("${id}" or "${id}.<name>"), not ${shown}`, {
          plugin: id,
          ...(typeof name === 'string' ? { store: name } : {}),
        })
      }
      return stores.open(name)
    },
    get recoveries() {
      return stores.recoveries.filter((recovery) => isOwnStore(id, recovery.store))
    },
  })
}
