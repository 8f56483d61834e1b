/**
 * The one KeyValueStore implementation every backend shares: a map of encoded entries plus a `persist`
 * callback that receives the complete next state. A write builds the next state, persists it (one
 * atomic write for the file backends, nothing for memory) and only then makes it current, so a value
 * that cannot be encoded or a failed write leaves the store exactly as it was.
 */
import { decodeEntry, encodeValue, EncodeError, type StoredEntry } from './codec'
import { StoreValueError, type KeyValueStore } from './key-value-store'

/** conf keeps its own bookkeeping (migrations) under this key; it is never a store key. */
export const RESERVED_KEY = '__internal__'

export function isReservedKey(key: string): boolean {
  return key === RESERVED_KEY || key.startsWith(`${RESERVED_KEY}.`)
}

const storeNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Store names become file names: keep them portable, and never let one look like a backup. */
export function assertStoreName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !storeNamePattern.test(name) || name.includes('.corrupt-')) {
    throw new TypeError(
      `Invalid store name ${JSON.stringify(name)}: use 1 to 128 letters, digits, "_", "-" or ".", starting with a letter or digit`,
    )
  }
}

export type PersistEntries = (entries: ReadonlyMap<string, StoredEntry>) => void

export class EncodedKeyValueStore implements KeyValueStore {
  readonly name: string
  #entries: ReadonlyMap<string, StoredEntry>
  readonly #persist: PersistEntries

  constructor(name: string, entries: ReadonlyMap<string, StoredEntry>, persist: PersistEntries) {
    this.name = name
    this.#entries = entries
    this.#persist = persist
  }

  get(key: string): unknown {
    this.#assertKey(key)
    const entry = this.#entries.get(key)
    return entry === undefined ? undefined : decodeEntry(entry)
  }

  has(key: string): boolean {
    this.#assertKey(key)
    return this.#entries.has(key)
  }

  set(key: string, value: unknown): void {
    this.setMany([[key, value]])
  }

  setMany(entries: ReadonlyArray<readonly [string, unknown]>): void {
    if (!Array.isArray(entries)) throw new TypeError(`Store "${this.name}": setMany expects an array of [key, value] pairs`)
    const encoded: Array<readonly [string, StoredEntry]> = []
    for (const pair of entries) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`Store "${this.name}": setMany expects an array of [key, value] pairs`)
      }
      const [key, value] = pair
      this.#assertWritableKey(key)
      try {
        encoded.push([key, encodeValue(value)])
      } catch (error) {
        if (error instanceof EncodeError) throw new StoreValueError(this.name, key, error.message, { cause: error.cause })
        throw error
      }
    }
    if (encoded.length === 0) return
    const next = new Map(this.#entries)
    for (const [key, entry] of encoded) next.set(key, entry)
    this.#commit(next)
  }

  delete(key: string): boolean {
    return this.deleteMany([key]) === 1
  }

  deleteMany(keys: readonly string[]): number {
    if (!Array.isArray(keys)) throw new TypeError(`Store "${this.name}": deleteMany expects an array of keys`)
    for (const key of keys) this.#assertKey(key)
    const next = new Map(this.#entries)
    let deleted = 0
    for (const key of new Set(keys)) {
      if (next.delete(key)) deleted += 1
    }
    if (deleted > 0) this.#commit(next)
    return deleted
  }

  keys(): string[] {
    return [...this.#entries.keys()].sort()
  }

  clear(): void {
    if (this.#entries.size > 0) this.#commit(new Map())
  }

  #commit(next: ReadonlyMap<string, StoredEntry>): void {
    this.#persist(next)
    this.#entries = next
  }

  #assertKey(key: unknown): asserts key is string {
    if (typeof key !== 'string') {
      throw new TypeError(`Store "${this.name}": keys are strings, got ${key === null ? 'null' : typeof key}`)
    }
  }

  #assertWritableKey(key: unknown): asserts key is string {
    this.#assertKey(key)
    if (isReservedKey(key)) {
      throw new TypeError(`Store "${this.name}": the key ${JSON.stringify(key)} is reserved (keys cannot start with "${RESERVED_KEY}")`)
    }
  }
}
