/**
 * The storage plugin: namespaced key-value storage over the host's stores, for plugins and the UI.
 * Procedures, permissions and the namespace policy are described in ../README.md.
 */
import { definePlugin, event, measureStoredValue, type HostServices } from '@atomiton/plugin-sdk'
import { z } from 'zod'
import { resolveLimits, type StorageOptions } from './limits'
import { NamespaceStores } from './namespace-stores'
import { assertAccess, mayAccess } from './policy'
import { preview, typeOf } from './preview'
import {
  ChangedPayload,
  DeleteManyInput,
  KeyInput,
  KeysInput,
  ListInput,
  ListOutput,
  NamespaceInput,
  NamespacesOutput,
  RecoveriesOutput,
  SetInput,
  SetManyInput,
} from './schemas'
import { checkValues } from './values'

const READ = 'storage.read'
const WRITE = 'storage.write'

function keysWithPrefix(keys: readonly string[], prefix: string | undefined): string[] {
  return prefix ? keys.filter((key) => key.startsWith(prefix)) : [...keys]
}

export function createStoragePlugin(options: StorageOptions = {}) {
  const { maxValueBytes } = resolveLimits(options)

  return definePlugin({
    id: 'storage',
    version: '1.0.0',
    description: 'Namespaced key-value storage that survives restarts',
    services: {
      storage: ({ stores, logger }: HostServices) => new NamespaceStores(stores, logger),
    },
    events: {
      changed: event({
        description: 'A write changed a namespace (sent after the write succeeded; carries keys, never values)',
        payload: ChangedPayload,
        permission: READ,
        expose: true,
      }),
    },
    setup: (ctx) => {
      ctx.services.storage.openAll()
    },
    procedures: (p) => ({
      get: p.procedure({
        description: 'The value of a key (undefined when absent; `has` tells a stored undefined apart)',
        input: KeyInput,
        permission: READ,
        expose: true,
        handler: ({ namespace, key }, ctx): unknown => {
          assertAccess(ctx.caller, namespace, 'read')
          return ctx.services.storage.get(namespace).get(key)
        },
      }),
      has: p.procedure({
        description: 'Whether a key is stored',
        input: KeyInput,
        output: z.boolean(),
        permission: READ,
        expose: true,
        handler: ({ namespace, key }, ctx) => {
          assertAccess(ctx.caller, namespace, 'read')
          return ctx.services.storage.get(namespace).has(key)
        },
      }),
      keys: p.procedure({
        description: 'The keys of a namespace, sorted, optionally only those starting with `prefix`',
        input: KeysInput,
        output: z.array(z.string()),
        permission: READ,
        expose: true,
        handler: ({ namespace, prefix }, ctx) => {
          assertAccess(ctx.caller, namespace, 'read')
          return keysWithPrefix(ctx.services.storage.get(namespace).keys(), prefix)
        },
      }),
      list: p.procedure({
        description: 'A page of keys with their type, stored size and a short preview (for the Storage view)',
        input: ListInput,
        output: ListOutput,
        permission: READ,
        expose: true,
        handler: ({ namespace, prefix, after, limit }, ctx) => {
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
      }),
      namespaces: p.procedure({
        description: 'The namespaces that hold keys (for a plugin caller: those it may read)',
        output: NamespacesOutput,
        permission: READ,
        expose: true,
        handler: (_input, ctx) => ctx.services.storage.list().filter(({ namespace }) => mayAccess(ctx.caller, namespace, 'read')),
      }),
      set: p.procedure({
        description: 'Stores a value (anything structured clone keeps, up to the size limit)',
        input: SetInput,
        permission: WRITE,
        expose: true,
        handler: ({ namespace, key, value }, ctx): void => {
          assertAccess(ctx.caller, namespace, 'write')
          checkValues([{ key, value, path: ['value'] }], maxValueBytes)
          ctx.services.storage.write(namespace, (store) => store.set(key, value), () => ['value'])
          ctx.emit('changed', { namespace, key, op: 'set' })
        },
      }),
      setMany: p.procedure({
        description: 'Stores several values at once: all or nothing (when a key repeats, the last wins)',
        input: SetManyInput,
        permission: WRITE,
        expose: true,
        handler: ({ namespace, entries }, ctx): void => {
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
      }),
      delete: p.procedure({
        description: 'Removes a key; true when it existed',
        input: KeyInput,
        output: z.boolean(),
        permission: WRITE,
        expose: true,
        handler: ({ namespace, key }, ctx) => {
          assertAccess(ctx.caller, namespace, 'write')
          const deleted = ctx.services.storage.get(namespace).delete(key)
          if (deleted) ctx.emit('changed', { namespace, key, op: 'delete' })
          return deleted
        },
      }),
      deleteMany: p.procedure({
        description: 'Removes several keys at once; how many existed',
        input: DeleteManyInput,
        output: z.number().int().nonnegative(),
        permission: WRITE,
        expose: true,
        handler: ({ namespace, keys }, ctx) => {
          assertAccess(ctx.caller, namespace, 'write')
          const store = ctx.services.storage.get(namespace)
          const existing = [...new Set(keys)].filter((key) => store.has(key))
          const deleted = store.deleteMany(existing)
          if (deleted > 0) ctx.emit('changed', { namespace, keys: existing, op: 'delete' })
          return deleted
        },
      }),
      clear: p.procedure({
        description: 'Removes every key of a namespace; how many there were',
        input: NamespaceInput,
        output: z.number().int().nonnegative(),
        permission: WRITE,
        expose: true,
        handler: ({ namespace }, ctx) => {
          assertAccess(ctx.caller, namespace, 'write')
          const store = ctx.services.storage.get(namespace)
          const count = store.keys().length
          store.clear()
          if (count > 0) ctx.emit('changed', { namespace, op: 'clear' })
          return count
        },
      }),
      recoveries: p.procedure({
        description: 'Damaged store files the host repaired: where the original was kept, what was salvaged and lost',
        output: RecoveriesOutput,
        permission: READ,
        expose: true,
        handler: (_input, ctx) => ctx.services.storage.recoveries(),
      }),
    }),
  })
}

/** The storage plugin with the default limits. */
export const storagePlugin = createStoragePlugin()

export type StoragePlugin = typeof storagePlugin
