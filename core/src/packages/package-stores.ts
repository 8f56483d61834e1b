/**
 * The stores an installed package sees as `ctx.services.stores`: the host's factory, with every name put
 * under the package's own prefix (`pkg.<id>.<name>`), so a package can neither read nor overwrite the host's
 * stores (`settings`) or another plugin's. Every name it opens is recorded in the host's settings, which is
 * how uninstall finds the data to delete when the person asks for it (with the app running or not).
 */
import type { KeyValueStore, StoreFactory } from '../host/stores/key-value-store'

const RECORD_KEY = 'packages.stores'

export function packageStoreName(id: string, name: string): string {
  return `pkg.${id}.${name}`
}

function recorded(settings: KeyValueStore): Record<string, string[]> {
  const value = settings.get(RECORD_KEY)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string[]>) : {}
}

export function packageStores(id: string, stores: StoreFactory, settings: KeyValueStore): StoreFactory {
  const prefix = packageStoreName(id, '')
  return {
    open(name: string): KeyValueStore {
      const store = stores.open(packageStoreName(id, name))
      const all = recorded(settings)
      const mine = all[id] ?? []
      if (!mine.includes(store.name)) settings.set(RECORD_KEY, { ...all, [id]: [...mine, store.name] })
      return store
    },
    get recoveries() {
      return stores.recoveries.filter((recovery) => recovery.store.startsWith(prefix))
    },
  }
}

/** Empties every store the package opened and forgets them; returns how many there were. */
export function deletePackageData(id: string, stores: StoreFactory, settings: KeyValueStore): number {
  const all = recorded(settings)
  const names = all[id] ?? []
  for (const name of names) stores.open(name).clear()
  const { [id]: _deleted, ...rest } = all
  settings.set(RECORD_KEY, rest)
  return names.length
}
