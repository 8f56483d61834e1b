/** Inputs, outputs and the event payload: the single source of the procedures' JSON Schemas and types. */
import { z } from 'zod'
import { DEFAULT_LIST_LIMIT, MAX_BATCH, MAX_KEY_LENGTH, NAMESPACE_PATTERN } from './limits'

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
