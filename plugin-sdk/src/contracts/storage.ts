/**
 * The contract of the built-in `storage` plugin: its procedures, their zod schemas (the single source of
 * their JSON Schemas and types) and its `changed` event. Another plugin or a package calls storage through
 * it (`ctx.client(storageContract).get({ namespace, key })`) without importing the plugin's code.
 */
import { z } from 'zod'
import { event } from '@atomiton/core/plugin/definition'
import { defineContract, procedure } from '@atomiton/core/plugin/contract'

/** A namespace: lower-case letters, digits and `-`, starting with a letter; it also names a store file. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/

/** Longest key, in UTF-16 code units (JavaScript string length). */
export const MAX_KEY_LENGTH = 256

/** Most entries (or keys) in one `setMany` / `deleteMany`, and most rows one `list` answers. */
export const MAX_BATCH = 1000

export const DEFAULT_LIST_LIMIT = 100

export const STORAGE_READ_PERMISSION = 'storage.read'
export const STORAGE_WRITE_PERMISSION = 'storage.write'

/** Control characters (C0, DEL, C1), lone surrogates, and the line and paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u2028\u2029]/u
/** The stores keep their own bookkeeping under this key (conf's migrations). */
const RESERVED_PREFIX = '__internal__'

export const Namespace = z
  .string()
  .regex(NAMESPACE_PATTERN, 'A namespace is 1 to 64 lower-case letters, digits or "-", starting with a letter')

const printable = (text: string): boolean => !UNPRINTABLE.test(text)

/** A flat key: `a.b` is one key, never a path into `a`. */
export const Key = z
  .string()
  .min(1, 'A key cannot be empty')
  .max(MAX_KEY_LENGTH, `A key has at most ${MAX_KEY_LENGTH} characters`)
  .refine(printable, 'A key cannot hold control characters, lone surrogates or line separators')
  .refine((key) => !key.startsWith(RESERVED_PREFIX), `Keys starting with "${RESERVED_PREFIX}" are reserved`)

export const Prefix = z
  .string()
  .max(MAX_KEY_LENGTH, `A prefix has at most ${MAX_KEY_LENGTH} characters`)
  .refine(printable, 'A prefix cannot hold control characters, lone surrogates or line separators')

export const NamespaceInput = z.strictObject({ namespace: Namespace })

export const KeyInput = z.strictObject({ namespace: Namespace, key: Key })

export const SetInput = z.strictObject({
  namespace: Namespace,
  key: Key,
  /** Anything structured clone keeps (Date, Map, Set, BigInt, typed arrays, `undefined`...). */
  value: z.unknown(),
})

export const SetManyInput = z.strictObject({
  namespace: Namespace,
  entries: z.array(z.strictObject({ key: Key, value: z.unknown() })).min(1).max(MAX_BATCH),
})

export const DeleteManyInput = z.strictObject({
  namespace: Namespace,
  keys: z.array(Key).min(1).max(MAX_BATCH),
})

export const KeysInput = z.strictObject({ namespace: Namespace, prefix: Prefix.optional() })

export const ListInput = z.strictObject({
  namespace: Namespace,
  prefix: Prefix.optional(),
  /** Lists the keys after this one (the last key of the previous page). */
  after: z.string().max(MAX_KEY_LENGTH).optional(),
  limit: z.number().int().min(1).max(MAX_BATCH).default(DEFAULT_LIST_LIMIT),
})

export const ValueType = z.enum([
  'undefined',
  'null',
  'boolean',
  'number',
  'bigint',
  'string',
  'array',
  'object',
  'date',
  'regexp',
  'map',
  'set',
  'error',
  'binary',
])

export const ListOutput = z.object({
  entries: z.array(
    z.object({
      key: z.string(),
      type: ValueType,
      /** Bytes of the stored form, the measure the size limit applies to. */
      size: z.number().int().nonnegative(),
      /** A short, human-readable rendering (at most 120 characters). */
      preview: z.string(),
    }),
  ),
  /** Keys matching the prefix, in the whole namespace. */
  total: z.number().int().nonnegative(),
  /** More keys follow: ask again with `after` set to the last key. */
  more: z.boolean(),
})

export const NamespacesOutput = z.array(z.object({ namespace: z.string(), keys: z.number().int().positive() }))

export const RecoveriesOutput = z.array(
  z.object({
    /** The store that was repaired (`storage.<namespace>` for a namespace, other stores of the host too). */
    store: z.string(),
    /** Set when the store is a storage namespace. */
    namespace: z.string().optional(),
    file: z.string(),
    /** The untouched copy of the damaged file. */
    backupFile: z.string(),
    reason: z.string(),
    salvagedKeys: z.number().int().nonnegative(),
    lostKeys: z.array(z.string()),
  }),
)

export const ChangedPayload = z.object({
  namespace: z.string(),
  /** The key, for a single `set` or `delete`. */
  key: z.string().optional(),
  /** The keys, for `setMany` and `deleteMany`. */
  keys: z.array(z.string()).optional(),
  op: z.enum(['set', 'delete', 'clear']),
})

export type ChangedPayload = z.infer<typeof ChangedPayload>

const READ = STORAGE_READ_PERMISSION
const WRITE = STORAGE_WRITE_PERMISSION

export const storageContract = defineContract({
  id: 'storage',
  procedures: {
    get: procedure({
      description: 'The value of a key (undefined when absent; `has` tells a stored undefined apart)',
      input: KeyInput,
      output: z.unknown(),
      permission: READ,
      expose: true,
    }),
    has: procedure({ description: 'Whether a key is stored', input: KeyInput, output: z.boolean(), permission: READ, expose: true }),
    keys: procedure({
      description: 'The keys of a namespace, sorted, optionally only those starting with `prefix`',
      input: KeysInput,
      output: z.array(z.string()),
      permission: READ,
      expose: true,
    }),
    list: procedure({
      description: 'A page of keys with their type, stored size and a short preview (for the Storage view)',
      input: ListInput,
      output: ListOutput,
      permission: READ,
      expose: true,
    }),
    namespaces: procedure({
      description: 'The namespaces that hold keys (for a plugin caller: those it may read)',
      output: NamespacesOutput,
      permission: READ,
      expose: true,
    }),
    set: procedure({
      description: 'Stores a value (anything structured clone keeps, up to the size limit)',
      input: SetInput,
      output: z.void(),
      permission: WRITE,
      expose: true,
    }),
    setMany: procedure({
      description: 'Stores several values at once: all or nothing (when a key repeats, the last wins)',
      input: SetManyInput,
      output: z.void(),
      permission: WRITE,
      expose: true,
    }),
    delete: procedure({ description: 'Removes a key; true when it existed', input: KeyInput, output: z.boolean(), permission: WRITE, expose: true }),
    deleteMany: procedure({
      description: 'Removes several keys at once; how many existed',
      input: DeleteManyInput,
      output: z.number().int().nonnegative(),
      permission: WRITE,
      expose: true,
    }),
    clear: procedure({
      description: 'Removes every key of a namespace; how many there were',
      input: NamespaceInput,
      output: z.number().int().nonnegative(),
      permission: WRITE,
      expose: true,
    }),
    recoveries: procedure({
      description: 'Damaged store files the host repaired: where the original was kept, what was salvaged and lost',
      output: RecoveriesOutput,
      permission: READ,
      expose: true,
    }),
  },
  events: {
    changed: event({
      description: 'A write changed a namespace (sent after the write succeeded; carries keys, never values)',
      payload: ChangedPayload,
      permission: READ,
      expose: true,
    }),
  },
})
