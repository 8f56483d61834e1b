/**
 * The storage plugin: namespaced key-value storage over the host's stores, for plugins and the UI.
 * Its contract (procedures, schemas, permissions, event) is `storageContract` in the SDK; procedures,
 * permissions and the namespace policy are described in ../README.md.
 */
import { implement, measureStoredValue, STORE_RECOVERIES_PERMISSION, type HostServices } from '@atomiton/plugin-sdk'
import { storageContract } from '@atomiton/plugin-sdk/contracts/storage'
import { resolveLimits, type StorageOptions } from './limits'
import { NamespaceStores } from './namespace-stores'
import { assertAccess, mayAccess } from './policy'
import { preview, typeOf } from './preview'
import { checkValues } from './values'

function keysWithPrefix(keys: readonly string[], prefix: string | undefined): string[] {
  return prefix ? keys.filter((key) => key.startsWith(prefix)) : [...keys]
}

export function createStoragePlugin(options: StorageOptions = {}) {
  const { maxValueBytes } = resolveLimits(options)

  return implement(storageContract, {
    version: '1.0.0',
    description: 'Namespaced key-value storage that survives restarts',
    // Its namespaces are its own stores (`storage.<ns>`, inside its namespace `storage`); reading every
    // store repair of the host (`recoveries()` is host-wide, for a health view) is the one capability it
    // needs beyond that, granted by name. It never reaches another plugin's or the host's stores.
    permissions: [STORE_RECOVERIES_PERMISSION],
    hostServices: ['stores', 'storeRecoveries'],
    services: {
      storage: ({ stores, storeRecoveries, logger }: HostServices) => new NamespaceStores(stores, storeRecoveries, logger),
    },
    setup: (ctx) => {
      ctx.services.storage.openAll()
    },
    handlers: {
      get: ({ namespace, key }, ctx): unknown => {
        assertAccess(ctx.caller, namespace, 'read')
        return ctx.services.storage.get(namespace).get(key)
      },
      has: ({ namespace, key }, ctx) => {
        assertAccess(ctx.caller, namespace, 'read')
        return ctx.services.storage.get(namespace).has(key)
      },
      keys: ({ namespace, prefix }, ctx) => {
        assertAccess(ctx.caller, namespace, 'read')
        return keysWithPrefix(ctx.services.storage.get(namespace).keys(), prefix)
      },
      list: ({ namespace, prefix, after, limit }, ctx) => {
        assertAccess(ctx.caller, namespace, 'read')
        const store = ctx.services.storage.get(namespace)
        const matching = keysWithPrefix(store.keys(), prefix)
        const start = after === undefined ? 0 : matching.findIndex((key) => key > after)
        const page = start < 0 ? [] : matching.slice(start, start + limit)
        const entries = page.map((key) => {
          const value = store.get(key)
          const measure = measureStoredValue(value)
          return { key, type: typeOf(value), size: measure.ok ? measure.bytes : 0, preview: preview(value) }
        })
        return { entries, total: matching.length, more: start >= 0 && start + limit < matching.length }
      },
      namespaces: (_input, ctx) => ctx.services.storage.list().filter(({ namespace }) => mayAccess(ctx.caller, namespace, 'read')),
      set: ({ namespace, key, value }, ctx): void => {
        assertAccess(ctx.caller, namespace, 'write')
        checkValues([{ key, value, path: ['value'] }], maxValueBytes)
        ctx.services.storage.write(namespace, (store) => store.set(key, value), () => ['value'])
        ctx.emit('changed', { namespace, key, op: 'set' })
      },
      setMany: ({ namespace, entries }, ctx): void => {
        assertAccess(ctx.caller, namespace, 'write')
        checkValues(
          entries.map(({ key, value }, index) => ({ key, value, path: ['entries', index, 'value'] })),
          maxValueBytes,
        )
        const lastIndex = new Map(entries.map(({ key }, index) => [key, index]))
        ctx.services.storage.write(
          namespace,
          (store) => store.setMany(entries.map(({ key, value }) => [key, value] as const)),
          (key) => ['entries', lastIndex.get(key) ?? 0, 'value'],
        )
        ctx.emit('changed', { namespace, keys: [...lastIndex.keys()], op: 'set' })
      },
      delete: ({ namespace, key }, ctx) => {
        assertAccess(ctx.caller, namespace, 'write')
        const deleted = ctx.services.storage.get(namespace).delete(key)
        if (deleted) ctx.emit('changed', { namespace, key, op: 'delete' })
        return deleted
      },
      deleteMany: ({ namespace, keys }, ctx) => {
        assertAccess(ctx.caller, namespace, 'write')
        const store = ctx.services.storage.get(namespace)
        const existing = [...new Set(keys)].filter((key) => store.has(key))
        const deleted = store.deleteMany(existing)
        if (deleted > 0) ctx.emit('changed', { namespace, keys: existing, op: 'delete' })
        return deleted
      },
      clear: ({ namespace }, ctx) => {
        assertAccess(ctx.caller, namespace, 'write')
        const store = ctx.services.storage.get(namespace)
        const count = store.keys().length
        store.clear()
        if (count > 0) ctx.emit('changed', { namespace, op: 'clear' })
        return count
      },
      recoveries: (_input, ctx) => ctx.services.storage.recoveries(),
    },
  })
}

/** The storage plugin with the default limits. */
export const storagePlugin = createStoragePlugin()

export type StoragePlugin = typeof storagePlugin
