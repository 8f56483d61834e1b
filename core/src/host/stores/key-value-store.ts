/**
 * The host's persistence service: named key-value stores, opened through a factory chosen by whoever
 * boots the host (memory for unit tests, `conf` in plain Node, electron-store inside Electron).
 *
 * Contract shared by every backend (one behavioural suite checks them all):
 * - Keys are FLAT strings: `a.b` is one key, never a path into `a`. Keys starting with `__internal__`
 *   are reserved (conf keeps its own bookkeeping there) and cannot be written.
 * - Values are whatever the structured clone algorithm keeps (Date, Map, Set, BigInt, typed arrays,
 *   RegExp, Error, `undefined`, nested objects, cycles, shared references), stored as a copy: mutating
 *   a value after `set`, or the value `get` returned, never changes the store. Class instances come
 *   back as plain objects, as with structured clone. Anything else (functions, symbols, WeakMap,
 *   promises...) is rejected with a StoreValueError before anything is written.
 * - Every write is atomic and all or nothing: `setMany` / `deleteMany` / `clear` are one write each.
 * - `keys()` is sorted (code unit order), so every backend lists keys the same way.
 */
export interface KeyValueStore {
  readonly name: string
  /** A fresh copy of the stored value; `undefined` when absent (use `has` to tell a stored `undefined`). */
  get(key: string): unknown
  has(key: string): boolean
  set(key: string, value: unknown): void
  /** All or nothing, in one write. When a key repeats, the last entry wins. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): void
  /** True when the key existed. */
  delete(key: string): boolean
  /** How many of the keys existed; one write (none when no key existed). */
  deleteMany(keys: readonly string[]): number
  /** Sorted. */
  keys(): string[]
  clear(): void
}

export interface StoreFactory {
  /** Opens (or returns the already open) store `name`: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
  open(name: string): KeyValueStore
  /** What was repaired while opening stores: damaged files are never wiped silently. */
  readonly recoveries: readonly StoreRecovery[]
}

/** A damaged store file that was set aside (byte for byte) and replaced by what could be salvaged. */
export interface StoreRecovery {
  /** The store name. */
  readonly store: string
  /** The store's file (now holding the salvaged entries). */
  readonly file: string
  /** The untouched copy of the damaged file, next to it: `<name>.corrupt-<timestamp>.json`. */
  readonly backupFile: string
  /** What was wrong, for a person. */
  readonly reason: string
  /** Entries that were kept. */
  readonly salvagedKeys: number
  /**
   * Keys whose entry was dropped: cut off (a truncated file keeps its whole entries) or not decodable. Empty
   * when nothing in the file can be attributed to a key (not JSON at all, or not a JSON object).
   */
  readonly lostKeys: readonly string[]
}

/** The slice of a (pino) logger the file backends use to report a recovery. */
export interface StoreLogger {
  warn(obj: object, msg: string): void
}

/** A value that the store cannot keep (not structured-cloneable, or not representable in the file). */
export class StoreValueError extends TypeError {
  override readonly name = 'StoreValueError'
  readonly store: string
  readonly key: string

  constructor(store: string, key: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot store the value of key ${JSON.stringify(key)} in store "${store}": ${reason}`, options)
    this.store = store
    this.key = key
  }
}
