/** The plugin's fixed rules and its one option. */

/** A namespace: lower-case letters, digits and `-`, starting with a letter; it also names a store file. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,63}$/

/** Longest key, in UTF-16 code units (JavaScript string length). */
export const MAX_KEY_LENGTH = 256

/** Most entries (or keys) in one `setMany` / `deleteMany`, and most rows one `list` answers. */
export const MAX_BATCH = 1000

export const DEFAULT_LIST_LIMIT = 100

/** Default largest value: 1 MiB, measured as the bytes the store keeps (see `measureStoredValue`). */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024

export interface StorageOptions {
  /** Largest value, in bytes of its stored form. Default 1 MiB. */
  readonly maxValueBytes?: number
}

export interface StorageLimits {
  readonly maxValueBytes: number
}

export function resolveLimits(options: StorageOptions = {}): StorageLimits {
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES
  if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new TypeError(`storage: maxValueBytes must be a positive integer, got ${String(maxValueBytes)}`)
  }
  return { maxValueBytes }
}
